"""Story documents in the Elasticsearch backend: an index of their own beside the articles'.

Reached through the alias ``<articles alias>-stories`` (concrete ``...-stories-vN``, so a
rebuild fills the next one and moves the alias atomically, as the articles' index does). It
shares the article index's client, cluster checks and bulk writer; its fields carry the article
index's names (:mod:`tidings.core.index.stories`), so the same query compiler and filters run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from elasticsearch import BadRequestError, NotFoundError

from tidings.core.index import elastic_queries as eq
from tidings.core.index.base import QueryError
from tidings.core.index.elastic_query_language import compile_query
from tidings.core.index.query_language import parse
from tidings.core.index.stories import MAX_STORIES, StoryQuery, story_document

if TYPE_CHECKING:
    from tidings.core.index.elastic import ElasticIndex

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
    """A :class:`~tidings.core.index.stories.StoryIndex` on the cluster of ``articles``."""

    def __init__(self, articles: ElasticIndex) -> None:
        self._es = articles
        self.alias = f"{articles.alias}-stories"
        self._ready = False

    @property
    def _client(self) -> Any:
        return self._es._client

    def _body(self, *, alias: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "settings": {"index": eq.index_settings(self._es._stemmer())},
            "mappings": mappings(),
        }
        if alias:
            body["aliases"] = {self.alias: {"is_write_index": True}}
        return body

    def _ensure(self) -> None:
        if self._ready:
            return
        self._es.check()
        with self._es._reaching():
            if not self._client.indices.exists(index=self.alias):
                concrete = eq.concrete_index(self.alias)
                try:
                    self._client.indices.create(index=concrete, **self._body(alias=True))
                except BadRequestError as exc:
                    if "already_exists" not in str(exc):
                        raise
                    self._client.indices.put_alias(index=concrete, name=self.alias)
        self._ready = True

    def _concrete(self) -> list[str]:
        try:
            return sorted(self._client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def _actions(self, index: str, stories: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {"_op_type": "index", "_index": index, "_id": str(s["id"]), "_source": source(s)}
            for s in stories
        ]

    def upsert(self, stories: list[dict[str, Any]]) -> None:
        self._es._require_writable()
        if stories:
            self._ensure()
            self._es._bulk(self._actions(self.alias, stories), refresh=self._es._refresh)

    def delete(self, ids: list[str]) -> None:
        self._es._require_writable()
        if ids:
            self._ensure()
            self._es._bulk(eq.delete_actions(self.alias, ids), ignore_status=(404,))

    def rebuild(self, batches: Iterable[list[dict[str, Any]]]) -> int:
        """Fill a new concrete index, then move the alias to it in one step."""
        self._es._require_writable()
        self._es.check()
        old = self._concrete()
        new = eq.next_concrete_index(self.alias, old)
        total = 0
        with self._es._reaching():
            self._client.indices.create(index=new, **self._body(alias=False))
            try:
                for batch in batches:
                    self._es._bulk(self._actions(new, batch), refresh=False)
                    total += len(batch)
                self._client.indices.refresh(index=new)
                self._client.indices.update_aliases(**eq.alias_switch(self.alias, old, new))
            except BaseException:
                with contextlib.suppress(Exception):
                    self._client.indices.delete(index=new, ignore_unavailable=True)
                raise
            if old:
                self._client.indices.delete(index=old, ignore_unavailable=True)
        self._ready = True
        return total

    def clear(self) -> None:
        self.rebuild([])

    def search(self, query: StoryQuery) -> list[str]:
        self._ensure()
        try:
            with self._es._reaching():
                found = self._client.search(index=self.alias, body=search_body(query)).body
        except BadRequestError as exc:
            raise QueryError(f"cannot search stories for {query.q!r}: {exc.message}") from None
        return [str(hit["_id"]) for hit in found["hits"]["hits"]]

    def count(self) -> int:
        self._ensure()
        with self._es._reaching():
            return int(self._client.count(index=self.alias)["count"])

    def drop(self) -> None:
        """Delete the story indices and the alias (tests; the next call recreates them)."""
        names = {eq.concrete_index(self.alias), *self._concrete()}
        self._client.indices.delete(index=sorted(names), ignore_unavailable=True)
        self._ready = False
