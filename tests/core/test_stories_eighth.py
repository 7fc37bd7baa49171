"""The eighth round's harness (bench/stories_eighth.py): where the loss is, and the variants
scored on their final partition."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from story_corpus import late_story, misplaced_member, synthetic, two_events_one_story

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.stories_eighth import (  # noqa: E402
    PRODUCT,
    MergeClusterer,
    RehomeClusterer,
    TrackedClusterer,
    loss_row,
)
from tidings.core.stories import StoryClusterer  # noqa: E402


class B3:
    """cluster_score.py's B-cubed, enough for loss_row (``score`` returns (metrics, _))."""

    @staticmethod
    def score(gold: dict[str, str], pred: dict[str, str]) -> tuple[dict[str, float], None]:
        def mean(a: dict[str, str], b: dict[str, str]) -> float:
            same = {x: [y for y in a if a[y] == a[x]] for x in a}
            return sum(sum(b[y] == b[x] for y in same[x]) / len(same[x]) for x in a) / len(a)

        p, r = mean(pred, gold), mean(gold, pred)
        return {"b3_precision": p, "b3_recall": r, "b3_f1": 2 * p * r / (p + r)}, None


def test_loss_row_repairs_each_kind_of_error_alone() -> None:
    gold = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B"}
    # A split in two (a3 alone), and b2 mixed into A's main story
    pred = {"a1": "s1", "a2": "s1", "b2": "s1", "a3": "s2", "b1": "s3"}
    row = loss_row(gold, pred, SimpleNamespace(module=B3))
    assert row["F1 unmixed"] > row["F1"] and row["F1 fragments joined"] > row["F1"]
    assert (row["clusters"], row["singletons"], row["mixed stories"]) == (3, 2, 1)
    assert row["misplaced items"] == 1 and row["fragments"] == 1
    unmixed = B3.score(gold, {"a1": 1, "a2": 1, "b2": 4, "a3": 2, "b1": 3})[0]  # type: ignore[dict-item]
    assert row["F1 unmixed"] == unmixed["b3_f1"]


def partition_of(c: Any, docs: list[dict[str, Any]]) -> dict[str, str]:
    """The variant's final partition after placing ``docs`` in their order."""
    for d in docs:
        c.add(d)
    return c.partition()


def test_the_tracked_partition_is_the_one_the_product_reports() -> None:
    docs = two_events_one_story() + synthetic(60, 4, seed=11)
    product, pred = StoryClusterer(PRODUCT), {}
    for d in docs:
        placed = product.add(d)
        pred[d["id"]] = placed.story_id
        for move in placed.moves:
            pred.update(dict.fromkeys(move.moved, move.target))
    tracked = TrackedClusterer()
    assert partition_of(tracked, docs) == pred and tracked.counts["splits"] > 0


def test_the_bench_variants_make_the_moves_the_product_makes() -> None:
    """The bench's re-home and second chance on the crafted streams move what the product's
    steps move (the shipped steps were measured in this harness first)."""
    rehome = partition_of(RehomeClusterer(1.0), misplaced_member())
    assert rehome["c"] == rehome["y1"] != rehome["x1"]
    fold = partition_of(MergeClusterer(0.8, 4, max_other=1), late_story())
    assert fold["t"] == fold["A1"] == fold["A2"]
