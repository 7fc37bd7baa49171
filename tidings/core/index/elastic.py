"""The Elasticsearch index backend: the same contract as the embedded index, on a cluster.

For deployments that outgrow one machine or want several writers. Request bodies come from
:mod:`tidings.core.index.elastic_queries`; this module only does I/O and reads responses.
The connection (client, fault mapping, bulk writer) is :mod:`~tidings.core.index.elastic_cluster`,
shared with the story documents (:mod:`~tidings.core.index.elastic_stories`). Articles live in a
concrete index (``<alias>-vN``) reached through an alias, so a rebuild fills ``<alias>-vN+1`` and
switches the alias atomically (:mod:`~tidings.core.index.elastic_alias`). Writes wait
for a refresh, so an upsert is visible to the next search, as with the embedded backend.
Date-sorted pages after the first are read from a point in time whose id rides in the cursor.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Unpack

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError

from tidings.core.index import buckets
from tidings.core.index import elastic_alias as aliased
from tidings.core.index import elastic_queries as eq
from tidings.core.index.base import (
    ALL_FACETS,
    DEFAULT_LIMIT,
    FACET_SIZE,
    KEYWORD_FIELDS,
    MAX_LIMIT,
    Hit,
    QueryError,
    SearchRequest,
    SearchResult,
    check_request,
)
from tidings.core.index.cursor import (
    MAX_OFFSET,
    DateCursor,
    OffsetCursor,
    decode_cursor,
    encode_cursor,
)
from tidings.core.index.elastic_cluster import ClusterOptions, ElasticCluster, reason
from tidings.core.index.elastic_stories import ElasticStoryIndex
from tidings.core.index.query_language import Node, parse


def _failed_shards(response: dict[str, Any]) -> bool:
    return bool((response.get("_shards") or {}).get("failed"))


class ElasticIndex:
    """An :class:`~tidings.core.index.base.IndexBackend` on an Elasticsearch 8.x cluster."""

    backend = "elasticsearch"

    def __init__(
        self,
        url: str,
        index: str = "tidings-articles",
        client: Elasticsearch | None = None,
        **options: Unpack[ClusterOptions],
    ) -> None:
        """Connect lazily: nothing is sent until the first call, so opening never fails.

        ``options`` (:class:`~tidings.core.index.elastic_cluster.ClusterOptions`): read-only,
        timeouts, bulk retries, credentials, a private CA.
        """
        self.cluster = ElasticCluster(url, client, **options)
        self.url = self.cluster.url  # redacted: shown in messages and health
        self.alias = index
        self._ready = False
        self.stories = ElasticStoryIndex(self.cluster, f"{index}-stories")  # beside the articles

    @property
    def writable(self) -> bool:
        return self.cluster.writable

    # -- setup -----------------------------------------------------------------------------

    def check(self) -> None:
        """Tell a wrong URL or password from a working cluster (:meth:`ElasticCluster.check`)."""
        self.cluster.check()

    def _ensure(self) -> None:
        """Create the concrete index and its alias on first use (safe if another process races)."""
        if self._ready:
            return
        self.check()
        with self.cluster.reaching():
            if not self.cluster.client.indices.exists(index=self.alias):
                self._put_template()
                body = eq.index_body(self.alias, self.cluster.stemmer())
                aliased.create_first(self.cluster, self.alias, body)
            else:
                self._add_new_fields()
        self._ready = True

    def _add_new_fields(self) -> None:
        """Map fields added since the index was made (``story_id``), so its strict mapping
        accepts new documents; articles indexed before get them from ``tidings reindex``."""
        self.cluster.client.indices.put_mapping(index=self.alias, **eq.added_fields())

    def _put_template(self) -> None:
        """Install (or update) the index template for ``<alias>-v*`` indices."""
        template = eq.index_template(self.alias, self.cluster.stemmer())
        self.cluster.client.indices.put_index_template(**template)

    # -- writes ----------------------------------------------------------------------------

    def upsert(self, articles: list[dict[str, Any]]) -> None:
        """Add or replace articles by id; visible to searches when this returns (inside
        :meth:`bulk_loading`: when the loading ends)."""
        self.cluster.require_writable(self.alias)
        self._ensure()
        self.cluster.bulk(
            eq.upsert_actions(self.alias, articles), refresh=self.cluster.write_refresh
        )

    @contextlib.contextmanager
    def bulk_loading(self) -> Iterator[None]:
        """Upserts inside are durable when they return but visible only at the end: one refresh
        then, instead of one wait per batch.

        Waiting for a refresh after every batch made an import spend most of its time waiting
        (a refresh comes once a second). The documents are in the translog as soon as the bulk
        request answers, so clearing the store's pending marks after each batch stays safe; a
        loader killed before the end leaves them to the cluster's own next refresh.
        """
        with self.cluster.deferred_refresh():
            yield
        if self._ready:
            with self.cluster.reaching():
                self.cluster.client.indices.refresh(index=self.alias)
        self.stories.refresh()  # story documents written meanwhile become visible too

    def delete(self, ids: list[str]) -> None:
        """Remove articles by id (unknown ids are ignored)."""
        self.cluster.require_writable(self.alias)
        self._ensure()
        self.cluster.bulk(eq.delete_actions(self.alias, ids), ignore_status=(404,))

    def clear(self) -> None:
        """Remove every article, keeping the alias and the mappings: an empty rebuild.

        A fresh index behind the alias takes the same time at any size, and needs no
        ``_delete_by_query`` (which lives in the reindex module, absent from some builds).
        """
        self.rebuild([])

    def rebuild(self, batches: Iterable[list[dict[str, Any]]]) -> int:
        """Fill a new concrete index from ``batches``, then move the alias to it atomically
        (:func:`~tidings.core.index.elastic_alias.rebuild_into`).

        Writes that reach the old index while the new one loads are lost with it: pause
        crawlers during a rebuild (the store keeps everything; a later reindex or the store's
        outbox catches up). Returns the number of articles loaded. A failure leaves the alias
        where it was.
        """
        self.cluster.require_writable(self.alias)
        self.check()
        with self.cluster.reaching():
            self._put_template()
        when = datetime.now(UTC)
        total = aliased.rebuild_into(
            self.cluster,
            self.alias,
            eq.rebuild_body(self.cluster.stemmer()),
            batches,
            lambda new, batch: eq.upsert_actions(new, batch, when),
            serving=eq.serving_settings(),
        )
        self._ready = True
        return total

    def drop(self) -> None:
        """Delete the concrete index (or indices) behind the alias, and with them the alias.

        For tests and operators; the next call recreates an empty index.
        """
        self.cluster.require_writable(self.alias)
        aliased.drop(self.cluster, self.alias)
        self._ready = False
        self.stories.drop()

    # -- queries ---------------------------------------------------------------------------

    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        """Run a search body (on the alias, or on the point in time the body names): every
        query path (search and its facets, trends, related, recent) comes through here."""
        with self.cluster.reaching():
            if "pit" in body:
                return self.cluster.client.search(body=body).body
            return self.cluster.client.search(index=self.alias, body=body).body

    def _open_pit(self) -> str:
        with self.cluster.reaching():
            opened = self.cluster.client.open_point_in_time(
                index=self.alias, keep_alive=eq.PIT_KEEP_ALIVE
            )
        return str(opened["id"])

    def _close_pit(self, pit: str) -> None:
        with contextlib.suppress(Exception):  # it expires on its own anyway
            self.cluster.client.close_point_in_time(id=pit)

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a query; a malformed query is a QueryError, never a server error."""
        check_request(request)
        mode = eq.mode(request)  # once: checks the cursor given and stamps the next one
        cursor = decode_cursor(request.cursor, mode) if request.cursor else None
        if isinstance(cursor, DateCursor):
            eq.search_after(cursor)  # range check before any I/O
        tree = parse(request.q)
        self._ensure()
        pit = None
        if isinstance(cursor, DateCursor):  # deep date paging: read one point in time
            pit = cursor.pit or self._open_pit()
        response = self._run(request, tree, cursor, pit)
        if pit:
            pit = str(response.get("pit_id") or pit)
        result = self._result(request, response, cursor, mode, pit)
        if pit and result.next_cursor is None:
            self._close_pit(pit)
        return result

    def _run(
        self,
        request: SearchRequest,
        tree: Node | None,
        cursor: DateCursor | OffsetCursor | None,
        pit: str | None,
    ) -> dict[str, Any]:
        """Search, reopening an expired point in time once (the cursor's keys still hold)."""
        try:
            try:
                response = self._search(eq.search_body(request, tree, cursor, pit))
            except NotFoundError:
                if not pit:
                    raise
                pit = self._open_pit()
                response = self._search(eq.search_body(request, tree, cursor, pit))
        except (BadRequestError, NotFoundError) as exc:
            raise QueryError(f"cannot search for {request.q!r}: {reason(exc)}") from None
        if _failed_shards(response):
            raise QueryError(f"cannot search for {request.q!r}")
        return response

    @staticmethod
    def _result(
        request: SearchRequest,
        response: dict[str, Any],
        cursor: DateCursor | OffsetCursor | None,
        mode: str,
        pit: str | None = None,
    ) -> SearchResult:
        """Hits, total, facets, histogram and the next cursor from a ``_search`` response."""
        found = response["hits"]["hits"]
        page, more = found[: request.limit], len(found) > request.limit
        date_order = eq.by_date(request)
        next_cursor = None
        if date_order and not request.collapse_field:
            if more:
                next_cursor = eq.date_cursor(page[-1]["sort"], pit, mode)
        else:
            offset = cursor.offset if isinstance(cursor, OffsetCursor) else 0
            asof = cursor.asof if isinstance(cursor, OffsetCursor) else eq.newest_stamp(response)
            if more and offset + request.limit <= MAX_OFFSET:
                following = OffsetCursor(offset + request.limit, asof)
                next_cursor = encode_cursor(following, mode)
        hits = []
        for raw in page:
            marks = raw.get("highlight") or {}
            hits.append(
                Hit(
                    id=str(raw["_id"]),
                    score=0.0 if date_order else float(raw.get("_score") or 0.0),
                    article=dict((raw.get("_source") or {}).get("doc") or {}),
                    highlights={
                        name: eq.highlight_of(marks[name][0])
                        for name in ("title", "body")
                        if marks.get(name)
                    },
                    cluster_size=eq.group_size(raw) if request.collapse_field else 1,
                )
            )
        total = response["hits"].get("total") or {}
        count = int(total.get("value", 0)) if isinstance(total, dict) else int(total)
        if request.collapse_field:
            count = eq.groups(response) or 0
        return SearchResult(
            total=count,
            hits=hits,
            facets=eq.facets(response, request.facets),
            next_cursor=next_cursor,
            histogram=buckets.histogram(eq.histogram_counts(response)) if request.histogram else [],
        )

    def more_like_this(self, article_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """Articles sharing the most distinctive terms with one article (none if unknown)."""
        limit = max(1, min(int(limit), MAX_LIMIT))
        self._ensure()
        try:
            response = self._search(eq.more_like_this_body(self.alias, str(article_id), limit))
        except (BadRequestError, NotFoundError):
            return []
        return [dict((h.get("_source") or {}).get("doc") or {}) for h in response["hits"]["hits"]]

    def trends(
        self, request: SearchRequest, field: str, size: int = 5
    ) -> dict[str, list[tuple[str, int]]]:
        """Per-day counts of the ``size`` commonest values of ``field`` among the matches."""
        if field not in KEYWORD_FIELDS:
            raise QueryError(f"unknown trend field {field!r}; valid: {', '.join(ALL_FACETS)}")
        if not 1 <= size <= FACET_SIZE:
            raise QueryError(f"size must be between 1 and {FACET_SIZE}")
        tree = parse(request.q)
        self._ensure()
        try:
            response = self._search(eq.trends_body(request, tree, field, size))
        except BadRequestError as exc:
            raise QueryError(f"cannot chart {request.q!r}: {reason(exc)}") from None
        return buckets.trends(eq.trend_counts(response))

    def recent(self, topic: str | None = None, limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
        """Newest articles first (published, else fetched), optionally in one topic."""
        limit = max(1, min(int(limit), MAX_LIMIT))
        self._ensure()
        response = self._search(eq.recent_body(topic, limit))
        return [dict((h.get("_source") or {}).get("doc") or {}) for h in response["hits"]["hits"]]

    def count(self) -> int:
        """Number of indexed articles."""
        self._ensure()
        with self.cluster.reaching():
            return int(self.cluster.client.count(index=self.alias)["count"])

    def health(self) -> dict[str, Any]:
        """Cluster status and document count; any failure is reported, never raised.

        Green and yellow are "ok" (yellow: a replica is missing, every article is searchable).
        """
        base = {"backend": self.backend, "index": self.alias}
        try:
            quick = self.cluster.client.options(request_timeout=5, max_retries=0)
            cluster = quick.cluster.health()
            color = str(cluster.get("status"))
            self._ensure()
            documents = int(quick.count(index=self.alias)["count"])
        except Exception as exc:  # health must report, not raise
            return {**base, "status": "error", "error": str(exc)}
        out = {
            **base,
            "status": "ok" if color in ("green", "yellow") else "error",
            "cluster": cluster.get("cluster_name"),
            "cluster_status": color,
            "documents": documents,
        }
        if out["status"] == "error":
            out["error"] = f"cluster status is {color}"
        return out

    def close(self) -> None:
        """Close the HTTP connections if this object created the client."""
        self.cluster.close()

    def __enter__(self) -> ElasticIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
