"""One connection to an Elasticsearch cluster, shared by the article and story indices.

Both indices send every request through :meth:`ElasticCluster.reaching` (so a cluster that
cannot be used is one :class:`IndexUnavailable` line wherever it shows), write through the
same bulk writer (429 retries, item failures), obey one read-only flag and one refresh mode
(``bulk_loading`` defers both indices' refreshes), and build their text fields with the same
stemmer, probed once per connection.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any, TypedDict
from urllib.parse import urlsplit, urlunsplit

from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    BadRequestError,
    Elasticsearch,
    TransportError,
    UnsupportedProductError,
    helpers,
)

from tidings.core.index import elastic_queries as eq
from tidings.core.index.base import IndexUnavailable
from tidings.core.index.embedded import IndexReadOnlyError

#: Documents per ``_bulk`` request: a batch of an import goes in one or two round trips.
BULK_CHUNK = 2000
log = logging.getLogger(__name__)

# The transport logs each retry of a failed request as a warning with a traceback; this module
# reports the failure itself, once, as IndexUnavailable (one line). An operator who set a level
# on the "elastic_transport" logger keeps it.
if logging.getLogger("elastic_transport").level == logging.NOTSET:
    logging.getLogger("elastic_transport").setLevel(logging.ERROR)


def error_type(exc: ApiError) -> str:
    """The server's error type (``resource_already_exists_exception``...), if it sent one."""
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("type") or "")
    return ""


def reason(exc: ApiError) -> str:
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


class ClusterOptions(TypedDict, total=False):
    """How to reach a cluster and write to it: :class:`ElasticCluster`'s keyword arguments, for
    callers that pass them through (``ElasticIndex``). Every key is optional (defaults in brackets).

    ``writable`` [True]: False refuses writes, like a read-only embedded index (the API opens
    the index that way). ``request_timeout`` [30 s] per request. ``max_retries`` [5],
    ``initial_backoff`` [1 s], ``max_backoff`` [30 s]: the bulk writer's retries of 429 (queue
    full) rejections. Credentials: user and password in the URL, or ``api_key`` (the encoded
    form Elasticsearch returns); ``ca_certs``: a PEM file that signs the cluster's TLS
    certificate (for a private CA).
    """

    writable: bool
    request_timeout: float
    max_retries: int
    initial_backoff: float
    max_backoff: float
    api_key: str | None
    ca_certs: str | None


class ElasticCluster:
    """The client, fault mapping, bulk writer and write settings of one cluster connection."""

    def __init__(
        self,
        url: str,
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
        """Connect lazily: nothing is sent until the first request (options: ClusterOptions)."""
        self.url = redacted(url)  # shown in messages and health; the client gets the real one
        self.writable = writable
        self._owns_client = client is None
        self.client = client or Elasticsearch(
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
        self._stemmer_name: str | None = None
        #: What a write waits for: ``"wait_for"`` (visible when it returns), or ``False``
        #: inside :meth:`deferred_refresh` (the loader refreshes once at the end).
        self.write_refresh: str | bool = "wait_for"

    @contextlib.contextmanager
    def reaching(self) -> Iterator[None]:
        """Turn "this cluster cannot be used" into one :class:`IndexUnavailable` line: down or a
        wrong URL, refused credentials, a server that is not Elasticsearch, or an answer that
        is the cluster's fault (5xx, 429). The CLI prints it and exits 2; the API answers 503.
        Every request the indices send goes through here; other error answers pass through
        for the caller to read (a 400 is the query's fault, a 404 a missing index or PIT)."""
        try:
            yield
        except TransportError as exc:  # refused, timed out, TLS, a reply that is not JSON
            raise IndexUnavailable(f"Elasticsearch at {self.url} is unreachable: {exc}") from exc
        except (AuthenticationException, AuthorizationException) as exc:
            raise IndexUnavailable(
                f"Elasticsearch at {self.url} refused the credentials ({exc.meta.status}): "
                f"{reason(exc)}"
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
                f"{reason(exc)}"
            ) from exc

    def check(self) -> None:
        """``GET /_cluster/health``: the one request that tells a wrong URL or password from a
        working cluster before anything else is sent (the integ-test build has no ``GET /``).
        It reads no index, so commands also ask it before they crawl or serve for minutes: a
        second host starting beside the one that creates the index is not refused."""
        with self.reaching():
            try:
                self.client.cluster.health()
            except ApiError as exc:  # a web server, but not Elasticsearch
                if isinstance(exc, (AuthenticationException, AuthorizationException)):
                    raise
                if _cluster_fault(exc):
                    raise  # the cluster (or its gateway) cannot answer now: reaching says so
                raise IndexUnavailable(
                    f"{self.url} is not Elasticsearch (GET /_cluster/health answered "
                    f"{exc.meta.status}); check TIDINGS_ES_URL"
                ) from exc

    def stemmer(self) -> str:
        """The best stemming chain this cluster supports (asked once per connection).

        Every Elasticsearch distribution but Elastic's integ-test build has ``english``.
        """
        if self._stemmer_name is None:
            probes: dict[str, dict[str, Any]] = {
                "english": {"analyzer": "english"},
                "hunspell": {"tokenizer": "standard", "filter": [eq.HUNSPELL_EN]},
            }
            found = "none"
            with self.reaching():  # a fault here is remembered as nothing: the next call asks
                for name, probe in probes.items():
                    try:
                        self.client.indices.analyze(text="news", **probe)
                    except BadRequestError:
                        continue
                    found = name
                    break
            self._stemmer_name = found
            if self._stemmer_name != "english":
                log.warning(
                    "Elasticsearch at %s has no 'english' analyzer (no analysis-common module):"
                    " text is stemmed with %s",
                    self.url,
                    "hunspell en_US" if self._stemmer_name == "hunspell" else "nothing",
                )
        return self._stemmer_name

    def require_writable(self, alias: str) -> None:
        """Refuse a write to ``alias`` on a connection opened read-only (the API's)."""
        if not self.writable:
            raise IndexReadOnlyError(f"the Elasticsearch index {alias} was opened read-only")

    def bulk(
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
        with self.reaching():  # the cluster went away mid-write: callers keep it pending
            for ok, item in helpers.streaming_bulk(
                self.client,
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

    @contextlib.contextmanager
    def deferred_refresh(self) -> Iterator[None]:
        """Writes inside wait for no refresh (:attr:`write_refresh` is ``False`` meanwhile)."""
        self.write_refresh = False
        try:
            yield
        finally:
            self.write_refresh = "wait_for"

    def close(self) -> None:
        """Close the HTTP connections if this object created the client."""
        if self._owns_client:
            self.client.close()
