"""The JSON shapes of articles in API responses, in one place so every endpoint agrees."""

from __future__ import annotations

from typing import Any

from search_api.markup import render_highlights
from tidings.core.article import source_id, topic_ids
from tidings.core.index.base import Hit

__all__ = ["DETAIL_FIELDS", "LISTED_FIELDS", "detail", "hit", "listed", "topic_ids"]

#: Fields of a listed article (search hits, recent lists): enough to render a result, no body.
LISTED_FIELDS = (
    "id", "title", "url", "summary", "source", "published_at", "topics", "entities", "cluster_id",
    "story_id",
)  # fmt: skip
#: Fields of one article (``/api/v1/articles/<id>``), in response order.
DETAIL_FIELDS = (
    "id", "url", "canonical_url", "source", "title", "summary", "body", "authors",
    "published_at", "updated_at", "date_source", "fetched_at", "language", "image_url", "tags",
    "topics", "entities", "model_version", "word_count", "fingerprint", "cluster_id", "story_id",
)  # fmt: skip
#: Fields answered as an empty value (a new one each time) when the record lacks them or has null.
_EMPTY: dict[str, type] = {
    "summary": str, "body": str, "authors": list, "tags": list, "topics": list, "entities": list,
}  # fmt: skip


def listed(article: dict[str, Any]) -> dict[str, Any]:
    """An article as it appears in a list."""
    return _pick(article, LISTED_FIELDS)


def hit(h: Hit) -> dict[str, Any]:
    """A search hit: the listed article plus its highlights as HTML, and its score."""
    out = listed({"id": h.id, **h.article})
    out["highlights"] = render_highlights(h.highlights)
    out["score"] = h.score
    out["cluster_size"] = getattr(h, "cluster_size", 1)
    return out


def detail(article: dict[str, Any], cluster: list[dict[str, Any]]) -> dict[str, Any]:
    """One article with its body, why it has each topic, and the other copies of its story.

    Each topic gets ``terms``: the terms the classifier recorded as explaining it (the record's
    ``explanations``), or null when the record has none.
    """
    out = _pick(article, DETAIL_FIELDS)
    explanations = _explanations(article.get("explanations"))
    out["topics"] = [
        {**t, "terms": explanations.get(t.get("id")) if explanations else None}
        for t in (dict(t) if isinstance(t, dict) else {"id": t} for t in out["topics"])
    ]
    others = [a for a in cluster if a.get("id") != article.get("id")]
    out["cluster"] = [_pick(a, ("id", "title", "url", "source", "published_at")) for a in others]
    own = source_id(article)
    seen: dict[str, Any] = {}
    for a in others:
        sid = source_id(a)
        if sid and sid != own and sid not in seen:
            seen[sid] = a.get("source")
    out["also_covered_by"] = list(seen.values())
    return out


def _explanations(raw: Any) -> dict[str, Any] | None:
    """``{topic id: terms}`` from a record's ``explanations`` (a mapping or a list of records)."""
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, list):
        out = {}
        for item in raw:
            if isinstance(item, dict) and isinstance(item.get("topic", item.get("id")), str):
                out[item.get("topic", item.get("id"))] = item.get("terms")
        return out
    return None


def _pick(article: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """``names`` of ``article`` in that order, empty ones where :data:`_EMPTY` says (one
    ``get`` per name and one pass over the few defaults: this runs for every hit)."""
    out = {name: article.get(name) for name in names}
    for name, empty in _EMPTY.items():
        if name in out and out[name] is None:
            out[name] = empty()
    return out
