"""Search index backends behind one interface; :func:`open_index` picks the configured one."""

from __future__ import annotations

from tidings.core.config import Settings
from tidings.core.index.base import (
    FACET_FIELDS,
    Hit,
    IndexBackend,
    QueryError,
    SearchRequest,
    SearchResult,
)
from tidings.core.index.embedded import (
    EmbeddedIndex,
    IndexLockedError,
    IndexReadOnlyError,
    IndexSchemaError,
)

BACKENDS = ("embedded", "elasticsearch")

__all__ = [
    "BACKENDS",
    "FACET_FIELDS",
    "EmbeddedIndex",
    "Hit",
    "IndexBackend",
    "IndexLockedError",
    "IndexReadOnlyError",
    "IndexSchemaError",
    "QueryError",
    "SearchRequest",
    "SearchResult",
    "open_index",
]


def open_index(settings: Settings, writable: bool = False) -> IndexBackend:
    """The index backend named by ``settings.index_backend`` (one writer, many readers)."""
    name = settings.index_backend
    if name == "embedded":
        return EmbeddedIndex(settings.index_dir, writable=writable)
    if name == "elasticsearch":
        raise NotImplementedError(
            "the 'elasticsearch' index backend is not available yet: it comes with the "
            "Elasticsearch backend module; use TIDINGS_INDEX=embedded for now"
        )
    raise ValueError(f"unknown index backend {name!r}; valid backends: {', '.join(BACKENDS)}")
