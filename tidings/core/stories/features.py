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
from collections.abc import Callable, Iterable, Mapping
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


class _Memo(dict[str, Any]):
    """``memo[key]``: ``compute(key)``, worked out once per distinct key (a word or token
    recurs across a crawl's articles: the per-word tests were ~40% of placing's CPU), then a
    dict lookup; emptied past ``limit`` keys so rare words do not pile up."""

    def __init__(self, compute: Callable[[str], Any], limit: int = 200_000) -> None:
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, key: str) -> Any:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.compute(key)
        return value


def _content_word(w: str) -> str:
    """A lower-cased word as :func:`words` keeps it, or "" for one it drops."""
    w = w.replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w if len(w) > 1 and w not in ENGLISH_STOP_WORDS else ""


_CONTENT_WORDS = _Memo(_content_word)


def words(text: str) -> list[str]:
    """Lower-cased content words: stop words and one-letter tokens dropped, numbers kept."""
    return [w for w in map(_CONTENT_WORDS.__getitem__, _WORD.findall(text.lower())) if w]


def _name_part(token: str) -> tuple[str | None, bool]:
    """What a token brings to a run of capitalised words: its lower-cased word (None when it
    is not capitalised), and whether the run ends after it (punctuation closes it)."""
    m = _CAPITALISED.match(token)
    word = m.group(1).rstrip(".'\u2019").removesuffix("'s").lower() if m else None
    return word, token[-1:] in ',;:)"\u201d'


_NAME_PARTS = _Memo(_name_part)
_END = (None, False)


def names(text: str) -> list[str]:
    """Runs of capitalised words, lower-cased ("jamal williams"); a single capitalised word
    that opens a sentence is not a name."""
    out: list[str] = []
    for sentence in _SENTENCE.split(text):
        run: list[str] = []
        opens = True  # a run that opens the sentence counts only from two words up
        for word, closes in [*map(_NAME_PARTS.__getitem__, _TOKEN.findall(sentence)), _END]:
            if word is not None:
                run.append(word)
            if (word is None or closes) and run:
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
