"""The Elasticsearch index backend: the same contract as the embedded index, on a cluster.

For deployments that outgrow one machine or want several writers. Request bodies come from
:mod:`tidings.core.index.elastic_queries`; this module only does I/O and reads responses.
Articles live in a concrete index (``<alias>-vN``) reached through an alias, so a rebuild fills
``<alias>-vN+1`` and switches the alias atomically (:meth:`ElasticIndex.rebuild`). Writes wait
for a refresh, so an upsert is visible to the next search, as with the embedded backend.
Date-sorted pages after the first are read from a point in time whose id rides in the cursor.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    BadRequestError,
    Elasticsearch,
    NotFoundError,
    TransportError,
    UnsupportedProductError,
    helpers,
)

from tidings.core.index import buckets
from tidings.core.index import elastic_queries as eq
from tidings.core.index.base import (
    ALL_FACETS,
    DEFAULT_LIMIT,
    FACET_SIZE,
    KEYWORD_FIELDS,
    MAX_LIMIT,
    Hit,
    IndexUnavailable,
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
from tidings.core.index.elastic_stories import ElasticStoryIndex
from tidings.core.index.embedded import IndexReadOnlyError
from tidings.core.index.query_language import Node, parse

#: Documents per ``_bulk`` request: a batch of an import goes in one or two round trips.
BULK_CHUNK = 2000
log = logging.getLogger(__name__)

# The transport logs each retry of a failed request as a warning with a traceback; this module
# reports the failure itself, once, as IndexUnavailable (one line). An operator who set a level
# on the "elastic_transport" logger keeps it.
if logging.getLogger("elastic_transport").level == logging.NOTSET:
    logging.getLogger("elastic_transport").setLevel(logging.ERROR)


def _error_type(exc: ApiError) -> str:
    """The server's error type (``resource_already_exists_exception``...), if it sent one."""
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("type") or "")
    return ""


def _reason(exc: ApiError) -> str:
    """A short, user-facing reason from an error response (root cause first)."""
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        causes = error.get("root_cause") or []
        first = causes[0] if causes and isinstance(causes[0], dict) else error
        return str(first.get("reason") or error.get("reason") or exc.message)
    return str(exc.message)


def redacted(url: str) -> str:
    """``url`` without a password, for messages (``TIDINGS_ES_URL`` may carry credentials)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _cluster_fault(exc: ApiError) -> bool:
    """Whether an error answer is the cluster's trouble, not the request's: any 5xx (a node
    failing, no active shard, a gateway in front of it) or 429 (overloaded, after the client's
    own retries). The rest (400, 404...) says something about the request; callers map those."""
    return exc.meta.status >= 500 or exc.meta.status == 429


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
        *,
        writable: bool = True,
        request_timeout: float = 30.0,
        max_retries: int = 5,
        initial_backoff: float = 1.0,
        max_backoff: float = 30.0,
        api_key: str | None = None,
        ca_certs: str | None = None,
    ) -> None:
        """Connect lazily: nothing is sent until the first call, so opening never fails.

        ``writable=False`` refuses writes, like a read-only embedded index (the API opens the
        index that way). The bulk retry settings apply to 429 (queue full) rejections.
        Credentials: user and password in ``url``, or an ``api_key`` (the encoded form
        Elasticsearch returns); ``ca_certs`` is a PEM file that signs the cluster's TLS
        certificate (for a private CA).
        """
        self.url = redacted(url)  # shown in messages and health; the client gets the real one
        self.alias = index
        self.writable = writable
        self._owns_client = client is None
        self._client = client or Elasticsearch(
            url,
            request_timeout=request_timeout,
            retry_on_timeout=True,
            max_retries=3,
            api_key=api_key or None,
            ca_certs=ca_certs or None,
        )
        self._max_retries = max_retries
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff
        self._ready = False
        self._stemmer_name: str | None = None
        self._refresh: str | bool = "wait_for"  # False inside bulk_loading()
        self.stories = ElasticStoryIndex(self)  # story documents, beside the articles

    # -- setup -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _reaching(self) -> Iterator[None]:
        """Turn "this cluster cannot be used" into one :class:`IndexUnavailable` line: down or a
        wrong URL, refused credentials, a server that is not Elasticsearch, or an answer that
        is the cluster's fault (5xx, 429). The CLI prints it and exits 2; the API answers 503.
        Every request this class sends goes through here; other error answers pass through
        for the caller to read (a 400 is the query's fault, a 404 a missing index or PIT)."""
        try:
            yield
        except TransportError as exc:  # refused, timed out, TLS, a reply that is not JSON
            raise IndexUnavailable(f"Elasticsearch at {self.url} is unreachable: {exc}") from exc
        except (AuthenticationException, AuthorizationException) as exc:
            raise IndexUnavailable(
                f"Elasticsearch at {self.url} refused the credentials ({exc.meta.status}): "
                f"{_reason(exc)}"
            ) from exc
        except UnsupportedProductError as exc:
            raise IndexUnavailable(
                f"{self.url} is not Elasticsearch (its answer lacks the X-Elastic-Product "
                "header); check TIDINGS_ES_URL"
            ) from exc
        except ApiError as exc:
            if not _cluster_fault(exc):
                raise
            # e.g. no shard of the index is active yet, a node failing, a full queue
            raise IndexUnavailable(
                f"Elasticsearch at {self.url} cannot answer now ({exc.meta.status}): "
                f"{_reason(exc)}"
            ) from exc

    def check(self) -> None:
        """``GET /_cluster/health``: the one request that tells a wrong URL or password from a
        working cluster before anything else is sent (the integ-test build has no ``GET /``).
        It reads no index, so commands also ask it before they crawl or serve for minutes: a
        second host starting beside the one that creates the index is not refused."""
        with self._reaching():
            try:
                self._client.cluster.health()
            except ApiError as exc:  # a web server, but not Elasticsearch
                if isinstance(exc, (AuthenticationException, AuthorizationException)):
                    raise
                if _cluster_fault(exc):
                    raise  # the cluster (or its gateway) cannot answer now: _reaching says so
                raise IndexUnavailable(
                    f"{self.url} is not Elasticsearch (GET /_cluster/health answered "
                    f"{exc.meta.status}); check TIDINGS_ES_URL"
                ) from exc

    def _ensure(self) -> None:
        """Create the concrete index and its alias on first use (safe if another process races)."""
        if self._ready:
            return
        self.check()
        with self._reaching():
            if not self._client.indices.exists(index=self.alias):
                self._put_template()
                concrete = eq.concrete_index(self.alias)
                try:
                    body = eq.index_body(self.alias, self._stemmer())
                    self._client.indices.create(index=concrete, **body)
                except BadRequestError as exc:
                    if _error_type(exc) != "resource_already_exists_exception":
                        raise
                    # Created meanwhile by another process, or left without its alias.
                    self._client.indices.put_alias(index=concrete, name=self.alias)
            else:
                self._add_new_fields()
        self._ready = True

    def _add_new_fields(self) -> None:
        """Map fields added since the index was made (``story_id``), so its strict mapping
        accepts new documents; articles indexed before get them from ``tidings reindex``."""
        self._client.indices.put_mapping(index=self.alias, **eq.added_fields())

    def _put_template(self) -> None:
        """Install (or update) the index template for ``<alias>-v*`` indices."""
        self._client.indices.put_index_template(**eq.index_template(self.alias, self._stemmer()))

    def _stemmer(self) -> str:
        """The best stemming chain this cluster supports (asked once per process).

        Every Elasticsearch distribution but Elastic's integ-test build has ``english``.
        """
        if self._stemmer_name is None:
            probes: dict[str, dict[str, Any]] = {
                "english": {"analyzer": "english"},
                "hunspell": {"tokenizer": "standard", "filter": [eq.HUNSPELL_EN]},
            }
            self._stemmer_name = "none"
            for name, probe in probes.items():
                try:
                    self._client.indices.analyze(text="news", **probe)
                except BadRequestError:
                    continue
                self._stemmer_name = name
                break
            if self._stemmer_name != "english":
                log.warning(
                    "Elasticsearch at %s has no 'english' analyzer (no analysis-common module):"
                    " text is stemmed with %s",
                    self.url,
                    "hunspell en_US" if self._stemmer_name == "hunspell" else "nothing",
                )
        return self._stemmer_name

    def _concrete_indices(self) -> list[str]:
        """The concrete indices the alias points to now (none before the first write)."""
        try:
            return sorted(self._client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    # -- writes ----------------------------------------------------------------------------

    def _require_writable(self) -> None:
        if not self.writable:
            raise IndexReadOnlyError(f"the Elasticsearch index {self.alias} was opened read-only")

    def _bulk(
        self,
        actions: list[dict[str, Any]],
        ignore_status: tuple[int, ...] = (),
        refresh: str | bool = "wait_for",
    ) -> None:
        """Send actions in chunks, retrying 429 rejections with backoff; wait for visibility.

        ``refresh=False`` for a rebuild's index, whose refreshes are off (``wait_for`` would
        then wait for ever).
        """
        if not actions:
            return
        # raise_on_error=False is what makes item-level 429s retried at all: with True the
        # helper raises on the first rejected item instead (elastic/elasticsearch-py#864).
        failed = []
        with self._reaching():  # the cluster went away mid-write: callers keep it pending
            for ok, item in helpers.streaming_bulk(
                self._client,
                actions,
                chunk_size=BULK_CHUNK,
                max_retries=self._max_retries,
                initial_backoff=self._initial_backoff,
                max_backoff=self._max_backoff,
                raise_on_error=False,
                yield_ok=False,
                refresh=refresh,
            ):
                status = next(iter(item.values()), {}).get("status")
                if not ok and status not in ignore_status:
                    failed.append(item)
        if failed:
            raise helpers.BulkIndexError(f"{len(failed)} document(s) failed to index", failed)

    def upsert(self, articles: list[dict[str, Any]]) -> None:
        """Add or replace articles by id; visible to searches when this returns (inside
        :meth:`bulk_loading`: when the loading ends)."""
        self._require_writable()
        self._ensure()
        self._bulk(eq.upsert_actions(self.alias, articles), refresh=self._refresh)

    @contextlib.contextmanager
    def bulk_loading(self) -> Iterator[None]:
        """Upserts inside are durable when they return but visible only at the end: one refresh
        then, instead of one wait per batch.

        Waiting for a refresh after every batch made an import spend most of its time waiting
        (a refresh comes once a second). The documents are in the translog as soon as the bulk
        request answers, so clearing the store's pending marks after each batch stays safe; a
        loader killed before the end leaves them to the cluster's own next refresh.
        """
        self._refresh = False
        try:
            yield
        finally:
            self._refresh = "wait_for"
        if self._ready:
            with self._reaching():
                self._client.indices.refresh(index=self.alias)

    def delete(self, ids: list[str]) -> None:
        """Remove articles by id (unknown ids are ignored)."""
        self._require_writable()
        self._ensure()
        self._bulk(eq.delete_actions(self.alias, ids), ignore_status=(404,))

    def clear(self) -> None:
        """Remove every article, keeping the alias and the mappings: an empty rebuild.

        A fresh index behind the alias takes the same time at any size, and needs no
        ``_delete_by_query`` (which lives in the reindex module, absent from some builds).
        """
        self.rebuild([])

    def rebuild(self, batches: Iterable[list[dict[str, Any]]]) -> int:
        """Fill a new concrete index from ``batches``, then move the alias to it atomically.

        Searches keep reading the old index until one ``_aliases`` request removes the alias
        from it and adds it to the new one; the old index is then deleted. Writes that reach
        the old index while the new one loads are lost with it: pause crawlers during a rebuild
        (the store keeps everything; a later reindex or the store's outbox catches up).
        Returns the number of articles loaded. A failure leaves the alias where it was.
        """
        self._require_writable()
        self.check()
        with self._reaching():
            self._put_template()
            old = self._concrete_indices()
            new = eq.next_concrete_index(self.alias, old)
            self._client.indices.create(index=new, **eq.rebuild_body(self._stemmer()))
            total = 0
            try:
                when = datetime.now(UTC)
                for batch in batches:
                    self._bulk(eq.upsert_actions(new, batch, when), refresh=False)
                    total += len(batch)
                self._client.indices.put_settings(index=new, settings=eq.serving_settings())
                self._client.indices.refresh(index=new)
                self._client.indices.update_aliases(**eq.alias_switch(self.alias, old, new))
            except BaseException:
                with contextlib.suppress(Exception):  # never leave a half-built index behind
                    self._client.indices.delete(index=new, ignore_unavailable=True)
                raise
            if old:
                self._client.indices.delete(index=old, ignore_unavailable=True)
        self._ready = True
        return total

    def drop(self) -> None:
        """Delete the concrete index (or indices) behind the alias, and with them the alias.

        For tests and operators; the next call recreates an empty index.
        """
        self._require_writable()
        with self._reaching():
            names = {eq.concrete_index(self.alias), *self._concrete_indices()}
            self._client.indices.delete(index=sorted(names), ignore_unavailable=True)
        self._ready = False
        self.stories.drop()

    # -- queries ---------------------------------------------------------------------------

    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        """Run a search body (on the alias, or on the point in time the body names): every
        query path (search and its facets, trends, related, recent) comes through here."""
        with self._reaching():
            if "pit" in body:
                return self._client.search(body=body).body
            return self._client.search(index=self.alias, body=body).body

    def _open_pit(self) -> str:
        with self._reaching():
            opened = self._client.open_point_in_time(index=self.alias, keep_alive=eq.PIT_KEEP_ALIVE)
        return str(opened["id"])

    def _close_pit(self, pit: str) -> None:
        with contextlib.suppress(Exception):  # it expires on its own anyway
            self._client.close_point_in_time(id=pit)

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a query; a malformed query is a QueryError, never a server error."""
        check_request(request)
        cursor = decode_cursor(request.cursor, eq.mode(request)) if request.cursor else None
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
        result = self._result(request, response, cursor, pit)
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
            raise QueryError(f"cannot search for {request.q!r}: {_reason(exc)}") from None
        if _failed_shards(response):
            raise QueryError(f"cannot search for {request.q!r}")
        return response

    @staticmethod
    def _result(
        request: SearchRequest,
        response: dict[str, Any],
        cursor: DateCursor | OffsetCursor | None,
        pit: str | None = None,
    ) -> SearchResult:
        """Hits, total, facets, histogram and the next cursor from a ``_search`` response."""
        found = response["hits"]["hits"]
        page, more = found[: request.limit], len(found) > request.limit
        date_order = eq.by_date(request)
        next_cursor = None
        if date_order and not request.collapse_field:
            if more:
                next_cursor = eq.date_cursor(page[-1]["sort"], pit)
        else:
            offset = cursor.offset if isinstance(cursor, OffsetCursor) else 0
            asof = cursor.asof if isinstance(cursor, OffsetCursor) else eq.newest_stamp(response)
            if more and offset + request.limit <= MAX_OFFSET:
                following = OffsetCursor(offset + request.limit, asof)
                next_cursor = encode_cursor(following, eq.mode(request))
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
            raise QueryError(f"cannot chart {request.q!r}: {_reason(exc)}") from None
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
        with self._reaching():
            return int(self._client.count(index=self.alias)["count"])

    def health(self) -> dict[str, Any]:
        """Cluster status and document count; any failure is reported, never raised.

        Green and yellow are "ok" (yellow: a replica is missing, every article is searchable).
        """
        base = {"backend": self.backend, "index": self.alias}
        try:
            quick = self._client.options(request_timeout=5, max_retries=0)
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
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> ElasticIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
