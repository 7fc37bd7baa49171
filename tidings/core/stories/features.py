"""What story clustering reads from an article: its words, names, entities, topics and time.

Kept apart from the clustering so the ingest path, ``tidings restory`` and the benchmark all
turn a record into the same features. Each view is a sparse vector of sublinear term
frequencies (1 + log tf); the clusterer weights them by IDF.

- ``title``: the headline's content words;
- ``text``: the headline and the opening of the body (numbers kept: figures, scores and tolls
  tell two events of one kind apart);
- ``names``: the words of capitalised runs inside body sentences (not a lone first word of a
  sentence; not the headline, whose case is a house style): the people, places and
  organisations of the whole body, at no NER cost;
- ``entities``: the tagger's entity keys (spaCy NER on title and lead).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

VIEWS = ("title", "text", "names", "entities")
_WORD = re.compile(r"[^\W_]+(?:['\u2019.-][^\W_]+)*", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?\"\u201d])\s+|\n+")
_TOKEN = re.compile(r"\S+")
_CAPITALISED = re.compile(r"^[\"'\u201c(]*([A-Z][a-z][\w'\u2019.-]*|[A-Z]\.(?:[A-Z]\.)+)")
#: Words beyond this many add cost, not signal: a story is told in its opening paragraphs.
BODY_WORDS = 400


@dataclass(frozen=True)
class StoryFeatures:
    """Sparse views of one article (see the module docstring), its topics and its date."""

    views: dict[str, dict[str, float]]
    topics: frozenset[str] = field(default_factory=frozenset)
    seen_at: float | None = None  # days since the epoch; None when the article has no date


def words(text: str) -> list[str]:
    """Lower-cased content words: stop words and one-letter tokens dropped, numbers kept."""
    out = []
    for w in _WORD.findall(text.lower()):
        w = w.replace("\u2019", "'")
        if w.endswith("'s"):
            w = w[:-2]
        if len(w) > 1 and w not in ENGLISH_STOP_WORDS:
            out.append(w)
    return out


def names(text: str) -> list[str]:
    """Runs of capitalised words, lower-cased ("jamal williams"); a single capitalised word
    that opens a sentence is not a name."""
    out: list[str] = []
    for sentence in _SENTENCE.split(text):
        run: list[str] = []
        opens = True  # a run that opens the sentence counts only from two words up
        for token in _TOKEN.findall(sentence) + [""]:
            m = _CAPITALISED.match(token)
            if m:
                run.append(m.group(1).rstrip(".'\u2019").removesuffix("'s").lower())
            if (not m or token[-1:] in ',;:)"\u201d') and run:
                kept = [w for w in run if w not in ENGLISH_STOP_WORDS]
                if kept and not (opens and len(run) < 2):
                    out.append(" ".join(kept))
                run = []
            if not run:
                opens = False
    return out


def sublinear(terms: Iterable[str]) -> dict[str, float]:
    return {t: 1.0 + math.log(n) for t, n in Counter(terms).items()}


def _days(value: Any) -> float | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.timestamp() / 86400.0


def features_of(article: Mapping[str, Any]) -> StoryFeatures:
    """Features of an article record (or of any mapping with title/body/entities/topics)."""
    title = article.get("title") or ""
    body = article.get("body") or article.get("text") or article.get("summary") or ""
    body = " ".join(body.split(" ")[:BODY_WORDS])
    title_words = words(title)
    entities = [
        str(e.get("key") or "").strip()
        for e in article.get("entities") or ()
        if isinstance(e, Mapping) and e.get("key")
    ]
    topics = frozenset(
        str(t.get("id")) for t in article.get("topics") or () if isinstance(t, Mapping)
    )
    when = article.get("published_at") or article.get("fetched_at")
    return StoryFeatures(
        views={
            "title": sublinear(title_words),
            "text": sublinear(title_words + words(body)),
            "names": sublinear(w for name in names(body) for w in name.split()),
            "entities": sublinear(e for e in entities if e),
        },
        topics=topics,
        seen_at=_days(when),
    )
