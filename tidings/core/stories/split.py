"""Where a story of two events comes apart: average-link's two parts of its members.

The clusterer (:mod:`.clustering`) asks this after each join to a young story. Average link
over the members' weighted cosines (scipy's ``linkage``) gives the two parts that are furthest
apart on average; they count as two events only when each has two members or more and their
mean cross cosine is under ``share`` × the mean of their mean cosines within, so a story whose
members are all about equally close stays whole. Developed on ECB+ dev half A, confirmed on
half B (docs/benchmarks.md, "Quality: seventh round").
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from tidings.core.stories.features import VIEWS

Vectors = Mapping[str, Mapping[str, float]]


def two_parts(
    members: Sequence[Vectors], weights: Sequence[float], share: float
) -> list[int] | None:
    """Average-link's two clusters (labels 1 and 2, in the members' order) of ``members`` by
    weighted cosine, if both hold two or more members and their mean cross cosine is under
    ``share`` × the mean of their mean cosines within; else None."""
    from tidings.core.stories.clustering import _dot  # the clusterer's arithmetic (it imports us)

    n = len(members)
    sim = np.zeros((n, n))
    for i, j in zip(*np.triu_indices(n, 1), strict=True):
        sim[i, j] = sim[j, i] = sum(
            w * _dot(members[i][v], members[j][v]) for w, v in zip(weights, VIEWS, strict=True)
        )
    parts = fcluster(linkage(squareform(1.0 - sim, checks=False), "average"), 2, "maxclust")
    one, two = parts == 1, parts == 2
    if one.sum() < 2 or two.sum() < 2:
        return None
    within = statistics.mean(
        sim[np.ix_(g, g)][np.triu_indices(g.sum(), 1)].mean() for g in (one, two)
    )
    cross = sim[np.ix_(one, two)].mean()
    return [int(p) for p in parts] if within > 0 and cross < share * within else None
