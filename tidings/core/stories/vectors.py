"""Sparse vector arithmetic for stories: term -> weight dicts, summed as C loops.

The clusterer, the split check and the store's recount all read vectors this way, so it lives
in one module none of them owns (no import cycle). Each sum runs over ``map`` on the dicts'
views instead of a Python generator: scoring candidates is most of placing's cost. The
products are added in the same order a plain loop adds them, so every result is the same to
the last bit (``tests/core/test_stories_arithmetic.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import repeat
from operator import itemgetter, mul, truediv


def squares(vec: Mapping[str, float]) -> float:
    """The sum of the squared weights (in the dict's order)."""
    values = vec.values()
    return sum(map(mul, values, values))


def unit(vec: Mapping[str, float]) -> dict[str, float]:
    """The vector scaled to length 1 (empty for a zero vector)."""
    norm = math.sqrt(squares(vec))
    return dict(zip(vec, map(truediv, vec.values(), repeat(norm)), strict=True)) if norm else {}


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Sparse dot product, over the smaller dict's terms in its order."""
    if len(a) > len(b):
        a, b = b, a
    return sum(map(mul, a.values(), map(b.get, a, repeat(0.0))))


def strongest(vec: Mapping[str, float]) -> list[tuple[str, float]]:
    """The (term, weight) pairs, heaviest first, ties by term: the order of the key
    ``(-weight, term)``, from two C-keyed sorts (the second is stable, so ties keep the
    first's term order) instead of a Python key building a tuple per term."""
    return sorted(sorted(vec.items(), key=_TERM), key=_WEIGHT, reverse=True)


_TERM, _WEIGHT = itemgetter(0), itemgetter(1)
