"""Tenth quality round for stories (issue 15): where the loss is now, what an article's
features could hold, and the steps' conditions.

- ``loss``: the eighth round's oracle table (:func:`bench.stories_eighth.loss_row`) for the
  product as it is (split, second chance, re-home), and what the one-article stories look like.
- ``aucs``: pair ROC AUC of candidate feature views on half A (same event against the other
  event of the same topic): which signal tells two events of one kind apart.
- ``grid``: feature and step variants on half A, orders 1–3.
- ``paired``: the chosen variants against the defaults over orders 1–N on A, B and all (B is
  never used to choose).

Each feature variant is a function of the article record (:data:`FEATURES`) used in place of
``features_of``; each step variant a subclass of the product's clusterer. The measuring
(halves, the tagged-docs cache, the paired table) is ``bench/stories_seventh.py``'s. No dates
in the data, so no time signal (``time_share`` 0, as in every round).

    .venv/bin/python bench/stories_tenth.py --only loss|aucs|grid|paired [--orders 10]
"""

from __future__ import annotations

import copy
import functools
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.stories_eighth import loss_row  # noqa: E402
from bench.stories_seventh import (  # noqa: E402
    Variant,
    load_average,
    paired,
    place_final,
    round_arguments,
    round_docs,
)
from tidings.core.stories import StoryClusterer, StoryParams  # noqa: E402
from tidings.core.stories import features as feat  # noqa: E402
from tidings.core.stories.clustering import _similarities  # noqa: E402
from tidings.core.stories.features import StoryFeatures, features_of  # noqa: E402
from tidings.core.stories.split import similarities, two_parts, unpack  # noqa: E402

Docs = list[dict[str, Any]]
Pred = dict[str, str]
Featurer = Callable[[Mapping[str, Any]], StoryFeatures]
#: the product's defaults, no dates (the data has none)
DEFAULTS = StoryParams(time_share=0.0)


@dataclass(frozen=True)
class Setup:
    """One variant: how an article's features are read and which clusterer places it."""

    name: str
    make: Callable[[], StoryClusterer]
    featurer: Featurer = features_of


def featured(setup: Setup) -> StoryClusterer:
    """The setup's clusterer reading each article with the setup's features (the features a
    harness passes in are ignored, so its CPU figure counts both: time the product's bench for
    cost)."""
    clusterer = setup.make()
    if setup.featurer is not features_of:
        add = clusterer.add
        clusterer.add = lambda article, feats=None: add(article, setup.featurer(article))  # type: ignore[method-assign]
    return clusterer


def run(docs: Docs, seed: int, setup: Setup) -> Pred:
    """The final partition of one pass (moves applied)."""
    return place_final(docs, seed, lambda: featured(setup))[0]


# -- where the loss is ---------------------------------------------------------------------------
def pass_of(docs: Docs, seed: int, params: StoryParams = DEFAULTS) -> tuple[StoryClusterer, Pred]:
    """One pass of the product: its clusterer at the end and the final partition."""
    made: list[StoryClusterer] = []
    pred, _ = place_final(docs, seed, lambda: made.append(StoryClusterer(params)) or made[-1])
    return made[0], pred


def loss(docs: Docs, scorer: Any, seeds: Sequence[int]) -> None:
    """The oracle table for the product (:func:`bench.stories_eighth.loss_row`); then, per
    pass, the mixed stories (:func:`mixed_stories`) and the one-article stories
    (:func:`lonely_stories`)."""
    gold = {d["id"]: str(d["story"]) for d in docs}
    rows = [loss_row(gold, pass_of(docs, seed)[1], scorer) for seed in seeds]
    keys = list(rows[0])
    print("| order | " + " | ".join(keys) + " |\n|---|" + "---|" * len(keys))
    for seed, r in zip(seeds, rows, strict=True):
        print(f"| {seed} | " + " | ".join(_cell(r[k]) for k in keys) + " |")
    print("| mean | " + " | ".join(_cell(statistics.mean(r[k] for r in rows)) for k in keys) + " |")
    print("\nmixed stories (split_max 64, so every story keeps its members):")
    print("| order | events (articles) | cross/within, gold parts | cross/within, average-link's "
          "parts | average-link's parts are the events |\n|---|---|---|---|---|")  # fmt: skip
    for seed in seeds:
        clusterer, _ = pass_of(docs, seed, replace(DEFAULTS, split_max=64))
        for row in mixed_stories(clusterer, gold):
            print(f"| {seed} | " + " | ".join(row) + " |")
    print("\none-article stories: the story of most of their event's articles at the end")
    print("| order | event | body words | cross cosine / that story's bar | that story's rank "
          "among all | its members |\n|---|---|---|---|---|---|")  # fmt: skip
    by_id = {d["id"]: d for d in docs}
    for seed in seeds:
        clusterer, pred = pass_of(docs, seed)
        for row in lonely_stories(clusterer, pred, gold, by_id):
            print(f"| {seed} | " + " | ".join(row) + " |", flush=True)


def mixed_stories(clusterer: StoryClusterer, gold: Mapping[str, str]) -> list[list[str]]:
    """Each story of two events or more that keeps its members: its events' sizes, the ratio
    of the mean cross similarity to the mean within (the split's test, which cuts under 0.5)
    for the gold parts (largest event against the rest) and for average-link's two parts, and
    whether average-link's parts are the events."""
    import numpy as np

    rows = []
    for story in clusterer.stories.values():
        if not story.members or len(story.members) < 4:
            continue
        events = np.array([gold[m.article_id] for m in story.members])
        sizes = Counter(events.tolist())
        if len(sizes) < 2:
            continue
        sim = _similarities(story.members)
        largest = events == sizes.most_common(1)[0][0]
        parts = two_parts(sim, 1e9)  # any cut of two parts of 2 or more: the share is not tested
        told = ", ".join(f"{e} ({n})" for e, n in sizes.most_common())
        if parts is None:
            rows.append([told, f"{_ratio(sim, largest):.2f}", "—", "no cut of two parts ≥ 2"])
            continue
        cut = np.array([p == 1 for p in parts])
        pure = all(len(set(events[side].tolist())) == 1 for side in (cut, ~cut))
        sizes_cut = f"{int(cut.sum())} / {int((~cut).sum())}"
        rows.append([told, f"{_ratio(sim, largest):.2f}", f"{_ratio(sim, cut):.2f}",
                     "yes" if pure else f"no ({sizes_cut})"])  # fmt: skip
    return rows


def _ratio(sim: Any, one: Any) -> float:
    """Mean cross similarity of the parts ``one`` / not ``one`` over the mean of their mean
    similarities within (a part of one member has none)."""
    import numpy as np

    within = [sim[np.ix_(g, g)][np.triu_indices(int(g.sum()), 1)].mean()
              for g in (one, ~one) if g.sum() >= 2]  # fmt: skip
    return float(sim[np.ix_(one, ~one)].mean() / np.mean(within))


def lonely_stories(
    clusterer: StoryClusterer, pred: Pred, gold: Mapping[str, str], by_id: Mapping[str, Any]
) -> list[list[str]]:
    """Each one-article story at the end of a pass against the story holding most of its
    event's articles: how close it is (cross cosine over that story's bar) and where that story
    ranks among all stories by cross cosine (0: the closest)."""
    members: dict[str, list[str]] = defaultdict(list)
    for aid, sid in pred.items():
        members[sid].append(aid)
    home: dict[str, tuple[int, str]] = {}
    for sid, ids in members.items():
        event, n = Counter(gold[a] for a in ids).most_common(1)[0]
        home[event] = max(home.get(event, (0, "")), (n, sid))
    rows = []
    for sid, ids in members.items():
        own = home.get(gold[ids[0]], (0, sid))[1]  # none: its event is the minor one elsewhere
        if len(ids) > 1 or own == sid or sid not in clusterer.stories:
            continue
        alone, target = clusterer.stories[sid], clusterer.stories[own]
        ranked = sorted(clusterer.stories.values(), key=lambda st: -clusterer._cross(alone, st))
        d = by_id[ids[0]]
        rows.append([gold[ids[0]], str(len((d.get("body") or d.get("text") or "").split())),
                     f"{clusterer._cross(alone, target) / clusterer._bar(target):.2f}",
                     str([st.id for st in ranked if st.id != sid].index(own)),
                     str(target.size)])  # fmt: skip
    return rows


def _cell(x: float) -> str:
    return f"{x:.4f}" if isinstance(x, float) and not float(x).is_integer() else f"{x:g}"


# -- pair AUCs of candidate views ----------------------------------------------------------------
View = Callable[[Mapping[str, Any]], dict[str, float]]


def view_aucs(docs: Docs, views: Mapping[str, View], sums: Mapping[str, Mapping[str, float]]
              ) -> None:  # fmt: skip
    """ROC AUC of the TF-IDF cosine (IDF over ``docs``) of each view, and of each weighted sum
    of views (``sums``: name -> {view: weight}): same-event pairs against same-topic
    other-event pairs, then against all other pairs."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.metrics import roc_auc_score

    story = np.array([str(d["story"]) for d in docs])
    topic = np.array([str(d["topic"]) for d in docs])
    upper = np.triu_indices(len(docs), 1)
    same = (story[:, None] == story[None, :])[upper]
    same_topic = (topic[:, None] == topic[None, :])[upper]
    cosines = {}
    for name, view in views.items():
        x = TfidfTransformer().fit_transform(DictVectorizer().fit_transform(
            [view(d) or {"\x00" + d["id"]: 1.0} for d in docs]))  # fmt: skip
        cosines[name] = (x @ x.T).toarray()[upper]
    for name, mix in sums.items():
        cosines[name] = sum(w * cosines[v] for v, w in mix.items())
    print("| view | AUC within a topic | AUC all pairs |\n|---|---|---|")
    for name, cos in cosines.items():
        print(f"| {name} | {roc_auc_score(same[same_topic], cos[same_topic]):.3f} | "
              f"{roc_auc_score(same, cos):.3f} |", flush=True)  # fmt: skip


def _lead(article: Mapping[str, Any], sentences: int = 2) -> str:
    body = article.get("body") or article.get("text") or ""
    return " ".join(feat._SENTENCE.split(body)[:sentences])


def candidate_views() -> dict[str, View]:
    """The product's views and the candidates this round measured."""
    people, places = frozenset({"PERSON"}), frozenset({"GPE", "LOC"})
    views: dict[str, View] = {v: (lambda d, v=v: features_of(d).views[v]) for v in feat.VIEWS}
    return views | {
        "entities as key words": entity_words(),
        "entities: people's key words": entity_words(people),
        "entities: places' key words": entity_words(places),
        "entities: organisations' key words": entity_words(frozenset({"ORG"})),
        "names with the headline": names_with_title,
        "names of the headline and lead (2 sentences)": lambda d: feat.sublinear(
            w for n in feat.names(f"{d.get('title') or ''}\n{_lead(d)}") for w in n.split()),
        "names used twice or more": lambda d: {
            k: v for k, v in features_of(d).views["names"].items() if v > 1.0},
        "headline words the lead repeats": lambda d: feat.sublinear(
            set(feat.words(d.get("title") or "")) & set(feat.words(_lead(d, 3)))),
    }  # fmt: skip


def candidate_sums() -> dict[str, dict[str, float]]:
    """The product's weighted sum, with one view swapped or one added."""
    base = {"title": 0.2, "text": 0.5, "names": 0.15, "entities": 0.15}
    out = {"the defaults' weighted sum": base}
    for view in ("entities as key words", "entities: people's key words"):
        out[f"sum, {view} for entities"] = {**base, "entities": 0.0, view: 0.15}
    out["sum, names with the headline for names"] = {
        **base,
        "names": 0.0,
        "names with the headline": 0.15,
    }
    for view in ("entities: people's key words", "entities: places' key words",
                 "headline words the lead repeats"):  # fmt: skip
        for w in (0.1, 0.2):
            out[f"sum + {w} × {view}"] = {**base, view: w}
    return out


# -- feature variants ------------------------------------------------------------------------------
def with_views(**views: Callable[[Mapping[str, Any]], dict[str, float]]) -> Featurer:
    """``features_of`` with some views read another way."""

    def featurer(article: Mapping[str, Any]) -> StoryFeatures:
        base = features_of(article)
        return replace(base, views={**base.views, **{v: f(article) for v, f in views.items()}})

    return featurer


def entity_words(
    labels: frozenset[str] | None = None, doubled: frozenset[str] = frozenset(),
    content: bool = False,
) -> View:  # fmt: skip
    """The entities view as the words of the entity keys ("vincent jackson" and "jackson"
    share "jackson"), only ``labels`` (all when None), the words of ``doubled`` labels twice;
    ``content``: stop words dropped (:func:`features.words`)."""

    def view(article: Mapping[str, Any]) -> dict[str, float]:
        out: list[str] = []
        for e in article.get("entities") or ():
            if labels is None or e.get("label") in labels:
                key = str(e.get("key") or "")
                words = feat.words(key) if content else key.split()
                out += words * (2 if e.get("label") in doubled else 1)
        return feat.sublinear(out)

    return view


def names_with_title(article: Mapping[str, Any]) -> dict[str, float]:
    """The names view read from the headline too (a headline in title case gives every word)."""
    body = article.get("body") or article.get("text") or ""
    body = " ".join(body.split(" ")[: feat.BODY_WORDS])
    text = (article.get("title") or "") + "\n" + body
    return feat.sublinear(w for name in feat.names(text) for w in name.split())


class BarredRehome(StoryClusterer):
    """The product with the re-home's bar scaled: a member moves when its fit reaches
    ``factor`` × the neighbour's bar (1: the product)."""

    def __init__(self, params: StoryParams, factor: float) -> None:
        super().__init__(params)
        self.factor = factor

    def _rehome(self, sid: str, neighbours: Sequence[str]) -> list:
        bar = self._bar
        self._bar = lambda story: self.factor * bar(story)  # type: ignore[method-assign]
        try:
            return super()._rehome(sid, neighbours)
        finally:
            del self._bar


class ClearWinner(StoryClusterer):
    """The product, and an article whose best candidate is under its bar still joins it when
    the score reaches ``relax`` × the bar and ``margin`` × the runner-up's score (no runner-up:
    any), and the story has ``min_size`` members or more: the runner-up ratio the fourth round
    tried as a difference before the split and the re-home could repair a wrong join."""

    def __init__(self, params: StoryParams, relax: float, margin: float, min_size: int = 3) -> None:
        super().__init__(params)
        self.relax, self.margin, self.min_size = relax, margin, min_size

    def _choose(self, scored: list, vectors: Any) -> tuple[Any, float]:
        best, score = super()._choose(scored, vectors)
        if best is not None or not scored:
            return best, score
        top, story = scored[0]
        second = scored[1][0] if len(scored) > 1 else 0.0
        if (story.size >= self.min_size and top >= self.relax * self._bar(story)
                and top >= self.margin * second):  # fmt: skip
            return story, top
        return None, -1.0


class ViewSplit(StoryClusterer):
    """The product, and when its split finds no cut a second check on the same members with
    other view weights (``weights``, e.g. only the names and entities: who and where) and its
    own ``share``: two events of one kind share the kind's words, less often its names."""

    def __init__(self, params: StoryParams, weights: tuple[float, ...], share: float) -> None:
        super().__init__(params)
        self.split_weights, self.split_by_view = weights, share

    def _keep(self, story: Any, article_id: str, vectors: Any, feats: StoryFeatures) -> Any:
        split = super()._keep(story, article_id, vectors, feats)
        members = story.members
        if split is not None or members is None or len(members) < self.params.split_min:
            return split
        dicts = [unpack(m.vectors) for m in members]
        parts = two_parts(similarities(dicts, self.split_weights), self.split_by_view)
        return None if parts is None else self._split(story, parts)


class LargePartsSplit(StoryClusterer):
    """The product, and when its split finds no cut, a cut whose two parts both hold ``least``
    members or more is made at the looser ``share``: a mean over many cross pairs is not the
    noise a mean over four is, so two large parts can be cut on a smaller gap."""

    def __init__(self, params: StoryParams, least: int, share: float) -> None:
        super().__init__(params)
        self.least, self.large_share = least, share

    def _keep(self, story: Any, article_id: str, vectors: Any, feats: StoryFeatures) -> Any:
        split = super()._keep(story, article_id, vectors, feats)
        members = story.members
        if split is not None or members is None or len(members) < 2 * self.least:
            return split
        parts = two_parts(_similarities(members), self.large_share)
        if parts is None or min(parts.count(1), parts.count(2)) < self.least:
            return None
        return self._split(story, parts)


class WarmCounts(StoryClusterer):
    """The product starting from the document frequencies of a background news corpus
    (:func:`background`), as a clusterer that has run for a while has them, instead of an
    empty table: counts only, no stories. The background has no entities tagged, so that
    view's table stays empty while ``docs`` grows."""

    def __init__(self, params: StoryParams) -> None:
        super().__init__(params)
        counted = warm_counts(params.df_bits)
        self.docs, self.df = counted.docs, copy.deepcopy(counted.df)


@functools.cache
def warm_counts(df_bits: int) -> StoryClusterer:
    """A clusterer that has counted :func:`background` into its document frequencies."""
    counted = StoryClusterer(replace(DEFAULTS, df_bits=df_bits))
    for text in background():
        title, _, body = text.strip().partition("\n")
        counted._count_and_weigh(features_of({"title": title, "body": body}))
    return counted


@functools.cache
def background() -> tuple[str, ...]:
    """BBC News and AG News test texts (``bench/stories_variants.py``'s), or none."""
    from bench.shared_data import data_root
    from bench.stories_variants import news_corpus

    return tuple(news_corpus(data_root()))


def setups() -> list[Setup]:
    """Every variant of the grid on A, the defaults first: features, then settings, then
    steps and decisions."""

    def product(**changes: Any) -> Callable[[], StoryClusterer]:
        return lambda: StoryClusterer(replace(DEFAULTS, **changes))

    people, places = frozenset({"PERSON"}), frozenset({"GPE", "LOC"})
    words = with_views(entities=entity_words())
    people_twice = with_views(entities=entity_words(doubled=people))
    out = [
        Setup("defaults", product()),
        Setup("entities as key words", product(), words),
        Setup("entities as key content words", product(),
              with_views(entities=entity_words(content=True))),
        Setup("entities as key words, people's twice", product(), people_twice),
        Setup("entities as key words, people's and places' twice", product(),
              with_views(entities=entity_words(doubled=people | places))),
        Setup("entities: people's and places' key words only", product(),
              with_views(entities=entity_words(people | places))),
        Setup("entities: people's key words only", product(),
              with_views(entities=entity_words(people))),
        Setup("names with the headline", product(), with_views(names=names_with_title)),
        Setup("entities as key words + names with the headline", product(),
              with_views(entities=entity_words(), names=names_with_title)),
        Setup("entities as key words, threshold 0.16", product(threshold=0.16), words),
        Setup("entities as key words, people's twice, threshold 0.16", product(threshold=0.16),
              people_twice),
        Setup("entities: people's key words only, threshold 0.16", product(threshold=0.16),
              with_views(entities=entity_words(people))),
        Setup("entities as key words, people's twice, entities 0.2 text 0.45",
              product(weights=(0.2, 0.45, 0.15, 0.2)), people_twice),
        Setup("entities as key words, people's twice, names 0.1 entities 0.2",
              product(weights=(0.2, 0.5, 0.1, 0.2)), people_twice),
    ]  # fmt: skip
    for threshold in (0.14, 0.16, 0.18, 0.2, 0.22):
        out.append(
            Setup(
                f"warm counts from BBC + AG News, threshold {threshold}",
                lambda t=threshold: WarmCounts(replace(DEFAULTS, threshold=t)),
            )
        )
    settings: list[tuple[str, tuple[Any, ...]]] = [
        ("threshold", (0.15, 0.16, 0.17, 0.2)), ("cohesion_share", (0.45, 0.55, 0.6)),
        ("split_share", (0.55, 0.6, 0.65)), ("split_min", (3, 5)),
        ("rehome_ratio", (0.9, 1.1, 1.2)),
    ]  # fmt: skip
    for knob, values in settings:
        out += [Setup(f"{knob} {value}", product(**{knob: value})) for value in values]
    for factor in (0.8, 0.9):
        out.append(Setup(f"re-home bar x {factor}", lambda f=factor: BarredRehome(DEFAULTS, f)))
    for relax in (0.6, 0.7, 0.8):
        for margin in (1.5, 2.0, 3.0):
            out.append(Setup(f"clear winner: {relax} x bar, {margin} x runner-up",
                             lambda r=relax, m=margin: ClearWinner(DEFAULTS, r, m)))  # fmt: skip
    for weights in ((0, 0, 0.5, 0.5), (0, 0.5, 0.25, 0.25), (0, 0, 1, 0), (0, 0, 0, 1)):
        for share in (0.3, 0.4, 0.5):
            out.append(Setup(f"view split {weights}, share {share}",
                             lambda w=weights, r=share: ViewSplit(DEFAULTS, w, r)))  # fmt: skip
    for least in (3, 4, 5, 6):
        for share in (0.6, 0.65, 0.7):
            out.append(Setup(f"large parts split: both >= {least}, share {share}",
                             lambda n=least, r=share: LargePartsSplit(DEFAULTS, n, r)))  # fmt: skip
    return out


def grid(docs: Docs, scorer: Any, chosen: Sequence[Setup], seeds: Sequence[int]) -> None:
    """B3 F1 / P / R, mean over ``seeds``, and per order, for each setup on ``docs``."""
    print("| variant | B3 F1 | P | R | per order |\n|---|---|---|---|---|")
    for setup in chosen:
        ms = [scorer.metrics(docs, run(docs, s, setup)) for s in seeds]
        f1 = [m["b3_f1"] for m in ms]
        print(f"| {setup.name} | {statistics.mean(f1):.4f} | "
              f"{statistics.mean(m['b3_precision'] for m in ms):.3f} | "
              f"{statistics.mean(m['b3_recall'] for m in ms):.3f} | "
              f"{' / '.join(f'{x:.3f}' for x in f1)} |", flush=True)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    from bench.stories import Scorer, halves

    ap = round_arguments(__doc__)
    ap.add_argument("--only", choices=("loss", "aucs", "grid", "paired"), default="loss")
    ap.add_argument(
        "--setup",
        action="append",
        default=[],
        help="a variant's name from the grid (repeatable), paired against the defaults",
    )
    args = ap.parse_args(argv)
    if unknown := [n for n in args.setup if n not in {s.name for s in setups()}]:
        ap.error(f"no such variant: {unknown[0]!r} (see --only grid)")
    docs = round_docs(args, "stories_tenth")
    a, b = halves(docs)
    scorer = Scorer(args.data)
    print(f"{len(docs)} docs (A {len(a)}, B {len(b)}); load {load_average()}", flush=True)
    if args.only == "loss":
        loss(a, scorer, (1, 2, 3))
    elif args.only == "aucs":
        view_aucs(a, candidate_views(), candidate_sums())
    elif args.only == "grid":
        grid(a, scorer, setups(), (1, 2, 3))
    else:
        named = {s.name: s for s in setups()}
        measured = [Variant(n, lambda s=named[n]: featured(s)) for n in ["defaults", *args.setup]]
        paired({"A": a, "B": b, "all": docs}, scorer, measured, range(1, args.orders + 1))
    print(f"load {load_average()}", flush=True)


if __name__ == "__main__":
    main()
