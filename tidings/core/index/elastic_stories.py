"""Story documents in the Elasticsearch backend: an index of their own beside the articles'.

Reached through the alias ``<articles alias>-stories`` (concrete ``...-stories-vN``, so a
rebuild fills the next one and moves the alias atomically, as the articles' index does:
:mod:`~tidings.core.index.elastic_alias`). It shares the article index's connection
(:class:`~tidings.core.index.elastic_cluster.ElasticCluster`: client, cluster checks, fault
mapping, bulk writer, refresh mode); its fields carry the article index's names
(:mod:`tidings.core.index.stories`), so the same query compiler and filters run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from elasticsearch import BadRequestError

from tidings.core.index import elastic_alias as aliased
from tidings.core.index import elastic_queries as eq
from tidings.core.index.base import QueryError
from tidings.core.index.elastic_cluster import ElasticCluster
from tidings.core.index.elastic_query_language import compile_query
from tidings.core.index.query_language import parse
from tidings.core.index.stories import MAX_STORIES, StoryQuery, story_document

_DATE = {"type": "date", "format": "strict_date_optional_time||epoch_millis"}


def mappings() -> dict[str, Any]:
    """The story document's fields (``dynamic: strict``, as the articles' mapping)."""
    text = {"type": "text", "analyzer": eq.TEXT_ANALYZER}
    keyword = {"type": "keyword"}
    return {
        "dynamic": "strict",
        "properties": {
            "id": keyword,
            "title": text,
            "body": text,
            "summary": text,
            "topics": keyword,
            "source": keyword,
            "entities": keyword,
            "language": keyword,
            "published": _DATE,
            "first_seen": _DATE,
            "articles": {"type": "integer"},
            "sources": {"type": "integer"},
        },
    }


def source(story: dict[str, Any]) -> dict[str, Any]:
    """A story record as the ``_source`` of its document (dates as ISO 8601, absent if none)."""
    fields = story_document(story)
    for name in ("published", "first_seen"):
        fields[name] = fields[name].isoformat() if fields[name] is not None else None
    return {k: v for k, v in fields.items() if v is not None}


def actions(index: str, stories: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bulk actions that write ``stories`` into ``index`` (the alias, or a rebuild's index)."""
    return [
        {"_op_type": "index", "_index": index, "_id": str(s["id"]), "_source": source(s)}
        for s in stories
    ]


def search_body(query: StoryQuery) -> dict[str, Any]:
    """Matching story ids, most recently seen first."""
    return {
        "query": eq.bool_query(compile_query(parse(query.q)), eq.filters(query)),  # type: ignore[arg-type]
        "sort": [{"published": {"order": "desc", "missing": "_last"}}, {"id": {"order": "asc"}}],
        "size": max(1, min(int(query.limit), MAX_STORIES)),
        "_source": False,
        "track_total_hits": False,
    }


class ElasticStoryIndex:
    """A :class:`~tidings.core.index.stories.StoryIndex` behind ``alias`` on ``cluster``."""

    def __init__(self, cluster: ElasticCluster, alias: str) -> None:
        self.cluster = cluster
        self.alias = alias
        self._ready = False

    def _body(self, *, alias: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "settings": {"index": eq.index_settings(self.cluster.stemmer())},
            "mappings": mappings(),
        }
        if alias:
            body["aliases"] = {self.alias: {"is_write_index": True}}
        return body

    def _ensure(self) -> None:
        if self._ready:
            return
        self.cluster.check()
        with self.cluster.reaching():
            if not self.cluster.client.indices.exists(index=self.alias):
                aliased.create_first(self.cluster, self.alias, self._body(alias=True))
        self._ready = True

    def upsert(self, stories: list[dict[str, Any]]) -> None:
        self.cluster.require_writable(self.alias)
        if stories:
            self._ensure()
            self.cluster.bulk(actions(self.alias, stories), refresh=self.cluster.write_refresh)

    def refresh(self) -> None:
        """Make what was written visible (the end of the articles' ``bulk_loading``, inside
        which story documents, like articles, are written without waiting for a refresh)."""
        if self._ready:
            with self.cluster.reaching():
                self.cluster.client.indices.refresh(index=self.alias)

    def delete(self, ids: list[str]) -> None:
        self.cluster.require_writable(self.alias)
        if ids:
            self._ensure()
            self.cluster.bulk(eq.delete_actions(self.alias, ids), ignore_status=(404,))

    def rebuild(self, batches: Iterable[list[dict[str, Any]]]) -> int:
        """Fill a new concrete index, then move the alias to it in one step."""
        self.cluster.require_writable(self.alias)
        self.cluster.check()
        total = aliased.rebuild_into(
            self.cluster, self.alias, self._body(alias=False), batches, actions
        )
        self._ready = True
        return total

    def clear(self) -> None:
        self.rebuild([])

    def search(self, query: StoryQuery) -> list[str]:
        self._ensure()
        try:
            with self.cluster.reaching():
                found = self.cluster.client.search(index=self.alias, body=search_body(query))
        except BadRequestError as exc:
            raise QueryError(f"cannot search stories for {query.q!r}: {exc.message}") from None
        return [str(hit["_id"]) for hit in found.body["hits"]["hits"]]

    def count(self) -> int:
        self._ensure()
        with self.cluster.reaching():
            return int(self.cluster.client.count(index=self.alias)["count"])

    def drop(self) -> None:
        """Delete the story indices and the alias (tests; the next call recreates them)."""
        aliased.drop(self.cluster, self.alias)
        self._ready = False
