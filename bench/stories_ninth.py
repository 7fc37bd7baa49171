"""Ninth quality round for stories (issue 15): the eighth round's steps on larger stories.

The second chance and the re-home act only on a young story (``split_max`` members at most:
past that a story drops its members' vectors). This round varies the product's own settings,
nothing else: ``split_max`` (members kept longer, so the split and both steps act on larger
stories), ``second_chance`` and ``neighbours``. A grid on half A (orders 1–3), then the best
settings paired against the defaults over orders 1–N on A, B and all docs (B never used to
choose). The measuring is ``bench/stories_seventh.py``'s; no dates in the data, so no time
signal (``time_share`` 0, as in every round).

    .venv/bin/python bench/stories_ninth.py --only grid
    .venv/bin/python bench/stories_ninth.py --only steps
    .venv/bin/python bench/stories_ninth.py --only paired --setting 24,0.8,4 [--orders 10]
"""

from __future__ import annotations

import itertools
import random
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

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
from tidings.core.stories.features import StoryFeatures  # noqa: E402

#: the product's defaults, no dates (the data has none)
DEFAULTS = StoryParams(time_share=0.0)
GRID = {"split_max": (16, 24, 32), "second_chance": (0.7, 0.8, 0.9), "neighbours": (4, 8)}


def setting(split_max: int, second_chance: float, neighbours: int) -> StoryParams:
    return replace(DEFAULTS, split_max=split_max, second_chance=second_chance,
                   neighbours=neighbours)  # fmt: skip


def label(p: StoryParams) -> str:
    return f"split_max {p.split_max}, second_chance {p.second_chance}, neighbours {p.neighbours}"


def grid(docs: list, scorer, seeds: Sequence[int], settings: Sequence[tuple] | None = None) -> None:
    """B3 F1 / P / R, mean over ``seeds``, for every setting of :data:`GRID` (or of
    ``settings``: split_max, second_chance, neighbours) on ``docs``."""
    print("| split_max | second_chance | neighbours | B3 F1 | P | R | per order |")
    print("|---|---|---|---|---|---|---|")
    for values in settings or list(itertools.product(*GRID.values())):
        params = setting(*values)
        ms = [scorer.metrics(docs, place_final(docs, s, lambda p=params: StoryClusterer(p))[0])
              for s in seeds]  # fmt: skip
        f1 = [m["b3_f1"] for m in ms]
        print(f"| {' | '.join(map(str, values))} | {statistics.mean(f1):.4f} | "
              f"{statistics.mean(m['b3_precision'] for m in ms):.3f} | "
              f"{statistics.mean(m['b3_recall'] for m in ms):.3f} | "
              f"{' / '.join(f'{x:.3f}' for x in f1)} |", flush=True)  # fmt: skip


#: the size buckets of :func:`placed_moves` (upper bounds, members)
SIZES = (16, 24, 32, 1 << 30)


def placed_moves(
    clusterer: StoryClusterer, doc: dict, feats: StoryFeatures | None = None
) -> list[tuple[str, int]]:
    """Place ``doc``; each move it made as (kind, size bucket): a split makes a new story, a
    fold empties its (one-member) source, a re-home is any other move; the bucket is the index
    in :data:`SIZES` of the larger story involved just after the move."""
    before = set(clusterer.stories)
    made = []
    for move in clusterer.add(doc, feats).moves:
        if move.target not in before:
            kind = "split"
        elif move.source not in clusterer.stories:
            kind = "fold"
        else:
            kind = "re-home"
        ends = [clusterer.stories[sid].size for sid in (move.source, move.target)
                if sid in clusterer.stories]  # fmt: skip
        made.append((kind, next(i for i, top in enumerate(SIZES) if max(ends) <= top)))
    return made


def steps(docs: list, seeds: Sequence[int], split_maxes: Sequence[int] = (16, 32)) -> None:
    """What the larger bound lets the steps do: per pass (mean over ``seeds``), the moves of
    each kind by the size of the larger story involved (:func:`placed_moves`), and the stories
    past 16 and past 32 members at the end with their articles."""
    from bench.stories import features_of

    print("| split_max | kind | ≤ 16 members | 17–24 | 25–32 | > 32 |")
    print("|---|---|---|---|---|---|")
    for split_max in split_maxes:
        counts: Counter[tuple[str, int]] = Counter()
        large: dict[int, list[int]] = {16: [], 32: []}
        in_large: dict[int, list[int]] = {16: [], 32: []}
        for seed in seeds:
            order = list(docs)
            random.Random(seed).shuffle(order)
            clusterer = StoryClusterer(replace(DEFAULTS, split_max=split_max))
            for d in order:
                counts.update(placed_moves(clusterer, d, features_of(d)))
            for bound in large:
                sizes = [st.size for st in clusterer.stories.values() if st.size > bound]
                large[bound].append(len(sizes))
                in_large[bound].append(sum(sizes))
        for kind in ("split", "fold", "re-home"):
            cells = " | ".join(f"{counts[kind, i] / len(seeds):.1f}" for i in range(4))
            print(f"| {split_max} | {kind} | {cells} |")
        for bound in large:
            print(
                f"| {split_max} | stories past {bound} members at the end (their articles) | "
                f"{statistics.mean(large[bound]):.1f} "
                f"({statistics.mean(in_large[bound]):.0f} of {len(docs)}) | | | |",
                flush=True,
            )


def main(argv: Sequence[str] | None = None) -> None:
    from bench.stories import Scorer, halves

    ap = round_arguments(__doc__)
    ap.add_argument("--only", choices=("grid", "paired", "steps"), default="grid")
    ap.add_argument(
        "--setting",
        action="append",
        default=[],
        help="split_max,second_chance,neighbours (repeatable): paired against the defaults, "
        "or the grid's settings instead of GRID",
    )
    args = ap.parse_args(argv)
    try:
        values = [(int(m), float(c), int(n)) for m, c, n in (s.split(",") for s in args.setting)]
    except ValueError:
        ap.error("--setting takes split_max,second_chance,neighbours, e.g. 24,0.8,4")
    docs = round_docs(args, "stories_ninth")
    a, b = halves(docs)
    scorer = Scorer(args.data)
    print(f"{len(docs)} docs (A {len(a)}, B {len(b)}); load {load_average()}", flush=True)
    if args.only == "grid":
        grid(a, scorer, (1, 2, 3), values)
    elif args.only == "steps":
        steps(a, (1, 2, 3))
    else:
        measured = [
            Variant(label(p), lambda p=p: StoryClusterer(p))
            for p in [DEFAULTS, *(setting(*v) for v in values)]
        ]
        paired({"A": a, "B": b, "all": docs}, scorer, measured, range(1, args.orders + 1))
    print(f"load {load_average()}", flush=True)


if __name__ == "__main__":
    main()
