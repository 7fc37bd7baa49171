"""Eighth quality round for stories (issue 15): what the split makes possible.

The split (``StoryClusterer._settle``/``_split``) cuts a young story that absorbed two events.
This round first measures where the B-cubed loss is now (``loss``: fragments of one event
against stories of two), then tries steps that move or merge stories with the split as their
repair, each a subclass of the product's clusterer (the split on, no dates):

- ``merge``: after a join, the story merges with one of the article's next best candidates
  when their mean cross cosine reaches ``factor`` × the higher of their bars; a merged story of
  at most ``split_max`` members is checked by the split at once (rounds 2–3 measured a merge
  step without a repair: a wrong merge was final).
- ``singletons``: the same, restricted to candidates of one member (a second chance for an
  article that started a story of its own).
- ``rehome``: after a join, the member of the joined young story that fits one of the
  article's other candidate stories best, relative to its fit to its own story without it,
  moves there when that ratio reaches ``ratio`` (an online k-means step, bounded: one move,
  only the touched story's members, only the stories the sketch returned).
- ``resketch``: a split also rebuilds the kept story's sketch postings from its own members
  (the moved members no longer point candidates at it).

The second chance and the re-home (at their best on A together, over the article's next four
candidates) and the resketch (level) are in the product now (``StoryParams.second_chance``,
``rehome_ratio``; ``StoryClusterer._split``); :data:`PRODUCT` turns the first two off, so the
variants here compare with the defaults as this round found them (with the resketch, which
changed no placement on ECB+ dev).

The measuring (halves, paired orders, the tagged-docs cache) is ``bench/stories_seventh.py``'s.

    .venv/bin/python bench/stories_eighth.py [--only loss|grids|paired ...] [--orders 10]
"""

from __future__ import annotations

import functools
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.stories_seventh import (  # noqa: E402
    Variant,
    load_average,
    paired,
    place_final,
    round_arguments,
    round_docs,
)
from tidings.core.stories import StoryClusterer, StoryParams  # noqa: E402
from tidings.core.stories.clustering import (  # noqa: E402
    Member,
    Move,
    Story,
    _similarities,
)
from tidings.core.stories.features import VIEWS, StoryFeatures  # noqa: E402
from tidings.core.stories.split import pack, similarity_to_packed, two_parts, unpack  # noqa: E402
from tidings.core.stories.vectors import dot, strongest  # noqa: E402

Docs = list[dict[str, Any]]
Vectors = Mapping[str, Mapping[str, float]]
#: the product's defaults as this round found them (the split on, the steps it added off), no
#: dates; :data:`SHIPPED` with the steps it added on
PRODUCT = StoryParams(time_share=0.0, second_chance=0.0, rehome_ratio=0.0)
SHIPPED = StoryParams(time_share=0.0)


# -- the product's clusterer, with its partition --------------------------------------------------
class TrackedClusterer(StoryClusterer):
    """The product's clusterer keeping every story's article ids (its own members are kept only
    while a story is young), so a step that moves articles is scored on the final partition;
    ``others`` holds the article's scored candidates other than the one it joined."""

    def __init__(self, params: StoryParams = PRODUCT) -> None:
        super().__init__(params)
        self.ids: dict[str, list[str]] = defaultdict(list)
        self.others: list[Story] = []
        self.counts: Counter[str] = Counter()
        self._article = ""

    def add(self, article: Mapping[str, Any], feats: StoryFeatures | None = None) -> Any:
        self._article = str(article["id"])
        return super().add(article, feats)

    def _choose(
        self, scored: list[tuple[float, Story]], vectors: Vectors
    ) -> tuple[Story | None, float]:
        best, score = super()._choose(scored, vectors)
        self.others = [st for _, st in scored if st is not best]
        return best, score

    def _apply(
        self, story: Story, vectors: Vectors, feats: StoryFeatures, lookup: list[str]
    ) -> None:
        super()._apply(story, vectors, feats, lookup)
        self.ids[story.id].append(self._article)

    def _split(self, story: Story, parts: list[int]) -> Move:
        split = super()._split(story, parts)
        moved = set(split.moved)
        self.ids[split.source] = [a for a in self.ids[split.source] if a not in moved]
        self.ids[split.target] += split.moved
        self.counts["splits"] += 1
        return split

    def partition(self) -> dict[str, str]:
        """Every article's story as it is now."""
        return {aid: sid for sid, ids in self.ids.items() for aid in ids}

    def cross(self, a: Story, b: Story) -> float:
        """The weighted mean cosine between the members of two stories (from their sums)."""
        return sum(
            w * dot(a.sums[v], b.sums[v]) for w, v in zip(self.params.weights, VIEWS, strict=True)
        ) / (a.size * b.size)

    # -- moving members: rebuilding a story from the members it keeps ---------------------------
    def members_of(self, story: Story) -> list[Member]:
        """The story's members with every one's vectors packed (a one-member story keeps its
        first member's vectors as its sums)."""
        assert story.members is not None
        return [
            m if m.vectors is not None else Member(m.article_id, pack(story.sums), m.topics,
                                                   m.seen_at)  # fmt: skip
            for m in story.members
        ]

    def rebuild(self, sid: str, members: Sequence[Member]) -> Story:
        """A story of exactly ``members`` (in order), their similarities recomputed, as if only
        they had joined; it replaces any story of that id."""
        story = Story(id=sid, members=[])
        self.stories.pop(sid, None)
        for m in members:
            vectors = unpack(m.vectors)  # type: ignore[arg-type]
            self._join(story, vectors, StoryFeatures({}, m.topics, m.seen_at))
            assert story.members is not None
            earlier = tuple(similarity_to_packed(e.vectors, vectors, self.params.weights)
                            for e in story.members)  # type: ignore[arg-type]  # fmt: skip
            story.members.append(Member(m.article_id, m.vectors, m.topics, m.seen_at, earlier))
            self.sketch.post(sid, self._lookup_terms(vectors))
        if story.size > self.params.split_max:
            story.members = None
        self._touch(story)
        return story

    def check(self, story: Story) -> Move | None:
        """The split's check on a young story (what ``_settle`` runs after a join)."""
        p = self.params
        if story.members is None or not p.split_share or story.size < p.split_min:
            return None
        parts = two_parts(_similarities(story.members), p.split_share)
        return None if parts is None else self._split(story, parts)


# -- merge, with the split as its repair ----------------------------------------------------------
class MergeClusterer(TrackedClusterer):
    """After a join, merge the article's story with the first of its next ``k`` candidates
    whose mean cross cosine reaches ``factor`` × the higher of both bars (only candidates of at
    most ``max_other`` members); the smaller story's articles move to the larger. A merged
    story of at most ``split_max`` members is checked by the split at once."""

    def __init__(self, factor: float, k: int = 2, max_other: int = 1 << 30,
                 repair: bool = True, params: StoryParams = PRODUCT) -> None:  # fmt: skip
        super().__init__(params)
        self.factor, self.k, self.max_other, self.repair = factor, k, max_other, repair

    def _settle(
        self, story: Story, article_id: str, vectors: dict[str, dict[str, float]],
        feats: StoryFeatures, neighbours: Sequence[str] = (),
    ) -> tuple[Move, ...]:  # fmt: skip
        split = super()._settle(story, article_id, vectors, feats, neighbours)
        if split or story.size < 2:  # a split already repaired this join
            return split
        here = self.stories[story.id]
        for other in self.others[: self.k]:
            if other.id not in self.stories or other.size > self.max_other:
                continue
            bar = max(self._bar(here), self._bar(other))
            if self.cross(here, other) >= self.factor * bar:
                self.merge(here, other)
                break
        return ()

    def merge(self, a: Story, b: Story) -> None:
        """The two stories become one under the larger's id (ties: ``a``'s)."""
        keep, gone = (a, b) if a.size >= b.size else (b, a)
        self.counts["merges"] += 1
        self.stories.pop(gone.id)
        self.sketch.forget(gone.id)
        self.ids[keep.id] += self.ids.pop(gone.id)
        if keep.members is not None and gone.members is not None and (
            keep.size + gone.size <= self.params.split_max
        ):
            merged = self.rebuild(keep.id, self.members_of(keep) + self.members_of(gone))
            if self.repair and self.check(merged) is not None:
                self.counts["merges split"] += 1
            return
        for view in VIEWS:  # an old story: add the sums (members no longer kept)
            sums = keep.sums[view]
            for t, w in gone.sums[view].items():
                sums[t] = sums.get(t, 0.0) + w
            if len(sums) > self.params.centroid_terms:
                keep.sums[view] = dict(strongest(sums)[: self.params.centroid_terms])
        keep.size += gone.size
        keep.topics.update(gone.topics)
        keep.members = None
        self.sketch.post(keep.id, self._lookup_terms(gone.sums))
        self._touch(keep)


# -- re-home: one member moves to a story that fits it clearly better ---------------------------
class RehomeClusterer(TrackedClusterer):
    """After a join to a young story (or a split of it), the member whose best fit among the
    article's other candidate stories is highest relative to its mean similarity to its own
    story's other members moves there, when that ratio reaches ``ratio`` and the fit reaches
    the other story's bar. One move per article at most."""

    def __init__(self, ratio: float, min_size: int = 3, moves: int = 1,
                 params: StoryParams = PRODUCT, limit: int = 1 << 30) -> None:  # fmt: skip
        super().__init__(params)
        self.ratio, self.min_size, self.moves, self.limit = ratio, min_size, moves, limit

    def _settle(
        self, story: Story, article_id: str, vectors: dict[str, dict[str, float]],
        feats: StoryFeatures, neighbours: Sequence[str] = (),
    ) -> tuple[Move, ...]:  # fmt: skip
        split = super()._settle(story, article_id, vectors, feats, neighbours)
        touched = [story.id] + [m.target for m in split]
        moves = 0
        for sid in touched:
            while moves < self.moves:
                here = self.stories.get(sid)
                if here is None or here.members is None or here.size < self.min_size:
                    break
                if not self.rehome(here):
                    break
                moves += 1
        return split

    def rehome(self, story: Story) -> bool:
        """Move the member that fits another candidate best, if clearly; True if one moved."""
        members = self.members_of(story)
        sim = _similarities(members)
        n = len(members)
        best: tuple[float, int, Story] | None = None
        for i, m in enumerate(members):
            own = (sim[i].sum()) / (n - 1)
            vectors = unpack(m.vectors)  # type: ignore[arg-type]
            for other in self.others[: self.limit]:
                if other.id == story.id or other.id not in self.stories:
                    continue
                other = self.stories[other.id]
                fit = self.score(other, vectors, None)
                if fit >= self._bar(other) and fit >= self.ratio * max(own, 1e-9):
                    gain = fit / max(own, 1e-9)
                    if best is None or gain > best[0]:
                        best = (gain, i, other)
        if best is None:
            return False
        _, i, other = best
        self.move(story, members, i, other)
        return True

    def move(self, story: Story, members: list[Member], i: int, other: Story) -> None:
        """Member ``i`` leaves ``story`` (rebuilt from the others) and joins ``other``."""
        m = members[i]
        self.counts["moves"] += 1
        self.rebuild(story.id, members[:i] + members[i + 1 :])
        self.ids[story.id].remove(m.article_id)
        self.ids[other.id].append(m.article_id)
        vectors = unpack(m.vectors)  # type: ignore[arg-type]
        if other.members is not None and other.size < self.params.split_max:
            self.rebuild(other.id, self.members_of(other) + [m])
        else:
            self._join(other, vectors, StoryFeatures({}, m.topics, m.seen_at))
            other.members = None
            self.sketch.post(other.id, self._lookup_terms(vectors))
            self._touch(other)


class RehomeSingletonsClusterer(RehomeClusterer, MergeClusterer):
    """Both: a singleton candidate's second chance (:class:`MergeClusterer` restricted to
    stories of one member), then the re-home step."""

    def __init__(self, ratio: float, factor: float, k: int = 32, moves: int = 1,
                 limit: int = 1 << 30) -> None:  # fmt: skip
        TrackedClusterer.__init__(self, PRODUCT)
        self.ratio, self.min_size, self.moves, self.limit = ratio, 3, moves, limit
        self.factor, self.k, self.max_other, self.repair = factor, k, 1, True


# -- a split also rebuilds the kept story's sketch postings ---------------------------------------
class ResketchClusterer(TrackedClusterer):
    """The kept part's sketch postings are rebuilt from its own members after a split, so the
    moved members' terms stop pointing candidates at it."""

    def _split(self, story: Story, parts: list[int]) -> Move:
        self.sketch.forget(story.id)
        return super()._split(story, parts)


# -- where the loss is ----------------------------------------------------------------------------
def loss_row(gold: Mapping[str, str], pred: Mapping[str, str], scorer: Any) -> dict[str, float]:
    """B-cubed as is, and with each kind of error repaired by the labels: mixing undone
    (every story cut by event: precision 1, recall unchanged), fragments joined (stories whose
    most common event is the same become one), singletons joined (a one-member story joins
    the largest story whose most common event is its own)."""
    clusters: dict[str, list[str]] = defaultdict(list)
    for aid, sid in pred.items():
        clusters[sid].append(aid)
    major = {sid: Counter(gold[a] for a in ids).most_common(1)[0][0]
             for sid, ids in clusters.items()}  # fmt: skip
    pure = {a: f"{sid}|{gold[a]}" for a, sid in pred.items()}
    joined = {a: major[sid] for a, sid in pred.items()}
    largest: dict[str, str] = {}
    for sid, _ in sorted(clusters.items(), key=lambda kv: -len(kv[1])):
        largest.setdefault(major[sid], sid)
    lonely = {a: (largest[gold[a]] if len(clusters[sid]) == 1 and gold[a] in largest else sid)
              for a, sid in pred.items()}  # fmt: skip

    def f1(p: Mapping[str, str]) -> float:
        return scorer.module.score(dict(gold), dict(p))[0]["b3_f1"]

    m = scorer.module.score(dict(gold), dict(pred))[0]
    mixed_items = sum(sum(1 for a in ids if gold[a] != major[sid]) for sid, ids in clusters.items())
    per_event = Counter(major.values())
    return {
        "P": m["b3_precision"], "R": m["b3_recall"], "F1": m["b3_f1"],
        "F1 unmixed": f1(pure), "F1 fragments joined": f1(joined),
        "F1 singletons joined": f1(lonely),
        "clusters": len(clusters), "singletons": sum(len(v) == 1 for v in clusters.values()),
        "fragments": sum(n - 1 for n in per_event.values()),
        "mixed stories": sum(len({gold[a] for a in ids}) > 1 for ids in clusters.values()),
        "misplaced items": mixed_items,
    }  # fmt: skip


def loss_table(docs: Docs, scorer: Any, seeds: Sequence[int]) -> None:
    """:func:`loss_row` for the product's clusterer, per order, and the mean."""
    gold = {d["id"]: str(d["story"]) for d in docs}
    rows = [loss_row(gold, place_final(docs, s, TrackedClusterer)[0], scorer) for s in seeds]
    keys = list(rows[0])
    print("| order | " + " | ".join(keys) + " |\n|---|" + "---|" * len(keys))
    for seed, r in zip(seeds, rows, strict=True):
        print(f"| {seed} | " + " | ".join(_cell(r[k]) for k in keys) + " |")
    print("| mean | " + " | ".join(_cell(statistics.mean(r[k] for r in rows)) for k in keys) + " |")


def _cell(x: float) -> str:
    return f"{x:.4f}" if isinstance(x, float) and not float(x).is_integer() else f"{x:g}"


# -- grids on A -----------------------------------------------------------------------------------
def families() -> dict[str, list[tuple[str, Callable[[], StoryClusterer]]]]:
    """Each step's settings for the grid on half A."""
    return {
        "merge": [(f"merge, next {k}, factor {f}", lambda f=f, k=k: MergeClusterer(f, k))
                  for k in (1, 2) for f in (0.8, 0.9, 1.0, 1.15, 1.3)],
        "merge without repair": [(f"merge without the split's check, factor {f}",
                                  lambda f=f: MergeClusterer(f, 2, repair=False))
                                 for f in (0.9, 1.0, 1.15)],
        "singletons": [(f"singletons, next {k}, factor {f}",
                        lambda f=f, k=k: MergeClusterer(f, k, max_other=1))
                       for k in (2, 8, 32) for f in (0.8, 0.9, 1.0)],
        "merge, split jointly": [
            (f"merge, next 2, factor {f}, split share {sh}, checked up to {mx}",
             lambda f=f, sh=sh, mx=mx: MergeClusterer(
                 f, 2, params=replace(PRODUCT, split_share=sh, split_max=mx)))
            for f in (1.0, 1.15) for sh in (0.5, 0.6) for mx in (16, 32)],
        "rehome": [(f"rehome, ratio {r}, stories of ≥ {n}, {mv} move(s)",
                    lambda r=r, n=n, mv=mv: RehomeClusterer(r, n, mv))
                   for r in (1.0, 1.1, 1.2, 1.5) for n in (3, 4) for mv in (1, 2)],
        "rehome + singletons": [(f"rehome ratio {r}, singletons factor {f}",
                                 lambda r=r, f=f: RehomeSingletonsClusterer(r, f))
                                for r in (1.0, 1.2) for f in (0.8, 0.9)]
                               + [(f"rehome ratio {r}, singletons factor {f}, 2 moves",
                                   lambda r=r, f=f: RehomeSingletonsClusterer(r, f, moves=2))
                                  for r in (1.0, 1.1) for f in (0.7, 0.8)]
                               + [(f"rehome ratio 1.0 (the {n} best others), singletons "
                                   f"factor 0.8 (the {k} best)",
                                   lambda n=n, k=k: RehomeSingletonsClusterer(1.0, 0.8, k=k,
                                                                              limit=n))
                                  for n in (2, 4, 8) for k in (4, 32)],
        "resketch": [("resketch after a split", ResketchClusterer)],
    }  # fmt: skip


def grids(
    docs: Docs, scorer: Any, seeds: Sequence[int], only: set[str] | None = None
) -> list[tuple[str, Callable[[], StoryClusterer]]]:
    """Each family's grid on ``docs`` (B3 F1, P, R, mean over ``seeds``); each family's best."""

    def measure(make: Callable[[], StoryClusterer]) -> tuple[float, float, float, Counter[str]]:
        ms, counts = [], Counter()
        for s in seeds:
            made: list[StoryClusterer] = []
            pred, _ = place_final(docs, s, functools.partial(_keep_made, made, make))
            ms.append(scorer.metrics(docs, pred))
            counts.update(getattr(made[0], "counts", {}))
        return (statistics.mean(m["b3_f1"] for m in ms),
                statistics.mean(m["b3_precision"] for m in ms),
                statistics.mean(m["b3_recall"] for m in ms), counts)  # fmt: skip

    f1, p, r, counts = measure(TrackedClusterer)
    print(f"defaults: {f1:.4f} (P {p:.3f} R {r:.3f}; {dict(counts)})", flush=True)
    best = []
    for family, settings in families().items():
        if only and family not in only:
            continue
        scored = []
        for name, make in settings:
            f1, p, r, counts = measure(make)
            print(f"  {name}: {f1:.4f} (P {p:.3f} R {r:.3f}; {dict(counts)})", flush=True)
            scored.append((f1, name, make))
        top = max(scored, key=lambda t: t[0])
        best.append((top[1], top[2]))
    return best


def chosen() -> list[Variant]:
    """The settings the grids on half A chose (orders 1–3; docs/benchmarks.md), for the paired
    runs: each step alone at its best on A, and the best of both together."""
    return [
        Variant("merge, next 2, factor 1.15, split share 0.6",
                lambda: MergeClusterer(1.15, 2, params=replace(PRODUCT,
                                                                   split_share=0.6))),
        Variant("singletons, factor 0.8", lambda: MergeClusterer(0.8, 32, max_other=1)),
        Variant("rehome, ratio 1.1, 2 moves", lambda: RehomeClusterer(1.1, 3, 2)),
        Variant("rehome ratio 1.0 + singletons factor 0.8",
                lambda: RehomeSingletonsClusterer(1.0, 0.8)),
        Variant("resketch after a split", ResketchClusterer),
        Variant("the product with both steps (second chance 0.8, rehome 1.0, 4 neighbours)",
                lambda: StoryClusterer(SHIPPED)),
    ]  # fmt: skip


def _keep_made(made: list[StoryClusterer], make: Callable[[], StoryClusterer]) -> StoryClusterer:
    made.append(make())
    return made[-1]


def main(argv: Sequence[str] | None = None) -> None:
    from bench.stories import Scorer, halves

    ap = round_arguments(__doc__)
    ap.add_argument("--only", action="append", choices=("loss", "grids", "paired"))
    ap.add_argument("--family", action="append", help="grids: only these families")
    args = ap.parse_args(argv)
    docs = round_docs(args, "stories_eighth")
    a, b = halves(docs)
    scorer = Scorer(args.data)
    only = set(args.only or ("loss", "grids", "paired"))
    print(f"{len(docs)} docs (A {len(a)}, B {len(b)}); load {load_average()}", flush=True)
    if "loss" in only:
        loss_table(a, scorer, (1, 2, 3))
        print(f"load {load_average()}", flush=True)
    if "grids" in only:
        grids(a, scorer, (1, 2, 3), set(args.family or ()) or None)
        print(f"load {load_average()}", flush=True)
    if "paired" in only:
        sets = {"A": a, "B": b, "all": docs}
        measured = [Variant("defaults (the split on)", TrackedClusterer)]
        paired(sets, scorer, measured + chosen(), range(1, args.orders + 1))
        print(f"load {load_average()}", flush=True)


if __name__ == "__main__":
    main()
