"""Search index backends behind one interface; :func:`open_index` picks the configured one."""

from __future__ import annotations

from tidings.core.config import Settings
from tidings.core.index.base import (
    FACETS,
    Facet,
    Highlight,
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
    "FACETS",
    "Facet",
    "Highlight",
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
        if not settings.es_url:
            raise ValueError(
                "the 'elasticsearch' index backend needs the server's URL: set TIDINGS_ES_URL "
                "(e.g. http://localhost:9200), or use TIDINGS_INDEX=embedded"
            )
        from tidings.core.index.elastic import ElasticIndex  # the client loads only when used

        return ElasticIndex(
            settings.es_url,
            settings.es_index,
            writable=writable,
            api_key=settings.es_api_key,
            ca_certs=settings.es_ca_certs,
        )
    raise ValueError(f"unknown index backend {name!r}; valid backends: {', '.join(BACKENDS)}")
