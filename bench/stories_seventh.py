"""Seventh quality round for stories (issue 15): a learned decision, contrast within the
neighbourhood for the word views, and a top-k member link, each against the defaults.

Every variant is a subclass of :class:`tidings.core.stories.StoryClusterer` that keeps its
stories' members (:class:`MemberClusterer`), so a candidate can be described by more than its
centroid. Three questions, each first asked at the decision itself (the candidates the defaults
score for each article, "right" when most of the story's members are the article's event), then
online:

- ``learned``: a small scikit-learn model over :func:`pair_features` of each (article, candidate
  story) pair replaces the hand weights, threshold and cohesion bar: the candidate with the
  highest probability joins if that reaches a threshold. Trained on the candidates of the
  defaults' own passes over one half of the topics, its threshold chosen on that half, read on
  the other (both ways: A→B and B→A).
- ``contrast``: the word views' cosine after taking out what the candidate stories share: the
  article and each story's mean vector centred on the candidates' size-weighted mean
  (``centred``), or every term weighed down by how many candidate stories hold it (``local
  IDF``), mixed into the score.
- ``top-k``: the mean of the article's k best member cosines, mixed with the centroid's.

Then two more things: ``ceilings`` (an oracle decision on the defaults' candidates: what any
decision could reach) and ``split`` (a story of two events cut in two by average-link over its
members, :class:`SplitClusterer`: the one change that lifted half B beyond the noise).

    .venv/bin/python bench/stories_seventh.py [--orders 10] [--only WHAT ...]

WHAT: decision, ceilings, grids, paired (without ``--only``: those four) or split.

Entities come from the tagger's NER (title + lead) as in ``bench/stories.py``, computed once and
cached in ``--cache`` (a pickle in /tmp; never in the repository).
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import pickle
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tidings.core.stories import StoryClusterer, StoryParams  # noqa: E402
from tidings.core.stories.clustering import Story, story_id_for  # noqa: E402
from tidings.core.stories.features import VIEWS, StoryFeatures  # noqa: E402
from tidings.core.stories.split import similarities, two_parts  # noqa: E402
from tidings.core.stories.vectors import dot as _dot  # noqa: E402

Docs = list[dict[str, Any]]
Vectors = Mapping[str, Mapping[str, float]]
NO_DATES = StoryParams(time_share=0.0, split_share=0.0)  # no dates: no time signal; the
# defaults as this round measured them (the split shipped after it, so it is off here)
TOP = 3  # member cosines kept per view: the max and the mean of the best TOP
BAND = (0.8, 1.2)  # where a learned (or oracle) decision replaces the hand one, × the bar


# -- stories that remember their members ---------------------------------------------------------
class MemberClusterer(StoryClusterer):
    """The defaults, keeping each story's members' unit vectors, numbers and (when ``gold`` is
    given, for labels only) their events; ``rows`` collects every candidate's
    :func:`pair_features` and label when ``record`` is set."""

    def __init__(
        self, params: StoryParams = NO_DATES, gold: Mapping[str, str] | None = None,
        record: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(params)
        self.members: dict[str, list[Vectors]] = {}
        self.numbers: dict[str, Counter[str]] = {}
        self.events: dict[str, Counter[str]] = {}
        self.gold, self.record = gold or {}, record
        self.rows: list[tuple[list[float], int, tuple[int, int]]] = []
        self._article: str = ""

    def add(self, article: Mapping[str, Any], feats: StoryFeatures | None = None) -> Any:
        self._article = str(article["id"])
        return super().add(article, feats)

    def _apply(
        self, story: Story, vectors: Vectors, feats: StoryFeatures, lookup: list[str]
    ) -> None:
        super()._apply(story, vectors, feats, lookup)
        self.members.setdefault(story.id, []).append(vectors)
        self.numbers.setdefault(story.id, Counter()).update(numbers_of(vectors))
        if self._article in self.gold:
            self.events.setdefault(story.id, Counter())[self.gold[self._article]] += 1

    def right(self, story: Story) -> int:
        """1 when most of the story's members are the article's event (the label)."""
        events = self.events.get(story.id)
        mine = self.gold.get(self._article)
        return int(bool(events) and mine is not None and events.most_common(1)[0][0] == mine)

    def links(self, story: Story) -> tuple[int, int]:
        """(members of the article's event, members of other events): the right and wrong
        links joining would make, what B-cubed counts."""
        events = self.events.get(story.id, Counter())
        same = events.get(self.gold.get(self._article, ""), 0)
        return same, story.size - same

    def member_cosines(self, story: Story, vectors: Vectors) -> dict[str, list[float]]:
        """Per view, the article's cosines to the story's members, best first."""
        return {
            view: sorted((_dot(vectors[view], m[view]) for m in self.members[story.id]),
                         reverse=True)
            for view in VIEWS
        }  # fmt: skip

    def _choose(
        self, scored: list[tuple[float, Story]], vectors: Vectors
    ) -> tuple[Story | None, float]:
        if self.record:
            self.keep(pair_features(self, scored, vectors), scored)
        return super()._choose(scored, vectors)

    def keep(self, rows: list[list[float]], scored: list[tuple[float, Story]]) -> None:
        """Record each candidate's features with its label and link counts."""
        self.rows += [(row, self.right(story), self.links(story))
                      for row, (_, story) in zip(rows, scored, strict=True)]  # fmt: skip


def numbers_of(vectors: Vectors) -> set[str]:
    """The article's text terms with a digit (figures, years, scores: specifics of an event)."""
    return {t for t in vectors["text"] if any(c.isdigit() for c in t)}


FEATURES = (
    [f"{view} {what}" for view in VIEWS for what in ("centroid", "max member", f"top{TOP}")]
    + ["score", "bar", "score - bar", "cohesion", "log size", "rank", "margin",
       "numbers shared", "numbers conflict", "names absent in story", "names absent in article",
       "log text terms", "headline only"]
)  # fmt: skip


def pair_features(
    clusterer: MemberClusterer, scored: list[tuple[float, Story]], vectors: Vectors
) -> list[list[float]]:
    """One row of :data:`FEATURES` per candidate (in ``scored``'s order)."""
    rows = []
    best = scored[0][0] if scored else 0.0
    second = scored[1][0] if len(scored) > 1 else 0.0
    mine = numbers_of(vectors)
    names = vectors["names"]
    text_terms = len(vectors["text"])
    for rank, (score, story) in enumerate(scored):
        row = []
        cos = clusterer.member_cosines(story, vectors)
        for view in VIEWS:
            centroid = _dot(vectors[view], story.sums[view]) / story.size
            top = cos[view][:TOP]
            row += [centroid, top[0], sum(top) / len(top)]
        bar = clusterer._bar(story)
        cohesion = clusterer._cohesion(story) if story.size > 1 else 0.0
        margin = score - (second if rank == 0 else best)
        theirs = clusterer.numbers.get(story.id, Counter())
        shared = len(mine & theirs.keys())
        conflict = float(bool(mine) and bool(theirs) and not shared)
        story_names = story.sums["names"]
        absent_here = sum(w * w for t, w in names.items() if t not in story_names)
        total_there = sum(story_names.values())
        absent_there = (
            sum(w for t, w in story_names.items() if t not in names) / total_there
            if total_there else 0.0
        )  # fmt: skip
        row += [score, bar, score - bar, cohesion, math.log(story.size), float(rank), margin,
                shared / len(mine) if mine else 0.0, conflict, absent_here, absent_there,
                math.log1p(text_terms), float(not names and text_terms < 12)]  # fmt: skip
        rows.append(row)
    return rows


# -- the learned decision ------------------------------------------------------------------------
class LearnedClusterer(MemberClusterer):
    """Join the candidate the model gives the highest probability, if it reaches ``threshold``
    (``best_only``: the model decides only whether the best candidate by the hand score joins,
    in place of the threshold and the cohesion bar; ``band``: only when that candidate's score
    is within (low, high) × its bar, the hand decision elsewhere). ``gold`` and ``record``: as
    :class:`MemberClusterer`, to collect rows from this policy's own passes."""

    def __init__(
        self, model: Any, threshold: float, best_only: bool = False,
        band: tuple[float, float] | None = None,
        gold: Mapping[str, str] | None = None, record: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(NO_DATES, gold, record)
        self.model, self.threshold, self.best_only = model, threshold, best_only or bool(band)
        self.band = band

    def _choose(
        self, scored: list[tuple[float, Story]], vectors: Vectors
    ) -> tuple[Story | None, float]:
        if not scored:
            return None, -1.0
        if self.band:
            bar = self._bar(scored[0][1])
            if scored[0][0] < self.band[0] * bar:
                return None, -1.0
            if scored[0][0] >= self.band[1] * bar:
                return scored[0][1], scored[0][0]
        rows = pair_features(self, scored, vectors)
        if self.record:
            self.keep(rows, scored)
        if self.best_only:
            rows = rows[:1]
        p = self.model.predict_proba(np.array(rows))[:, 1]
        i = int(np.argmax(p))
        return (scored[i][1], float(p[i])) if p[i] >= self.threshold else (None, -1.0)


def models() -> dict[str, Callable[[], Any]]:
    """The two small learners tried: a scaled logistic regression and shallow boosted trees."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {
        "logistic regression": lambda: make_pipeline(
            StandardScaler(), LogisticRegression(C=1.0, max_iter=2000)
        ),
        "gradient boosting": lambda: HistGradientBoostingClassifier(
            max_iter=150, max_depth=3, learning_rate=0.05, random_state=0
        ),
    }


def candidate_rows(docs: Docs, seeds: Sequence[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every candidate of the defaults' passes over ``docs`` in the seeds' orders: features,
    labels (:meth:`MemberClusterer.right`) and link counts (:meth:`MemberClusterer.links`)."""

    gold = {d["id"]: str(d["story"]) for d in docs}
    rows: list[tuple[list[float], int, tuple[int, int]]] = []
    for seed in seeds:
        rows += one_pass(docs, seed, lambda: MemberClusterer(NO_DATES, gold, record=True)).rows
    return (np.array([r for r, _, _ in rows]), np.array([y for _, y, _ in rows]),
            np.array([n for _, _, n in rows]))  # fmt: skip


def one_pass(docs: Docs, seed: int, make: Callable[[], MemberClusterer]) -> Any:
    """The clusterer after one seeded pass over ``docs`` (to read what it recorded)."""
    from bench.stories import place

    made: list[MemberClusterer] = []
    place(docs, seed, lambda: made.append(make()) or made[-1])
    return made[0]


def link_weighted(x: np.ndarray, links: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each candidate twice: as a good join weighted by the right links it would make, as a bad
    one by the wrong links, so the model's probability weighs what B-cubed counts."""
    same, other = links[:, 0].astype(float), links[:, 1].astype(float)
    keep = np.concatenate([same > 0, other > 0])
    xs = np.vstack([x, x])[keep]
    ys = np.concatenate([np.ones(len(x)), np.zeros(len(x))])[keep]
    return xs, ys, np.concatenate([same, other])[keep]


class OracleClusterer(MemberClusterer):
    """A ceiling, not a method (it reads the labels): ``best``: the best candidate by the hand
    score joins exactly when most of its members are the article's event; ``any``: the best
    such candidate among all the scored ones joins, if there is one; ``band``: the hand decision,
    but the oracle's within (low, high) × the bar."""

    def __init__(
        self, gold: Mapping[str, str], mode: str, band: tuple[float, float] = (0.0, 1e9)
    ) -> None:
        super().__init__(NO_DATES, gold)
        self.mode, self.band = mode, band

    def _choose(
        self, scored: list[tuple[float, Story]], vectors: Vectors
    ) -> tuple[Story | None, float]:
        if not scored:
            return None, -1.0
        best, story = scored[0]
        bar = self._bar(story)
        if best < self.band[0] * bar or best >= self.band[1] * bar:
            return super()._choose(scored, vectors)
        pool = scored if self.mode == "any" else scored[:1]
        return next(((st, sc) for sc, st in pool if self.right(st)), (None, -1.0))


def ceilings(sets: Mapping[str, Docs], scorer: Any, seeds: Sequence[int]) -> None:
    """B3 F1 with an oracle decision on the defaults' candidates (:class:`OracleClusterer`):
    what any decision over these candidates could reach at best."""
    gold = {d["id"]: str(d["story"]) for docs in sets.values() for d in docs}
    paired(sets, scorer, [
        Variant("defaults", lambda: StoryClusterer(NO_DATES)),
        Variant("oracle decision near the bar (0.8–1.2 ×), hand elsewhere",
                lambda: OracleClusterer(gold, "best", BAND)),
        Variant("oracle join-or-not for the best candidate", lambda: OracleClusterer(gold, "best")),
        Variant("oracle choice among all candidates", lambda: OracleClusterer(gold, "any")),
    ], seeds)  # fmt: skip


# -- contrast within the neighbourhood, and the top-k member link -------------------------------
class ContrastClusterer(MemberClusterer):
    """The score mixes the defaults' with a contrast of the word views (``title``, ``text``):
    ``centred``: the cosine between the article and the story's mean vector, both minus the
    candidates' size-weighted mean; ``others``: minus the mean of the other candidates only; ``local``: both weighed by a local IDF over the candidate
    stories (a term held by every candidate weighs least). ``share`` of the word views' weight
    moves to the contrast; ``threshold`` is the join floor (the cohesion bar stays)."""  # noqa: E501

    def __init__(self, mode: str, share: float, threshold: float) -> None:
        super().__init__(StoryParams(time_share=0.0, threshold=threshold))
        self.mode, self.share = mode, share
        self._context: dict[str, Any] = {}
        self._mass = 0
        self._fixed: dict[str, tuple[float, float, float]] = {}

    def _scored(
        self, vectors: Vectors, lookup: list[str], feats: StoryFeatures
    ) -> list[tuple[float, Story]]:
        found = self.sketch.candidates(lookup, self.params.candidates)
        stories = [self.stories[sid] for sid in found if sid in self.stories]
        mode = "centred" if self.mode == "others" else self.mode
        self._context = {view: neighbourhood(stories, view, mode) for view in WORD_VIEWS}
        self._mass = sum(st.size for st in stories)
        self._fixed = {  # (a·m, m·m, a·a) per view: the centred cosine's article-side terms
            view: (_dot(vectors[view], m), _dot(m, m), _dot(vectors[view], vectors[view]))
            for view, m in self._context.items()
        }
        return super()._scored(vectors, lookup, feats)

    def score(self, story: Story, vectors: Vectors, seen_at: float | None) -> float:
        base = super().score(story, vectors, seen_at)
        if not self.share:
            return base
        weights = dict(zip(VIEWS, self.params.weights, strict=True))
        contrast = sum(
            weights[view] * self.contrast(vectors[view], story, view) for view in WORD_VIEWS
        )
        plain = sum(
            weights[view] * _dot(vectors[view], story.sums[view]) / story.size
            for view in WORD_VIEWS
        )
        return base + self.share * (contrast - plain)

    def contrast(self, vec: Mapping[str, float], story: Story, view: str) -> float:
        mean = {t: w / story.size for t, w in story.sums[view].items()}
        context = self._context[view]
        if self.mode == "others":  # the mean of the other candidates (none: no centring)
            rest = self._mass - story.size
            if not rest:
                return cosine(vec, mean)
            sums = story.sums[view]
            context = {t: (w * self._mass - sums.get(t, 0.0)) / rest for t, w in context.items()}
        if self.mode == "centred":  # cos(a - m, c - m), expanded: no centred copy is built
            am, mm, aa = self._fixed[view]
            ac, cm, cc = _dot(vec, mean), _dot(mean, context), _dot(mean, mean)
            norms = (aa - 2 * am + mm) * (cc - 2 * cm + mm)
            return (ac - am - cm + mm) / math.sqrt(norms) if norms > 1e-18 else 0.0
        if self.mode == "others":
            return cosine(subtract(vec, context), subtract(mean, context))
        return cosine(reweigh(vec, context), reweigh(mean, context))


WORD_VIEWS = ("title", "text")


def neighbourhood(stories: Sequence[Story], view: str, mode: str) -> dict[str, float]:
    """``centred``: the candidates' size-weighted mean vector; ``local``: each term's local IDF
    over the candidate stories (log((1 + n) / (1 + holders)) + 1)."""
    if not stories:
        return {}
    if mode == "centred":
        total: Counter[str] = Counter()
        for st in stories:
            total.update(st.sums[view])
        size = sum(st.size for st in stories)
        return {t: w / size for t, w in total.items()}
    holders = Counter(t for st in stories for t in st.sums[view])
    n = len(stories)
    return {t: math.log((1 + n) / (1 + h)) + 1.0 for t, h in holders.items()}


def subtract(vec: Mapping[str, float], mean: Mapping[str, float]) -> dict[str, float]:
    out = dict(vec)
    for t, w in mean.items():
        out[t] = out.get(t, 0.0) - w
    return out


def reweigh(vec: Mapping[str, float], idf: Mapping[str, float]) -> dict[str, float]:
    top = math.log(2 * (1 + len(idf))) + 1.0  # a term no candidate holds: the highest weight
    return {t: w * idf.get(t, top) for t, w in vec.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    na, nb = math.sqrt(sum(w * w for w in a.values())), math.sqrt(sum(w * w for w in b.values()))
    return _dot(a, b) / (na * nb) if na and nb else 0.0


class TopKClusterer(MemberClusterer):
    """The score is (1 − ``mix``) × the defaults' (mean cosine to all members) + ``mix`` × the
    weighted mean of the article's ``k`` best member cosines per view."""

    def __init__(self, k: int, mix: float, threshold: float) -> None:
        super().__init__(StoryParams(time_share=0.0, threshold=threshold))
        self.k, self.mix = k, mix

    def score(self, story: Story, vectors: Vectors, seen_at: float | None) -> float:
        base = super().score(story, vectors, seen_at)
        if not self.mix:
            return base
        cos = self.member_cosines(story, vectors)
        top = sum(
            w * statistics.mean(cos[view][: self.k])
            for w, view in zip(self.params.weights, VIEWS, strict=True)
        )
        return (1 - self.mix) * base + self.mix * top


# -- splitting a story that holds two events ------------------------------------------------------
class SplitClusterer(MemberClusterer):
    """After each join, a story of at least ``min_size`` members is cut in two by average-link
    over its members' weighted cosines (the defaults' weights) when the two parts' mean cross
    cosine is under ``rho`` × their mean cosine within: two events that one story absorbed
    come apart, each rebuilt from its own members. The part holding the story's first member
    keeps its id; the other is named after its own first member, as a story is. Placements of
    earlier articles change, so the score reads :meth:`partition`, not the assignments.
    ``grow`` > 1 checks a story only when it has grown by that factor since its last check, and
    no story past ``max_size`` is checked (bounded costs: a check is quadratic in the story's
    size, and only young stories need their members kept)."""

    def __init__(
        self, rho: float, min_size: int = 4, grow: float = 1.0, params: StoryParams = NO_DATES,
        max_size: int = 1 << 30,
    ) -> None:  # fmt: skip
        super().__init__(params)
        self.rho, self.min_size, self.grow, self.splits = rho, min_size, grow, 0
        self.max_size = max_size
        self.due: dict[str, int] = {}  # a story's size at its next check (``grow`` > 1)
        self.ids: dict[str, list[str]] = {}
        self.inputs: dict[str, list[tuple[StoryFeatures, list[str]]]] = {}

    def _apply(
        self, story: Story, vectors: Vectors, feats: StoryFeatures, lookup: list[str]
    ) -> None:
        super()._apply(story, vectors, feats, lookup)
        self.ids.setdefault(story.id, []).append(self._article)
        self.inputs.setdefault(story.id, []).append((feats, lookup))
        due = max(self.min_size, self.due.get(story.id, 0))
        if self.rho and due <= story.size <= self.max_size:
            self.due[story.id] = math.ceil(story.size * self.grow)
            parts = two_parts(similarities(self.members[story.id], self.params.weights), self.rho)
            if parts is not None:
                self.split(story, parts)

    def split(self, story: Story, parts: Sequence[int]) -> None:
        """Rebuild the story from the members of part 1 and a new one from those of part 2."""
        members, ids = self.members.pop(story.id), self.ids.pop(story.id)
        inputs = self.inputs.pop(story.id)
        self.numbers.pop(story.id, None)
        self.stories.pop(story.id, None)
        for part in (parts[0], 3 - parts[0]):  # the first member's part first: it keeps the id
            picked = [i for i, p in enumerate(parts) if p == part]
            sid = story.id if part == parts[0] else story_id_for(ids[picked[0]])
            rebuilt = Story(id=sid)
            for i in picked:
                feats, lookup = inputs[i]
                self._join(rebuilt, members[i], feats)
                self.sketch.post(sid, lookup)
                self.members.setdefault(sid, []).append(members[i])
                self.ids.setdefault(sid, []).append(ids[i])
                self.inputs.setdefault(sid, []).append(inputs[i])
            self._touch(rebuilt)
        self.splits += 1

    def partition(self) -> dict[str, str]:
        """Every article's story as it is now (after the splits)."""
        return {aid: sid for sid, ids in self.ids.items() for aid in ids}


def place_final(
    docs: Docs, seed: int, make: Callable[[], StoryClusterer]
) -> tuple[dict[str, str], float]:
    """``bench.stories.place``, scored on the final partition when the clusterer has one (a
    split moves earlier articles)."""
    from bench.stories import place

    made: list[StoryClusterer] = []
    pred, seconds = place(docs, seed, lambda: made.append(make()) or made[-1])
    final = getattr(made[0], "partition", None)
    return (final() if final else pred), seconds


def split_grid(docs: Docs, scorer: Any) -> tuple[str, Callable[[], StoryClusterer]]:
    """``rho`` × ``min_size`` on ``docs`` (orders 1–3); returns the best setting."""
    scored = []
    for size in (4, 6):
        for rho in (0.4, 0.5, 0.6, 0.7):
            make = functools.partial(SplitClusterer, rho, size)
            f1 = statistics.mean(scorer.b3(docs)(place_final(docs, s, make)[0]) for s in (1, 2, 3))
            scored.append((f1, f"split, rho {rho}, stories of ≥ {size}", make))
    print("split: " + "; ".join(f"{name} {f1:.4f}" for f1, name, _ in scored), flush=True)
    best = max(scored, key=lambda t: t[0])
    return best[1], best[2]


# -- measuring -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    name: str
    make: Callable[[], StoryClusterer]


def load(cache: Path, data: Path) -> Docs:
    """The docs with the tagger's entities (title + lead), cached between runs."""
    from bench.stories import add_entities, load_docs

    if cache.is_file():
        return pickle.loads(cache.read_bytes())
    docs = load_docs(data)
    add_entities(docs)
    cache.write_bytes(pickle.dumps(docs))
    return docs


def paired(
    sets: Mapping[str, Docs], scorer: Any, measured: Sequence[Variant], seeds: Sequence[int]
) -> None:
    """Each variant against the first (the defaults) on the same orders: per set, the mean
    B3 F1 (min–max), P and R, and the mean per-order difference (sd), better/worse orders."""
    base: dict[str, list[float]] = {}
    print("| variant | " + " | ".join(f"{n}: F1 (min–max), P/R, diff (sd), better/worse"
                                      for n in sets) + " | CPU µs/article |")  # fmt: skip
    print("|---|" + "---|" * (len(sets) + 1))
    for v in measured:
        cells, cpu = [], []
        for name, docs in sets.items():
            ms = []
            for seed in seeds:
                pred, seconds = place_final(docs, seed, v.make)
                ms.append(scorer.metrics(docs, pred))
                cpu.append(seconds / len(docs))
            f1 = [m["b3_f1"] for m in ms]
            p = statistics.mean(m["b3_precision"] for m in ms)
            r = statistics.mean(m["b3_recall"] for m in ms)
            cell = f"{statistics.mean(f1):.4f} ({min(f1):.3f}–{max(f1):.3f}), {p:.3f}/{r:.3f}"
            if name in base:
                d = [x - y for x, y in zip(f1, base[name], strict=True)]
                better, worse = sum(x > 1e-9 for x in d), sum(x < -1e-9 for x in d)
                cell += f", {statistics.mean(d):+.4f} ({statistics.pstdev(d):.3f})"
                cell += f", {better}/{worse}"
            else:
                base[name] = f1
            cells.append(cell)
        print(f"| {v.name} | " + " | ".join(cells) + f" | {statistics.median(cpu) * 1e6:.0f} |",
              flush=True)  # fmt: skip


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def decision_table(halves_: Mapping[str, Docs]) -> dict[str, Any]:
    """ROC AUC, at the decision, of each signal for "the candidate is the article's event":
    every candidate the defaults scored (orders 11–13 of each half), and the best candidate
    alone when its score is within 0.5–1.5 × its bar (where the decision is made); the learned
    models trained on the other half's candidates (orders 11–20). Returns the models."""
    from sklearn.metrics import roc_auc_score

    probes = {name: probe_rows(docs, (11, 12, 13)) for name, docs in halves_.items()}
    train = {name: candidate_rows(docs, list(range(11, 21))) for name, docs in halves_.items()}
    fitted = {name: fit_models(*train[name]) for name in halves_}
    names = list(halves_)
    print("| signal | " + " | ".join(f"{n}: all candidates | {n}: best, near its bar"
                                      for n in names) + " |")  # fmt: skip
    print("|---|" + "---|" * (2 * len(names)))
    signals = [key for key in next(iter(probes.values()))[0][0] if key != "near"]
    for key in signals + [f"{m} (trained on the other half)" for m in models()]:
        cells = []
        for name in names:
            extra, x, y = probes[name]
            other = next(n for n in names if n != name)
            if key in extra[0]:
                values = np.array([e[key] for e in extra])
            else:
                values = fitted[other][key.split(" (")[0]].predict_proba(x)[:, 1]
            near = np.array([e["near"] for e in extra])
            cells += [f"{roc_auc_score(y, values):.3f}",
                      f"{roc_auc_score(y[near], values[near]):.3f} ({near.sum()})"]  # fmt: skip
        print(f"| {key} | " + " | ".join(cells) + " |")
    return fitted


def probe_rows(
    docs: Docs, seeds: Sequence[int]
) -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray]:
    """The defaults' candidates with each new signal's score: (signals, features, labels)."""
    gold = {d["id"]: str(d["story"]) for d in docs}
    extra: list[dict[str, Any]] = []
    rows: list[list[float]] = []
    labels: list[int] = []
    for seed in seeds:
        probe = one_pass(docs, seed, lambda: Probe(gold))
        extra += probe.extra
        rows += [r for r, _, _ in probe.rows]
        labels += [y for _, y, _ in probe.rows]
    return extra, np.array(rows), np.array(labels)


class Probe(MemberClusterer):
    """The defaults, recording for every candidate the new signals' scores beside its features:
    the defaults' score and score / bar, the word views' share of it replaced by the centred or
    the local-IDF cosine, and the weighted mean of the k best member cosines."""

    def __init__(self, gold: Mapping[str, str]) -> None:
        super().__init__(NO_DATES, gold, record=True)
        self.extra: list[dict[str, Any]] = []
        self.contrasts = {mode: ContrastClusterer(mode, 1.0, NO_DATES.threshold)
                          for mode in ("centred", "local")}  # fmt: skip

    def _choose(
        self, scored: list[tuple[float, Story]], vectors: Vectors
    ) -> tuple[Story | None, float]:
        weights = dict(zip(VIEWS, self.params.weights, strict=True))
        stories = [st for _, st in scored]
        for mode, c in self.contrasts.items():  # borrowed for their contrast() alone
            c._context = {view: neighbourhood(stories, view, mode) for view in WORD_VIEWS}
            c._fixed = {view: (_dot(vectors[view], m), _dot(m, m),
                               _dot(vectors[view], vectors[view]))
                        for view, m in c._context.items()}  # fmt: skip
        for score, st in scored:
            plain = sum(weights[v] * _dot(vectors[v], st.sums[v]) / st.size for v in WORD_VIEWS)
            row = {"defaults' score": score, "score / bar": score / self._bar(st)}
            for mode, c in self.contrasts.items():
                words_ = sum(weights[v] * c.contrast(vectors[v], st, v) for v in WORD_VIEWS)
                row[f"{mode}: word views' share replaced"] = score - plain + words_
            cos = self.member_cosines(st, vectors)
            for k in (1, 2, 3):
                row[f"mean of the {k} best member cosines"] = sum(
                    weights[v] * statistics.mean(cos[v][:k]) for v in VIEWS
                )
            bar = self._bar(st)
            row["near"] = st is scored[0][1] and 0.5 * bar <= score <= 1.5 * bar
            self.extra.append(row)
        return super()._choose(scored, vectors)


def fit_models(x: np.ndarray, y: np.ndarray, _links: np.ndarray) -> dict[str, Any]:
    """Each learner fitted on all of a half's candidates."""
    return {name: make().fit(x, y) for name, make in models().items()}


def fit_band(x: np.ndarray, y: np.ndarray, band: tuple[float, float]) -> Any:
    """Boosted trees on the best candidates whose score is within ``band`` × their bar."""
    rank, score, bar = (FEATURES.index(k) for k in ("rank", "score", "bar"))
    near = (x[:, rank] == 0) & (x[:, score] >= band[0] * x[:, bar])
    near &= x[:, score] < band[1] * x[:, bar]
    return models()["gradient boosting"]().fit(x[near], y[near])


def grids(docs: Docs, scorer: Any) -> list[tuple[str, Callable[[], StoryClusterer]]]:
    """Each family's grid on ``docs`` (orders 1–3, B3 F1 mean); returns each family's best."""
    from bench.stories import place

    def f1(make: Callable[[], StoryClusterer]) -> float:
        return statistics.mean(scorer.b3(docs)(place(docs, s, make)[0]) for s in (1, 2, 3))

    families = {
        "centred": [(f"centred, share {sh}, threshold {t}",
                     lambda sh=sh, t=t: ContrastClusterer("centred", sh, t))
                    for sh in (0.25, 0.5, 0.75) for t in (0.15, 0.165, 0.18, 0.195)],
        "others": [(f"centred on the other candidates, share {sh}, threshold {t}",
                    lambda sh=sh, t=t: ContrastClusterer("others", sh, t))
                   for sh in (0.25, 0.5) for t in (0.15, 0.165, 0.18)],
        "local": [(f"local IDF, share {sh}, threshold {t}",
                   lambda sh=sh, t=t: ContrastClusterer("local", sh, t))
                  for sh in (0.5, 1.0) for t in (0.15, 0.18, 0.21)],
        "top-k": [(f"top-{k} members, mix {mix}, threshold {t}",
                   lambda k=k, mix=mix, t=t: TopKClusterer(k, mix, t))
                  for k in (1, 2, 3) for mix in (0.3, 0.6) for t in (0.18, 0.22)],
    }  # fmt: skip
    print(f"defaults: {f1(lambda: StoryClusterer(NO_DATES)):.4f}")
    best = []
    for family, settings in families.items():
        scored = [(f1(make), name, make) for name, make in settings]
        print(f"{family}: " + "; ".join(f"{name} {s:.4f}"
                                        for s, name, _ in scored), flush=True)  # fmt: skip
        top = max(scored, key=lambda t: t[0])
        best.append((top[1], top[2]))
    return best


def learned(train: Docs, scorer: Any, name: str) -> list[tuple[str, Callable[[], StoryClusterer]]]:
    """The learned decisions trained on ``train`` (candidates of orders 11–20), each threshold
    chosen there (orders 1–3): all candidates by logistic regression, and boosted trees deciding
    only near the bar."""
    from bench.stories import place

    def f1(make: Callable[[], StoryClusterer]) -> float:
        return statistics.mean(scorer.b3(train)(place(train, s, make)[0]) for s in (1, 2, 3))

    x, y, links = candidate_rows(train, list(range(11, 21)))
    lr = models()["logistic regression"]().fit(x, y)
    xs, ys, ws = link_weighted(x, links)
    lr_links = models()["logistic regression"]().fit(xs, ys, logisticregression__sample_weight=ws)
    trees = fit_band(x, y, BAND)
    tried = {
        "lr": [(f1(lambda t=t: LearnedClusterer(lr, t)), t) for t in (0.3, 0.4, 0.5, 0.6)],
        "lr, link-weighted": [(f1(lambda t=t: LearnedClusterer(lr_links, t)), t)
                              for t in (0.4, 0.5, 0.6)],
        "trees": [(f1(lambda t=t: LearnedClusterer(trees, t, band=BAND)), t)
                  for t in (0.5, 0.6, 0.7)],
    }  # fmt: skip
    for family, scores in tried.items():
        print(f"learned on {name}, {family}: " + "; ".join(f"p >= {t} {s:.4f}" for s, t in scores))
    t_lr, _, t_trees = (max(scores)[1] for scores in tried.values())
    return [
        (f"logistic regression trained on {name}, all candidates, p >= {t_lr}",
         lambda: LearnedClusterer(lr, t_lr)),
        (f"boosted trees trained on {name}, best candidate within {BAND[0]}–{BAND[1]} × bar, "
         f"p >= {t_trees}", lambda: LearnedClusterer(trees, t_trees, band=BAND)),
    ]  # fmt: skip


def round_arguments(doc: str) -> argparse.ArgumentParser:
    """The options every quality round's harness takes: the labelled data, the tagged-docs
    cache and the number of paired orders."""
    from bench.shared_data import data_root

    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--data", type=Path,
                    default=data_root() / "stories-dev" / "ecbplus-dev.jsonl")  # fmt: skip
    ap.add_argument("--cache", type=Path, default=Path("/tmp/tidings-ecbplus-tagged.pkl"))
    ap.add_argument("--orders", type=int, default=10, help="paired orders (1..N)")
    return ap


def round_docs(args: argparse.Namespace, prog: str) -> Docs:
    """The tagged docs of ``args.data`` (one line on stderr and exit 2 when it is missing)."""
    if not args.data.is_file():
        print(f"{prog}: {args.data}: no such file", file=sys.stderr)
        raise SystemExit(2)
    return load(args.cache, args.data)


def main(argv: Sequence[str] | None = None) -> None:
    from bench.stories import Scorer, halves

    ap = round_arguments(__doc__)
    ap.add_argument("--only", action="append",
                    choices=("decision", "grids", "paired", "ceilings", "split"))  # fmt: skip
    args = ap.parse_args(argv)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # one thread: the trees' OpenMP start-up per call was most of their cost
    docs = round_docs(args, "stories_seventh")
    a, b = halves(docs)
    scorer = Scorer(args.data)
    only = set(args.only or ("decision", "ceilings", "grids", "paired"))
    seeds = range(1, args.orders + 1)
    print(f"{len(docs)} docs (A {len(a)}, B {len(b)}); load {load_average()}", flush=True)
    if "decision" in only:
        decision_table({"A": a, "B": b})
        print(f"load {load_average()}", flush=True)
    if "ceilings" in only:
        ceilings({"A": a, "B": b, "all": docs}, scorer, seeds)
        print(f"load {load_average()}", flush=True)
    if "split" in only:  # the eighth family, added after the round's first run
        name, make = split_grid(a, scorer)
        sets = {"A": a, "B": b, "all": docs}
        paired(sets, scorer, [Variant("defaults", lambda: StoryClusterer(NO_DATES)),
                              Variant(name, make)], seeds)  # fmt: skip
        print(f"load {load_average()}", flush=True)
    if "grids" not in only and "paired" not in only:
        return
    chosen = [("defaults", lambda: StoryClusterer(NO_DATES))] + grids(a, scorer)
    print(f"load {load_average()}", flush=True)
    if "paired" not in only:
        return
    sets = {"A": a, "B": b, "all": docs}
    paired(sets, scorer, [Variant(n, m) for n, m in chosen], seeds)
    for train, other in (("A", "B"), ("B", "A")):
        made = learned(sets[train], scorer, train)
        pair = {train: sets[train], other: sets[other]}
        paired(pair, scorer, [Variant(*chosen[0])] + [Variant(n, m) for n, m in made], seeds)
    print(f"load {load_average()}", flush=True)


if __name__ == "__main__":
    main()
