"""``sortBy=popularity``: how many sources carried the story.

An article's popularity is the number of distinct sources among the articles of its
near-duplicate cluster in the store (the syndicated and lightly edited copies of one story,
``cluster_id``): a wire story that ten outlets ran is more popular than an exclusive. Ties
keep the relevance order, so among equally carried stories the better match comes first.
"""

from __future__ import annotations

from typing import Any

from tidings.core.article import source_id
from tidings.core.index.base import Hit


def source_count(cluster: list[dict[str, Any]]) -> int:
    """Distinct sources among a cluster's articles (at least 1: the article itself)."""
    return max(1, len({source_id(a) for a in cluster} - {None}))


def by_popularity(hits: list[Hit], store: Any) -> list[Hit]:
    """``hits`` (in relevance order) re-ranked by the number of sources carrying each story."""
    counts: dict[str, int] = {}
    for hit in hits:
        cluster_id = hit.article.get("cluster_id")
        if cluster_id and cluster_id not in counts:
            counts[cluster_id] = source_count(store.cluster_members(cluster_id))
    return sorted(hits, key=lambda h: -counts.get(h.article.get("cluster_id") or "", 1))
