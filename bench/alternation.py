"""Two versions of a step timed in one process, rounds alternated, for the same-process benches.

A shared machine drifts within minutes; running both sides on the same pages in the same
process, the first side swapping each round, cancels most of that drift
(``bench/container_walk.py``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def parse_args(description: str) -> argparse.Namespace:
    """``--data-dir``, ``--every`` (every N-th page of each set) and ``--rounds``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--every", type=int, default=6, help="every N-th page of each set")
    parser.add_argument("--rounds", type=int, default=4)
    return parser.parse_args()


def alternate(sides: dict[str, Callable[[], T]], rounds: int) -> dict[str, list[T]]:
    """Each side's results over ``rounds`` rounds, the sides' order swapped every round."""
    results: dict[str, list[T]] = {side: [] for side in sides}
    for round_no in range(rounds):
        order = list(sides) if round_no % 2 == 0 else list(reversed(sides))
        for side in order:
            results[side].append(sides[side]())
    return results
