"""Ranking steps tantivy has no query for, done in Python over a window of candidates.

* **Recency boost**: BM25 score × ``FLOOR + (1 - FLOOR) · 0.5^(age / HALF_LIFE)``, the same
  curve as the Elasticsearch backend's ``function_score`` (an ``exp`` decay plus a constant).
  Only the best ``window`` BM25 candidates are re-ranked: a new article outside them cannot
  climb in, which is what a boost (not a date sort) promises anyway.
* **Collapse** (by copies or by story): hits are grouped by their cluster or story hash in rank
  order; the first of each group stands for it. Candidates are fetched in growing windows until
  enough groups are found, up to ``MAX_COLLAPSE_FETCH`` articles: groups ranked below that are
  not reached.

Both read only numeric fast fields (sort key, cluster or story hash), never stored documents.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import tantivy

#: Weight of relevance that age never takes away, and the age (days) that halves the rest.
RECENCY_FLOOR = 0.3
RECENCY_HALF_LIFE_DAYS = 30.0
COLLAPSE_WINDOW = 1_000
MAX_COLLAPSE_FETCH = 50_000
_ID_BITS = 24
_EPOCH_SHIFT = 62_135_596_800

Ranked = list[tuple[float, tantivy.DocAddress]]


def recency_factor(age_days: float) -> float:
    """Multiplier for an article ``age_days`` old (1.0 when new, never below the floor)."""
    decay = 0.5 ** (max(age_days, 0.0) / RECENCY_HALF_LIFE_DAYS)
    return RECENCY_FLOOR + (1.0 - RECENCY_FLOOR) * decay


def rerank_by_recency(searcher: tantivy.Searcher, hits: Ranked) -> Ranked:
    """``hits`` (score, address) re-scored by age and re-sorted, best first."""
    if not hits:
        return []
    keys = searcher.fast_field_values("sortkey", [addr for _, addr in hits])
    now = time.time()
    out = []
    for (score, addr), key in zip(hits, keys, strict=True):
        seconds = (key or 0) >> _ID_BITS
        age = (now + _EPOCH_SHIFT - seconds) / 86_400 if seconds else float("inf")
        out.append((float(score) * recency_factor(age), addr))
    out.sort(key=lambda pair: -pair[0])  # stable: equal scores keep tantivy's order
    return out


def collapse_window(
    searcher: tantivy.Searcher,
    fetch: Callable[[int], Ranked],
    stories: int,
    group: str = "cluster",
) -> tuple[Ranked, bool]:
    """The first ``stories`` group leaders of a ranking, and whether more groups follow.

    ``fetch(n)`` returns the top ``n`` candidates in rank order; it is called with growing
    ``n`` until ``stories + 1`` distinct values of the fast field ``group`` are seen or the
    matches run out.
    """
    size = max(COLLAPSE_WINDOW, stories * 4)
    while True:
        hits = fetch(size)
        clusters = searcher.fast_field_values(group, [addr for _, addr in hits])
        leaders: dict[int, tuple[float, tantivy.DocAddress]] = {}
        for hit, cluster in zip(hits, clusters, strict=True):
            leaders.setdefault(int(cluster or 0), hit)
            if len(leaders) > stories:
                return list(leaders.values())[:stories], True
        exhausted = len(hits) < size
        if exhausted or size >= MAX_COLLAPSE_FETCH:
            return list(leaders.values())[:stories], False
        size = min(size * 4, MAX_COLLAPSE_FETCH)
