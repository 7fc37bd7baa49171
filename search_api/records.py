"""The JSON shapes of articles in API responses, in one place so every endpoint agrees."""

from __future__ import annotations

from typing import Any

from search_api.markup import safe_highlights
from tidings.core.index.base import Hit

#: Fields of a listed article (search hits, recent lists): enough to render a result, no body.
LISTED_FIELDS = (
    "id", "title", "url", "summary", "source", "published_at", "topics", "entities", "cluster_id",
)  # fmt: skip
#: Fields of one article (``/api/v1/articles/<id>``), in response order.
DETAIL_FIELDS = (
    "id", "url", "canonical_url", "source", "title", "summary", "body", "authors",
    "published_at", "updated_at", "date_source", "fetched_at", "language", "image_url", "tags",
    "topics", "entities", "model_version", "word_count", "fingerprint", "cluster_id",
)  # fmt: skip
_DEFAULTS: dict[str, Any] = {
    "summary": "", "body": "", "authors": [], "tags": [], "topics": [], "entities": [],
}  # fmt: skip


def listed(article: dict[str, Any]) -> dict[str, Any]:
    """An article as it appears in a list."""
    return {name: _get(article, name) for name in LISTED_FIELDS}


def hit(h: Hit) -> dict[str, Any]:
    """A search hit: the listed article plus sanitised highlights and score."""
    out = listed({"id": h.id, **h.article})
    out["highlights"] = safe_highlights(h.highlights, title=out.get("title"))
    out["score"] = h.score
    return out


def detail(article: dict[str, Any], cluster: list[dict[str, Any]]) -> dict[str, Any]:
    """One article with its body and the other members of its near-duplicate cluster."""
    out = {name: _get(article, name) for name in DETAIL_FIELDS}
    out["cluster"] = [
        {name: _get(a, name) for name in ("id", "title", "url", "source", "published_at")}
        for a in cluster
        if a.get("id") != article.get("id")
    ]
    return out


def topic_ids(article: dict[str, Any]) -> list[str]:
    """Topic ids of an article whether topics are stored as records or as plain ids."""
    out = []
    for t in article.get("topics") or []:
        tid = t.get("id") if isinstance(t, dict) else t
        if isinstance(tid, str) and tid:
            out.append(tid)
    return out


def _get(article: dict[str, Any], name: str) -> Any:
    value = article.get(name)
    if value is None and name in _DEFAULTS:
        return type(_DEFAULTS[name])()
    return value
