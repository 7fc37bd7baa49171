"""Variants of the online story clusterer, measured against its defaults in one run.

Issue 15 item 4, fourth and fifth rounds: each variant changes one thing of
:class:`tidings.core.stories.StoryClusterer` (the decision, a bar, or one extra signal) and is
scored per half of the topics (A, the half settings are chosen on; B, never tuned on) and on all
docs, over the same seeded orders as the defaults. None of them beat the defaults on B by more
than the order-to-order noise, so none is in the product; they stay here so the table in
``docs/benchmarks.md`` can be re-run:

    .venv/bin/python bench/stories.py --variants [--orders 5]

- ``margin``: the best candidate must also beat the runner-up by a margin (else a new story),
  or may join below its bar when it beats the runner-up clearly;
- ``bars``: one threshold to join a single-article story, another for larger ones;
- ``specifics``: the tagger's NER spans it does not keep (DATE, TIME, CARDINAL, QUANTITY,
  MONEY, ORDINAL, PERCENT; title + lead, so no extra NER), their words with a digit, as a bonus
  view or as a penalty when article and story both have several and share none;
- ``lsa``: a dense topic space (TF-IDF + TruncatedSVD, 100 dimensions) fitted on the BBC and
  AG News corpora of ``../shared/data`` (never on ECB+), used only to let the best candidate
  join below its bar when the dense cosine and the ``names`` view both agree.

Fifth round (:func:`fifth_round`; :func:`view_aucs` prints how well each view tells a topic's
two events apart):

- ``events``: who-did-what-where tokens from spaCy's dependency parse of title + lead (the
  tagger's model, its parser kept), as an extra view;
- ``lead``: the headline and the body's first two sentences as a view of their own;
- ``anchor``: the story scored against its first members (their mean, or their medoid) as well
  as all of them, so a story that absorbed background does not drift toward its topic;
- ``present views``, ``short articles``: what the error analysis pointed at (headline-only and
  short articles start most split pieces): the weighted sum over the views an article has, or
  a threshold scaled down for an article shorter than the mean.

Sixth round (:func:`sixth_round`): a sentence embedding of headline + lead
(:mod:`bench.sentence_embeddings`, all-MiniLM-L6-v2) as a dense story centroid, its cosine
added to the score, put in the bar, used as a gate, or taken after centring on the candidate
stories' mean (``DenseClusterer``).
"""

from __future__ import annotations

import csv
import functools
import math
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tidings.core.stories import StoryClusterer, StoryParams
from tidings.core.stories.clustering import Story
from tidings.core.stories.features import _SENTENCE, VIEWS, StoryFeatures, sublinear, words
from tidings.core.stories.vectors import dot as _dot
from tidings.core.stories.vectors import unit as _unit

Docs = list[dict[str, Any]]
Vectors = Mapping[str, Mapping[str, float]]
SPECIFIC_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "QUANTITY", "MONEY", "ORDINAL", "PERCENT"})
_DIGIT = re.compile(r"\d")
NO_DATES = StoryParams(time_share=0.0)  # the data has no dates: the time signal is off


def tag(docs: Docs) -> float:
    """The tagger's NER pass (title + lead, the components it runs) and one dependency parse of
    the same text with the same loaded model (no second copy): the kept entities into
    ``entities``, the words with a digit of the spans it drops (dates, numbers) into
    ``specifics``, the parse's who-did-what-where tokens into ``events``, the headline and
    first two sentences' words into ``lead``; returns the seconds it took."""
    import spacy

    from classifier.entities import _EXCLUDE, MODEL_NAMES, entities_of, lead_text
    from classifier.spacy_ops import numpy_blas_ops, one_blas_thread

    start = time.perf_counter()
    with numpy_blas_ops():
        nlp = spacy.load(MODEL_NAMES[-1])  # the tagger's model, its parser kept
    texts = [lead_text(d) for d in docs]
    with one_blas_thread():
        with nlp.select_pipes(disable=_EXCLUDE):  # exactly what the tagger runs
            for doc, parsed in zip(docs, nlp.pipe(texts, batch_size=64), strict=True):
                doc["entities"] = entities_of(parsed)
                doc["specifics"] = [
                    w
                    for ent in parsed.ents
                    if ent.label_ in SPECIFIC_LABELS
                    for w in words(ent.text)
                    if _DIGIT.search(w)
                ]
        for doc, parsed in zip(docs, nlp.pipe(texts, batch_size=64), strict=True):
            doc["events"] = event_terms(parsed)
            doc["lead"] = lead_words(doc)
    return time.perf_counter() - start


# -- the event view: who did what where, from the dependency parse ---------------------------------
#: Dependency labels of a trigger's arguments (spaCy's English scheme), and the role they fill.
ARGUMENT_ROLES = {"nsubj": "who", "agent": "who", "nsubjpass": "what", "dobj": "what",
                  "attr": "what", "dative": "what"}  # fmt: skip
#: Prepositions whose object places an event (closed-class words of the grammar, not of ECB+).
PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "on", "into", "from"})
#: Clauses whose verb is an event of the sentence beside its root.
EVENT_CLAUSES = frozenset({"conj", "xcomp", "ccomp", "advcl", "relcl", "acl"})


def event_terms(doc: Any) -> list[str]:
    """Each event trigger (the root of a sentence, a verb or a noun, or a verb of a clause
    joined to it; lemmatised) with its arguments' heads, as ``role:head`` tokens ("who:police",
    "what:suspect", "where:bloomington"); a named argument is its entity key. The role tokens
    were the best of the forms measured (trigger lemmas, trigger|head pairs, heads alone)."""
    out = []
    for tok in doc:
        root = tok.dep_ == "ROOT" and tok.pos_ in {"VERB", "NOUN", "PROPN"}
        if not (root or (tok.dep_ in EVENT_CLAUSES and tok.pos_ == "VERB")):
            continue
        out += [f"{role}:{head}" for role, head in arguments(tok)]
    return out


def arguments(trigger: Any) -> list[tuple[str, str]]:
    """(role, head word) of a trigger's subject, objects and place, conjuncts included."""
    found = []
    for child in trigger.children:
        role = ARGUMENT_ROLES.get(child.dep_)
        if child.dep_ == "agent":
            heads = [c for c in child.children if c.dep_ == "pobj"]
        elif child.dep_ == "prep" and child.lower_ in PLACE_PREPOSITIONS:
            role, heads = "where", [c for c in child.children if c.dep_ == "pobj"]
        elif role:
            heads = [child]
        else:
            continue
        for head in heads:
            for tok in (head, *(c for c in head.children if c.dep_ == "conj")):
                word = head_word(tok)
                if word and role:
                    found.append((role, word))
    return found


def head_word(tok: Any) -> str | None:
    """An argument's head: its entity's key when it is in a kept entity, else its lemma if a
    content word."""
    from classifier.entities import KEEP_LABELS, entity_key

    if tok.ent_type_ in KEEP_LABELS:
        ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
        if ent is not None:
            return entity_key(ent.text, ent.label_) or None
    if tok.pos_ in {"PRON", "DET", "NUM", "PUNCT", "SPACE"}:
        return None
    kept = words(tok.lemma_)
    return kept[0] if len(kept) == 1 and kept[0].isalpha() else None


# -- the decision ------------------------------------------------------------------------------
class MarginClusterer(StoryClusterer):
    """Join the best candidate only if it beats the runner-up by ``strict`` (0: the defaults),
    or also below its bar (down to ``relax`` × bar) when it beats the runner-up by ``clear``
    and holds at least ``min_size`` articles."""

    def __init__(
        self, strict: float = 0.0, relax: float = 1.0, clear: float = 1.0, min_size: int = 1
    ) -> None:
        super().__init__(NO_DATES)
        self.strict, self.relax, self.clear, self.min_size = strict, relax, clear, min_size

    def _choose(
        self, scored: list[tuple[float, Story]], vectors: Vectors
    ) -> tuple[Story | None, float]:
        if not scored:
            return None, -1.0
        (best, story), second = scored[0], (scored[1][0] if len(scored) > 1 else 0.0)
        bar, gap = self._bar(story), best - second
        if best >= bar and gap >= self.strict:
            return story, best
        if best >= self.relax * bar and gap >= self.clear and story.size >= self.min_size:
            return story, best
        return None, -1.0


class BarsClusterer(StoryClusterer):
    """A threshold to join a one-article story and another for larger ones."""

    def __init__(self, single: float, larger: float) -> None:
        super().__init__(NO_DATES)
        self.single, self.larger = single, larger

    def _bar(self, story: Story) -> float:
        floor = self.single if story.size < 2 else self.larger
        return max(floor, super()._bar(story) if story.size >= 2 else 0.0)


# -- one extra signal per article ---------------------------------------------------------------
class ExtraSignal(StoryClusterer):
    """A clusterer that reads one more thing of each article, kept per story as a sum."""

    def add(self, article: Mapping[str, Any], feats: StoryFeatures | None = None) -> Any:
        self._current = self.signal(article, feats)
        return super().add(article, feats)

    def signal(self, article: Mapping[str, Any], feats: StoryFeatures | None) -> Any:
        raise NotImplementedError

    def _apply(
        self, story: Story, vectors: Vectors, feats: StoryFeatures, lookup: list[str]
    ) -> None:
        super()._apply(story, vectors, feats, lookup)
        self.accumulate(story.id, self._current)

    def accumulate(self, story_id: str, value: Any) -> None:
        raise NotImplementedError


class ExtraViewClusterer(ExtraSignal):
    """One more sparse view read from ``article[field]`` (a list of terms; TF-IDF over online
    counts, mean cosine to the story's members): ``bonus`` × that cosine is added to the score
    (not to the bar); ``penalty`` is taken off when the article and the story both have at
    least ``several`` terms and share none."""

    def __init__(
        self,
        bonus: float = 0.0,
        penalty: float = 0.0,
        several: int = 2,
        threshold: float = NO_DATES.threshold,
        field: str = "specifics",
        in_bar: bool = False,
    ) -> None:
        super().__init__(StoryParams(time_share=0.0, threshold=threshold))
        self.bonus, self.penalty, self.several, self.field = bonus, penalty, several, field
        self.in_bar = in_bar  # the view's cohesion counts in the story's cohesion bar too
        self.view_df: Counter[str] = Counter()
        self.sums: dict[str, dict[str, float]] = {}

    def signal(self, article: Mapping[str, Any], feats: StoryFeatures | None) -> dict[str, float]:
        terms = sublinear(article.get(self.field) or ())
        self.view_df.update(terms)
        n, df = self.docs + 1, self.view_df  # IDF as the views', this article counted
        return _unit({t: w * (math.log((1 + n) / (1 + df[t])) + 1.0) for t, w in terms.items()})

    def accumulate(self, story_id: str, value: dict[str, float]) -> None:
        sums = self.sums.setdefault(story_id, {})
        for t, v in value.items():
            sums[t] = sums.get(t, 0.0) + v

    def score(self, story: Story, vectors: Vectors, seen_at: float | None) -> float:
        base = super().score(story, vectors, seen_at)
        mine, theirs = self._current, self.sums.get(story.id, {})
        agree = _dot(mine, theirs) / story.size
        several = len(mine) >= self.several and len(theirs) >= self.several
        return base + self.bonus * agree - (self.penalty if several and not agree else 0.0)

    def _bar(self, story: Story) -> float:
        bar, n = super()._bar(story), story.size
        if not self.in_bar or n < 2 or not self.params.cohesion_share:
            return bar
        sums = self.sums.get(story.id, {})
        cohesion = (sum(v * v for v in sums.values()) - n) / (n * (n - 1))
        return max(
            bar, self.params.cohesion_share * (self._cohesion(story) + self.bonus * cohesion)
        )


#: The fourth round's name for the view of the NER spans the tagger drops.
SpecificsClusterer = ExtraViewClusterer


def lead_words(article: Mapping[str, Any], sentences: int = 2) -> list[str]:
    """The content words of the headline and the body's first ``sentences`` sentences: the
    lead names the event; later paragraphs carry the background a topic's events share."""
    body = article.get("body") or article.get("text") or ""
    opening = [s for s in _SENTENCE.split(body) if s.strip()][:sentences]
    return words(article.get("title") or "") + [w for s in opening for w in words(s)]


# -- what an article lacks ------------------------------------------------------------------------
class PresentViewsClusterer(StoryClusterer):
    """The weighted sum over the views the article has (``both``: that the story has too),
    its weights renormalised: a headline-only article has no ``names`` (they come from the
    body), and counting that view as a zero cosine holds it below every bar."""

    def __init__(self, threshold: float = NO_DATES.threshold, both: bool = False) -> None:
        super().__init__(StoryParams(time_share=0.0, threshold=threshold))
        self.both = both

    def score(self, story: Story, vectors: Vectors, seen_at: float | None) -> float:
        weighted = list(zip(self.params.weights, VIEWS, strict=True))
        present = sum(
            w for w, view in weighted if vectors[view] and (story.sums[view] or not self.both)
        )
        base = super().score(story, vectors, seen_at)
        return base * sum(w for w, _ in weighted) / present if present else base


class ShortArticleClusterer(StoryClusterer):
    """The threshold scaled down for an article shorter than the mean seen so far, by
    ``(terms / mean terms) ** power`` (never up): a short article's cosine to a story is
    low against every story, its own included."""

    def __init__(self, power: float, threshold: float = NO_DATES.threshold) -> None:
        super().__init__(StoryParams(time_share=0.0, threshold=threshold))
        self.power = power
        self.terms_seen = 0
        self.scale = 1.0

    def _count_and_weigh(self, feats: StoryFeatures) -> dict[str, dict[str, float]]:
        terms = len(feats.views.get("text", ()))
        self.terms_seen += terms
        vectors = super()._count_and_weigh(feats)
        mean = self.terms_seen / self.docs
        self.scale = min(1.0, (terms / mean) ** self.power) if mean else 1.0
        return vectors

    def _bar(self, story: Story) -> float:
        """The cohesion bar as the defaults', over the threshold scaled for this article."""
        p = self.params
        cohesion = p.cohesion_share * self._cohesion(story) if story.size >= 2 else 0.0
        return max(p.threshold * self.scale, cohesion)


# -- a story representation that does not drift -------------------------------------------------
class AnchorClusterer(StoryClusterer):
    """Scores an article against the story's first ``k`` members as well as all of them:
    ``(1 - share)`` × the mean cosine to all members + ``share`` × the mean cosine to the
    first ``k`` (``medoid``: the cosine to the most central of the first ``k``). A story that
    absorbed background articles drifts toward its topic; its first members do not."""

    def __init__(
        self, k: int, share: float, threshold: float = NO_DATES.threshold, medoid: bool = False
    ) -> None:
        super().__init__(StoryParams(time_share=0.0, threshold=threshold))
        self.k, self.share, self.medoid = k, share, medoid
        self.first: dict[str, list[Vectors]] = {}  # story -> its first k members' vectors
        self.anchor: dict[str, dict[str, dict[str, float]]] = {}  # their sums, or the medoid

    def _similarity(self, a: Vectors, b: Vectors, n: int = 1) -> float:
        weighted = zip(self.params.weights, VIEWS, strict=True)
        return sum(w * _dot(a[view], b[view]) for w, view in weighted if w) / n

    def score(self, story: Story, vectors: Vectors, seen_at: float | None) -> float:
        base = super().score(story, vectors, seen_at)
        anchor = self.anchor.get(story.id)
        if not self.share or anchor is None:
            return base
        n = 1 if self.medoid else len(self.first[story.id])
        return (1 - self.share) * base + self.share * self._similarity(vectors, anchor, n)

    def _apply(
        self, story: Story, vectors: Vectors, feats: StoryFeatures, lookup: list[str]
    ) -> None:
        super()._apply(story, vectors, feats, lookup)
        first = self.first.setdefault(story.id, [])
        if len(first) >= self.k:
            return
        first.append(vectors)
        if self.medoid:
            self.anchor[story.id] = max(
                first, key=lambda m: sum(self._similarity(m, o) for o in first)
            )  # type: ignore[assignment]
        else:
            sums = self.anchor.setdefault(story.id, {view: {} for view in VIEWS})
            for view in VIEWS:
                for t, v in vectors[view].items():
                    sums[view][t] = sums[view].get(t, 0.0) + v


class TopicSpace:
    """TF-IDF + TruncatedSVD fitted on news corpora that are not the benchmark's."""

    def __init__(self, texts: Sequence[str], dimensions: int = 100) -> None:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        tfidf = TfidfVectorizer(analyzer=words, sublinear_tf=True, min_df=3, max_df=0.5)
        svd = TruncatedSVD(dimensions, random_state=0).fit(tfidf.fit_transform(texts))
        self.vocabulary: dict[str, int] = tfidf.vocabulary_
        self.idf = tfidf.idf_
        self.components = svd.components_

    def embed(self, terms: Mapping[str, float]) -> np.ndarray | None:
        """The unit dense vector of a sparse term-frequency view (None if no term is known)."""
        known = [(self.vocabulary[t], w) for t, w in terms.items() if t in self.vocabulary]
        if not known:
            return None
        index = [i for i, _ in known]
        v = self.components[:, index] @ (np.array([w for _, w in known]) * self.idf[index])
        norm = float(np.linalg.norm(v))
        return v / norm if norm else None


def news_corpus(data: Path) -> list[str]:
    """BBC News (2,225 articles) and AG News test (7,600 title + description) texts."""
    texts = [
        p.read_bytes().decode("utf-8", "replace") for p in sorted(data.glob("bbc/bbc/*/*.txt"))
    ]
    ag_news = data / "ag_news" / "test.csv"
    if not texts or not ag_news.is_file():
        raise SystemExit(f"{data}: the LSA variants need bbc/ and ag_news/test.csv there")
    with ag_news.open(encoding="utf-8") as f:
        texts += [f"{title}\n{body}".replace("\\n", "\n") for _, title, body in csv.reader(f)]
    return texts


class TopicGateClusterer(ExtraSignal):
    """The best candidate below its bar (down to ``relax`` × bar) joins when its mean dense
    cosine reaches ``dense`` and its mean ``names`` cosine reaches ``names``: recall for the
    pieces of one event, the names guarding against two events of one kind."""

    def __init__(self, space: TopicSpace, relax: float, dense: float, names: float) -> None:
        super().__init__(NO_DATES)
        self.space, self.relax, self.dense, self.names = space, relax, dense, names
        self.sums: dict[str, np.ndarray] = {}

    def signal(self, article: Mapping[str, Any], feats: StoryFeatures | None) -> np.ndarray | None:
        from tidings.core.stories import features_of

        return self.space.embed((feats or features_of(article)).views["text"])

    def accumulate(self, story_id: str, value: np.ndarray | None) -> None:
        if value is not None:
            self.sums[story_id] = self.sums.get(story_id, 0.0) + value

    def _choose(
        self, scored: list[tuple[float, Story]], vectors: Vectors
    ) -> tuple[Story | None, float]:
        story, best = super()._choose(scored, vectors)
        if story is not None or not scored or self._current is None:
            return story, best
        best, story = scored[0]
        dense = float(self._current @ self.sums.get(story.id, 0.0)) / story.size
        names = _dot(vectors["names"], story.sums["names"]) / story.size
        if best >= self.relax * self._bar(story) and dense >= self.dense and names >= self.names:
            return story, best
        return None, -1.0


# -- sixth round: a sentence-embedding view ---------------------------------------------------
def embed(docs: Docs, words: int, field: str = "dense") -> float:
    """Each doc's unit sentence vector (headline + first ``words`` body words, the product's
    model) into ``field``; returns the CPU seconds per doc it took."""
    from bench.sentence_embeddings import embedding_text, encoder

    model = encoder()
    start = time.process_time()
    for doc in docs:
        doc[field] = model.embed(embedding_text(doc, words))
    return (time.process_time() - start) / len(docs)


class DenseClusterer(ExtraSignal):
    """The article's sentence vector against the story's dense centroid (the sum of its
    members' unit vectors, so ``dot / n`` is the mean cosine to its members): ``bonus`` × that
    cosine is added to the score (and, ``in_bar``, the dense cohesion to the cohesion bar);
    ``gate``: the best candidate below its bar (down to ``relax`` × bar) joins when its dense
    cosine reaches ``gate``. ``weights``: the four sparse views' weights (the dense view may
    take a share of the others', e.g. the headline's). ``centre``: the cosine is taken after
    both the article and the story's mean vector are centred on the candidates' mean (the
    size-weighted mean of every candidate story's members; ``centre_top``: of only the best
    this-many candidates by the word views' score): what stories of one kind share is taken
    out, what tells one event from another is left."""

    def __init__(
        self,
        bonus: float = 0.0,
        threshold: float = NO_DATES.threshold,
        in_bar: bool = False,
        gate: float = 2.0,
        relax: float = 1.0,
        weights: tuple[float, ...] = NO_DATES.weights,
        field: str = "dense",
        centre: bool = False,
        centre_top: int = 0,
    ) -> None:
        super().__init__(StoryParams(time_share=0.0, threshold=threshold, weights=weights))
        self.bonus, self.in_bar, self.gate, self.relax = bonus, in_bar, gate, relax
        self.field, self.centre, self.centre_top = field, centre, centre_top
        self.sums: dict[str, np.ndarray] = {}
        self._mean: np.ndarray | None = None  # the candidates' mean vector (``centre``)

    def signal(self, article: Mapping[str, Any], feats: StoryFeatures | None) -> np.ndarray:
        return article[self.field]

    def accumulate(self, story_id: str, value: np.ndarray) -> None:
        self.sums[story_id] = self.sums.get(story_id, 0.0) + value

    def dense(self, story: Story) -> float:
        if self._mean is None:
            return float(self._current @ self.sums[story.id]) / story.size
        mine, theirs = self._current - self._mean, self.sums[story.id] / story.size - self._mean
        norms = float(np.linalg.norm(mine) * np.linalg.norm(theirs))
        return float(mine @ theirs) / norms if norms > 1e-9 else 0.0

    def _scored(
        self, vectors: Vectors, lookup: list[str], feats: StoryFeatures
    ) -> list[tuple[float, Story]]:
        self._mean = None
        if self.centre:
            found = self.sketch.candidates(lookup, self.params.candidates)
            stories = [self.stories[sid] for sid in found if sid in self.stories]
            if stories and self.centre_top:
                base = StoryClusterer.score
                stories.sort(key=lambda st: (-base(self, st, vectors, feats.seen_at), st.id))
                stories = stories[: self.centre_top]
            if stories:
                total = sum(self.sums[st.id] for st in stories)
                self._mean = total / sum(st.size for st in stories)
        return super()._scored(vectors, lookup, feats)

    def score(self, story: Story, vectors: Vectors, seen_at: float | None) -> float:
        return super().score(story, vectors, seen_at) + self.bonus * self.dense(story)

    def _bar(self, story: Story) -> float:
        bar, n = super()._bar(story), story.size
        if not self.in_bar or n < 2 or not self.params.cohesion_share:
            return bar
        s = self.sums[story.id]
        cohesion = (float(s @ s) - n) / (n * (n - 1))
        return max(
            bar, self.params.cohesion_share * (self._cohesion(story) + self.bonus * cohesion)
        )

    def _choose(
        self, scored: list[tuple[float, Story]], vectors: Vectors
    ) -> tuple[Story | None, float]:
        story, best = super()._choose(scored, vectors)
        if story is not None or not scored:
            return story, best
        best, story = scored[0]
        if best >= self.relax * self._bar(story) and self.dense(story) >= self.gate:
            return story, best
        return None, -1.0


# -- the comparison -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    name: str
    make: Callable[[], StoryClusterer]


def variants(data: Path) -> list[Variant]:
    """The settings measured (each family's settings were chosen on half A)."""
    space = TopicSpace(news_corpus(data))
    return [
        Variant("defaults", lambda: StoryClusterer(NO_DATES)),
        Variant(
            "margin: join only if best − runner-up ≥ 0.02", lambda: MarginClusterer(strict=0.02)
        ),
        Variant(
            "margin: also join at ≥ 0.9 × bar if best − runner-up ≥ 0.08, stories of ≥ 3",
            lambda: MarginClusterer(relax=0.9, clear=0.08, min_size=3),
        ),
        Variant(
            "margin: also join at ≥ 0.8 × bar if best − runner-up ≥ 0.05",
            lambda: MarginClusterer(relax=0.8, clear=0.05),
        ),
        Variant(
            "bars: 0.21 to join one article, 0.16 for larger stories",
            lambda: BarsClusterer(0.21, 0.16),
        ),
        Variant(
            "specifics bonus 0.1, threshold 0.19",
            lambda: SpecificsClusterer(bonus=0.1, threshold=0.19),
        ),
        Variant(
            "specifics bonus 0.2, threshold 0.20",
            lambda: SpecificsClusterer(bonus=0.2, threshold=0.20),
        ),
        Variant(
            "specifics penalty 0.03 (both ≥ 2 terms, none shared)",
            lambda: SpecificsClusterer(penalty=0.03),
        ),
        Variant("specifics penalty 0.05", lambda: SpecificsClusterer(penalty=0.05)),
        Variant(
            "LSA gate: ≥ 0.7 × bar, dense ≥ 0.8, names ≥ 0.1",
            lambda: TopicGateClusterer(space, relax=0.7, dense=0.8, names=0.1),
        ),
        Variant(
            "LSA gate: ≥ 0.6 × bar, dense ≥ 0.8, names ≥ 0.2",
            lambda: TopicGateClusterer(space, relax=0.6, dense=0.8, names=0.2),
        ),
        *fifth_round(),
        *sixth_round(),
    ]


def fifth_round() -> list[Variant]:
    """The fifth round's settings, each the best of its family on half A (orders 1–3)."""
    return [
        Variant(
            "events view bonus 0.3, threshold 0.20",
            lambda: ExtraViewClusterer(bonus=0.3, threshold=0.20, field="events"),
        ),
        Variant(
            "events view bonus 0.3, also in the cohesion bar, threshold 0.20",
            lambda: ExtraViewClusterer(bonus=0.3, threshold=0.20, field="events", in_bar=True),
        ),
        Variant(
            "lead view bonus 0.1, threshold 0.20",
            lambda: ExtraViewClusterer(bonus=0.1, threshold=0.20, field="lead"),
        ),
        Variant(
            "lead view bonus 0.3, threshold 0.22",
            lambda: ExtraViewClusterer(bonus=0.3, threshold=0.22, field="lead"),
        ),
        Variant("first 3 members, share 0.3", lambda: AnchorClusterer(k=3, share=0.3)),
        Variant(
            "medoid of the first 3, share 0.3",
            lambda: AnchorClusterer(k=3, share=0.3, medoid=True),
        ),
        Variant("views the article has, renormalised", lambda: PresentViewsClusterer()),
        Variant(
            "short articles: threshold × (terms / mean)^0.5",
            lambda: ShortArticleClusterer(power=0.5),
        ),
    ]


def sixth_round() -> list[Variant]:
    """The sixth round's settings (``DenseClusterer``; ``dense``: headline + 60 words,
    ``dense200``: headline + 200), each the best of its family on half A (orders 1–3)."""
    shared = (0.1, 0.5, 0.15, 0.15)  # half the headline's weight goes to the dense view
    settings: list[tuple[str, dict[str, Any]]] = [
        ("sentence embedding bonus 0.1, threshold 0.225", {"bonus": 0.1, "threshold": 0.225}),
        ("sentence embedding 0.1 in place of half the headline's 0.2, threshold 0.20",
         {"bonus": 0.1, "threshold": 0.20, "weights": shared}),
        ("same, headline + 200 words, also in the cohesion bar, threshold 0.22",
         {"bonus": 0.1, "threshold": 0.22, "weights": shared, "in_bar": True,
          "field": "dense200"}),
        ("sentence-embedding gate: best at ≥ 0.85 × bar joins if dense cosine ≥ 0.7",
         {"gate": 0.7, "relax": 0.85}),
        ("centred on the candidates' mean, bonus 0.075, threshold 0.21",
         {"bonus": 0.075, "threshold": 0.21, "centre": True}),
        ("centred on the candidates' mean, bonus 0.1, threshold 0.22",
         {"bonus": 0.1, "threshold": 0.22, "centre": True}),
    ]  # fmt: skip
    return [Variant(name, functools.partial(DenseClusterer, **kw)) for name, kw in settings]


def view_aucs(
    docs: Docs | Mapping[str, Docs],
    extra: Sequence[str] = ("events", "lead"),
    bonus: float = 0.3,
    dense: Sequence[str] = (),
    dense_weights: Sequence[float] = (0.1, 0.2),
) -> None:
    """ROC AUC of the article–article cosine of each view (TF-IDF, IDF over the set) for
    same-story pairs against same-topic, other-event pairs (one column per set: halves A and B,
    all docs), then against all other pairs (the last set); and of the defaults' weighted sum,
    alone and with ``bonus`` × each extra view. ``dense``: fields holding a unit vector per doc
    (sentence embeddings), each alone, added to the sum at ``dense_weights``, and in place of
    the headline's weight."""
    sets = docs if isinstance(docs, Mapping) else {"": docs}
    tables = {name: _pair_scores(part, extra, bonus, dense, dense_weights)
              for name, part in sets.items()}  # fmt: skip
    last = list(tables.values())[-1]
    heads = [f"AUC within a topic{' ' + name if name else ''}" for name in sets]
    print("| view | " + " | ".join(heads) + " | AUC all pairs |")
    print("|---|" + "---|" * (len(heads) + 1))
    for row in last[0]:
        cells = [f"{t[0][row]:.3f}" for t in tables.values()]
        print(f"| {row} | " + " | ".join(cells) + f" | {last[1][row]:.3f} |")


def _pair_scores(
    docs: Docs,
    extra: Sequence[str],
    bonus: float,
    dense: Sequence[str],
    dense_weights: Sequence[float],
) -> tuple[dict[str, float], dict[str, float]]:
    """(AUC within a topic, AUC over all pairs) per row of :func:`view_aucs`, for one set."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.metrics import roc_auc_score

    from tidings.core.stories import features_of

    feats = [features_of(d).views for d in docs]
    terms = {view: [f[view] for f in feats] for view in VIEWS}
    terms |= {field: [sublinear(d.get(field) or ()) for d in docs] for field in extra}
    cosines = {}
    for name, vecs in terms.items():
        counts = DictVectorizer().fit_transform(vecs)
        if not counts.shape[1]:  # no article has this view: every cosine is 0
            cosines[name] = np.zeros((len(docs), len(docs)))
            continue
        x = TfidfTransformer().fit_transform(counts)
        cosines[name] = (x @ x.T).toarray()
    for field in dense:
        x = np.array([d[field] for d in docs])
        cosines[f"{field} (sentence embedding)"] = x @ x.T
    upper = np.triu_indices(len(docs), 1)
    story, topic = (np.array([str(d[key]) for d in docs]) for key in ("story", "topic"))
    same = (story[:, None] == story)[upper]
    within = (topic[:, None] == topic)[upper]
    weighted = sum(w * cosines[v] for w, v in zip(NO_DATES.weights, VIEWS, strict=True))
    rows = {**cosines, "defaults' weighted sum": weighted}
    rows |= {
        f"weighted sum + {bonus} × {field}": weighted + bonus * cosines[field] for field in extra
    }
    for field in dense:
        vector = cosines[f"{field} (sentence embedding)"]
        rows |= {f"weighted sum + {w} × {field}": weighted + w * vector for w in dense_weights}
        title = NO_DATES.weights[VIEWS.index("title")]
        rows[f"weighted sum, {field} in place of title"] = (
            weighted + title * (vector - cosines["title"])
        )
    within_auc, all_auc = {}, {}
    for name, matrix in rows.items():
        scores = matrix[upper]
        within_auc[name] = float(roc_auc_score(same[within], scores[within]))
        all_auc[name] = float(roc_auc_score(same, scores))
    return within_auc, all_auc


def compare(
    sets: Mapping[str, Docs],
    b3: Callable[[Docs], Callable[[dict[str, str]], float]],
    place: Callable[[Docs, int, Callable[[], StoryClusterer]], tuple[dict[str, str], float]],
    seeds: Iterable[int],
    measured: Sequence[Variant],
) -> None:
    """Print one row per variant: B3 F1 mean (min–max) per set over the seeds' orders, and the
    median CPU µs per article (placing, features included)."""
    seeds = list(seeds)
    print("| variant | " + " | ".join(sets) + " | CPU µs/article |")
    print("|---|" + "---|" * (len(sets) + 1))
    for v in measured:
        cells, cpu = [], []
        for docs in sets.values():
            f1s = []
            for seed in seeds:
                pred, seconds = place(docs, seed, v.make)
                f1s.append(b3(docs)(pred))
                cpu.append(seconds / len(docs))
            cells.append(f"{statistics.mean(f1s):.4f} ({min(f1s):.3f}–{max(f1s):.3f})")
        print(f"| {v.name} | " + " | ".join(cells) + f" | {statistics.median(cpu) * 1e6:.0f} |")
