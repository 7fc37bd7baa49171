"""Where a story of two events comes apart: average-link's two parts of its members.

The clusterer (:mod:`.clustering`) asks this after each join to a young story. Average link
over the members' weighted cosines (scipy's ``linkage``; its root's two subtrees) gives the two
parts that are furthest apart on average; they count as two events only when each has two
members or more and their mean cross cosine is under ``share`` × the mean of their mean
cosines within, so a story whose members are all about equally close stays whole. Developed
on ECB+ dev half A, confirmed on half B (docs/benchmarks.md, "Quality: seventh round").
"""

from __future__ import annotations

import statistics
import sys
from array import array
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain, repeat
from operator import mul

import numpy as np
from scipy.cluster.hierarchy import linkage
from scipy.spatial.distance import squareform

from tidings.core.stories.features import VIEWS
from tidings.core.stories.vectors import dot

Vectors = Mapping[str, Mapping[str, float]]
#: A member's vectors kept compact: every view's terms (interned, so a term shared by many
#: members is one string) and their weights as float64, view after view in VIEWS order and each
#: in its dict's order, and how many terms each view has.
Packed = tuple[tuple[str, ...], array, tuple[int, ...]]


def pack(vectors: Vectors) -> Packed:
    """The vectors as :data:`Packed`: about a third of the dicts' memory per term (no entry, no
    float object; one tuple and one array for all the views), and the same weights in the same
    order, so :func:`unpack` gives back dicts whose every sum is the same to the last bit."""
    views = [vectors[v] for v in VIEWS]
    terms = tuple(map(sys.intern, chain.from_iterable(views)))  # C loops: once per join
    weights = array("d", chain.from_iterable(vec.values() for vec in views))
    return terms, weights, tuple(map(len, views))


def unpack(packed: Packed) -> dict[str, dict[str, float]]:
    """The dicts :func:`pack` was given (same terms, weights and order)."""
    return {view: dict(zip(terms, weights, strict=True))
            for view, (terms, weights) in zip(VIEWS, views_of(packed), strict=True)}  # fmt: skip


def views_of(packed: Packed) -> Iterator[tuple[tuple[str, ...], array]]:
    """Each view's terms and weights, in VIEWS order."""
    terms, weights, lengths = packed
    start = 0
    for n in lengths:
        yield terms[start : start + n], weights[start : start + n]
        start += n


def dot_packed(
    vec: Mapping[str, float], terms: tuple[str, ...], weights: array, packed_first: bool = False
) -> float:
    """``dot(vec, d)`` (or ``dot(d, vec)`` when ``packed_first``) for ``d`` the dict of
    ``terms`` and ``weights``, to the last bit: ``dot`` runs over the smaller side (the first
    on a tie) in its order, so this runs over the packed terms in C when they are the smaller
    side and builds ``d`` for the look-ups only when ``vec`` is."""
    n = len(terms)
    if n < len(vec) or (packed_first and n == len(vec)):
        return sum(map(mul, weights, map(vec.get, terms, repeat(0.0))))
    return dot(vec, dict(zip(terms, weights, strict=True)))


def similarity(a: Vectors, b: Vectors, weights: Sequence[float]) -> float:
    """The weighted cosine of two members (``a`` the earlier: the sum runs in that order)."""
    return sum(w * dot(a[v], b[v]) for w, v in zip(weights, VIEWS, strict=True))


def similarity_to_packed(a: Packed, b: Vectors, weights: Sequence[float]) -> float:
    """:func:`similarity` of ``unpack(a)`` and ``b``, to the last bit, without building the
    dicts (but for a view where ``b`` is the smaller side): the check after each join runs it
    once per earlier member."""
    dots = (dot_packed(b[view], terms, ws, packed_first=True)
            for view, (terms, ws) in zip(VIEWS, views_of(a), strict=True))  # fmt: skip
    return sum(w * d for w, d in zip(weights, dots, strict=True))


def similarities(members: Sequence[Vectors], weights: Sequence[float]) -> np.ndarray:
    """Every pair's :func:`similarity`, as a symmetric matrix (zero diagonal)."""
    n = len(members)
    sim = np.zeros((n, n))
    for i, j in zip(*np.triu_indices(n, 1), strict=True):
        sim[i, j] = sim[j, i] = similarity(members[i], members[j], weights)
    return sim


def _leaves(tree: np.ndarray, node: int) -> list[int]:
    """The members under ``node`` of a scipy linkage matrix ``tree`` (row k made node n + k
    of the n = rows + 1 members)."""
    n, under, stack = len(tree) + 1, [], [node]
    while stack:
        node = stack.pop()
        if node < n:
            under.append(node)
        else:
            stack.extend(int(child) for child in tree[node - n, :2])
    return under


def two_parts(sim: np.ndarray, share: float) -> list[int] | None:
    """Average-link's two clusters (labels 1 and 2, in the members' order) of the members
    whose pairwise similarities are ``sim``, if both hold two or more members and their mean
    cross similarity is under ``share`` × the mean of their mean similarities within; else
    None."""
    # the root's two subtrees are fcluster(tree, 2, "maxclust")'s two clusters, read without
    # its (and to_tree's) checks of the tree: most of a check's time for a handful of members
    tree = linkage(squareform(1.0 - sim, checks=False), "average")
    one = np.zeros(len(sim), dtype=bool)
    one[_leaves(tree, int(tree[-1, 0]))] = True
    two = ~one
    if one.sum() < 2 or two.sum() < 2:
        return None
    within = statistics.mean(
        sim[np.ix_(g, g)][np.triu_indices(g.sum(), 1)].mean() for g in (one, two)
    )
    cross = sim[np.ix_(one, two)].mean()
    return [1 if x else 2 for x in one] if within > 0 and cross < share * within else None
