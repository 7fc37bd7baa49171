"""What the Elasticsearch backend does where a real cluster cannot be made to misbehave.

The contract suite (``tests/contract``) runs every behaviour on a real node. What stays here
needs a **recording stub** (``http.server`` on loopback that records each request and answers
canned, Elasticsearch-shaped JSON with the ``X-Elastic-Product`` header the 8.x client checks):
answers a healthy node never gives on cue (429 rejections, item failures, an expired point in
time, an index created by another process mid-call, a rebuild that fails half-way), which
clusters get an English analyzer, and what happens before any request is sent (validation,
read-only refusal, unreachable hosts, credentials kept out of messages).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from elasticsearch.helpers import BulkIndexError

from tidings.core.config import Settings
from tidings.core.index import IndexReadOnlyError, QueryError, SearchRequest, open_index
from tidings.core.index import elastic_queries as eq
from tidings.core.index.base import IndexUnavailable
from tidings.core.index.cursor import DateCursor, OffsetCursor, encode_cursor
from tidings.core.index.elastic import ElasticIndex
from tidings.core.index.elastic_query_language import compile_query
from tidings.core.index.query_language import parse

ALIAS = "tidings-test"
WHEN = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
MS = 1_709_294_400_000  # WHEN in epoch milliseconds
ART: dict[str, Any] = {
    "id": "a1",
    "url": "https://e.example/a1",
    "canonical_url": "https://e.example/a1",
    "source": {"id": "herald", "name": "Herald", "domain": "e.example"},
    "title": "Storm <i>warning</i>",
    "summary": "Gales.",
    "body": "Wind and rain.",
    "authors": ["A. Writer"],
    "published_at": "2024-03-01T12:00:00+00:00",
    "updated_at": None,
    "date_source": "meta",
    "fetched_at": "2024-03-02T00:00:00+00:00",
    "language": "en",
    "image_url": None,
    "tags": ["weather"],
    "topics": [{"id": "weather", "score": 0.9, "origin": "model"}],
    "entities": [{"text": "Met Office", "label": "ORG", "key": "met-office"}],
    "model_version": "m-1",
    "word_count": 3,
    "fingerprint": "ff",
    "cluster_id": None,
}


DISPLAY = {name: ART.get(name) for name in eq.DISPLAY_FIELDS}


def body_of(q: str) -> dict[str, Any]:
    return compile_query(parse(q))


def test_no_query_reaches_the_server_as_query_string_syntax() -> None:
    for q in ['"unbalanced', "title:(", "a OR", "\\", "^2", "x:[a TO b]", "ti*:x", "_exists_:t"]:
        assert "query_string" not in json.dumps(body_of(q))


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    raw: bytes

    def json(self) -> Any:
        return json.loads(self.raw)

    def ndjson(self) -> list[Any]:
        return [json.loads(line) for line in self.raw.decode().splitlines() if line.strip()]


Answer = tuple[int, Any]


@dataclass
class RecordingStub:
    """An HTTP server on loopback that records requests and answers canned JSON.

    ``answer`` maps a request to (status, JSON body); the default says what a fresh cluster
    would say to the calls ``ElasticIndex`` makes. It is a stand-in, not Elasticsearch.
    """

    answer: Callable[[Recorded], Answer]
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.requests]


def default_answer(req: Recorded) -> Answer:
    if req.method == "HEAD":
        return 404, None
    if req.method == "PUT" and req.path.startswith(f"/{ALIAS}-v") and req.path.count("/") == 1:
        name = req.path[1:]
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}
    if req.path == f"/_index_template/{ALIAS}" or req.path == "/_aliases":
        return 200, {"acknowledged": True}
    if req.path.endswith("/_settings"):
        return 200, {"acknowledged": True}
    if req.path.endswith("/_refresh"):
        return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
    if req.path == f"/{ALIAS}/_pit":
        return 200, {"id": "PIT1"}
    if req.path == "/_pit" and req.method == "DELETE":
        return 200, {"succeeded": True, "num_freed": 1}
    if req.path == "/_bulk":
        items, lines = [], req.ndjson()
        while lines:
            (op, meta), *_ = lines.pop(0).items()
            if op != "delete":
                lines.pop(0)  # the document line
            status = 404 if op == "delete" and meta["_id"] == "missing" else 200
            items.append({op: {"_index": f"{ALIAS}-v1", "_id": meta["_id"], "status": status}})
        errors = any(item[op]["status"] >= 300 for item in items for op in item)
        return 200, {"took": 1, "errors": errors, "items": items}
    if req.path == f"/{ALIAS}/_count":
        return 200, {"count": 7, "_shards": {"total": 1, "successful": 1, "failed": 0}}
    if req.path == "/_cluster/health":
        return 200, {"cluster_name": "stub", "status": "yellow", "number_of_nodes": 1}
    if req.path == f"/{ALIAS}/_delete_by_query":
        return 200, {"took": 1, "deleted": 7, "failures": []}
    if req.path == f"/_alias/{ALIAS}":
        return 200, {f"{ALIAS}-v1": {"aliases": {ALIAS: {"is_write_index": True}}}}
    if req.path == "/_analyze":  # a full distribution: the english analyzer exists
        return 200, {"tokens": [{"token": "news", "start_offset": 0, "end_offset": 4}]}
    if req.method == "DELETE":
        return 200, {"acknowledged": True}
    return 500, {"error": {"type": "stub", "reason": f"no canned answer for {req.path}"}}


@pytest.fixture
def stub() -> Iterator[RecordingStub]:
    rec = RecordingStub(answer=default_answer)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            req = Recorded(
                self.command,
                parts.path,
                dict(parse_qsl(parts.query)),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length) if length else b"",
            )
            rec.requests.append(req)
            status, body = rec.answer(req)
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def es(stub: RecordingStub) -> Iterator[ElasticIndex]:
    index = ElasticIndex(stub.url, ALIAS, initial_backoff=0.01, max_backoff=0.05)
    yield index
    index.close()


def hit(aid: str, sort: list[Any], score: float | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "_index": f"{ALIAS}-v1",
        "_id": aid,
        "_score": score,
        "_source": {"doc": {**DISPLAY, "id": aid}},
        "sort": sort,
        **extra,
    }


def search_answer(hits: list[dict[str, Any]], total: int, **extra: Any) -> dict[str, Any]:
    return {
        "took": 1,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": total, "relation": "eq"}, "max_score": None, "hits": hits},
        **extra,
    }


def test_index_created_meanwhile_gets_its_alias(stub: RecordingStub, es: ElasticIndex) -> None:
    exists = {"type": "resource_already_exists_exception", "reason": "exists"}

    def answer(req: Recorded) -> Answer:
        if req.method == "PUT" and req.path == f"/{ALIAS}-v1":
            return 400, {"error": {**exists, "root_cause": [exists]}, "status": 400}
        if req.path == f"/{ALIAS}-v1/_alias/{ALIAS}":
            return 200, {"acknowledged": True}
        return default_answer(req)

    stub.answer = answer
    assert es.count() == 7
    assert ("PUT", f"/{ALIAS}-v1/_alias/{ALIAS}") in stub.calls()


@pytest.mark.parametrize(
    ("missing", "stemmer"),
    [((), "english"), (("english",), "hunspell"), (("english", "hunspell"), "none")],
)
def test_text_is_stemmed_with_the_best_analyzer_the_cluster_has(
    stub: RecordingStub, es: ElasticIndex, missing: tuple[str, ...], stemmer: str
) -> None:
    """Full distributions have ``english``; the integ-test build only has hunspell (if given a
    dictionary): the test node exercises that branch, so the others are checked here."""

    def answer(req: Recorded) -> Answer:
        probe = req.json() if req.path == "/_analyze" else {}
        kind = "english" if probe.get("analyzer") == "english" else "hunspell"
        if probe and kind in missing:
            failure = {"type": "illegal_argument_exception", "reason": f"no {kind}"}
            return 400, {"error": {**failure, "root_cause": [failure]}, "status": 400}
        return default_answer(req)

    stub.answer = answer
    es.upsert([ART])
    created = next(r for r in stub.requests if r.method == "PUT" and r.path == f"/{ALIAS}-v1")
    assert created.json() == eq.index_body(ALIAS, stemmer)
    analyzer = created.json()["settings"]["index"]["analysis"]["analyzer"][eq.TEXT_ANALYZER]
    assert (analyzer.get("type") == "english") == (stemmer == "english")
    assert ("tidings_hunspell_en" in analyzer.get("filter", [])) == (stemmer == "hunspell")


def test_a_fault_while_probing_the_stemmer_is_not_remembered(
    stub: RecordingStub, es: ElasticIndex
) -> None:
    """A node failing during the first probe must not leave the index unstemmed for the
    rest of the process: the next write probes again and gets the ``english`` chain."""
    failing = {"type": "node_not_connected_exception", "reason": "node not connected"}

    def answer(req: Recorded) -> Answer:
        if req.path == "/_analyze":
            return 500, {"error": {**failing, "root_cause": [failing]}, "status": 500}
        return default_answer(req)

    stub.answer = answer
    with pytest.raises(IndexUnavailable, match=r"\(500\)"):
        es.upsert([ART])
    assert not any(r.method == "PUT" and r.path == f"/{ALIAS}-v1" for r in stub.requests)
    stub.answer = default_answer
    es.upsert([ART])
    created = next(r for r in stub.requests if r.method == "PUT" and r.path == f"/{ALIAS}-v1")
    assert created.json() == eq.index_body(ALIAS, "english")


def test_bulk_items_rejected_with_429_are_retried(stub: RecordingStub, es: ElasticIndex) -> None:
    rejected: list[str] = []

    def answer(req: Recorded) -> Answer:
        if req.path != "/_bulk":
            return default_answer(req)
        lines = req.ndjson()
        ids = [line["index"]["_id"] for line in lines[::2]]
        items = []
        for aid in ids:
            status = 429 if aid == "b" and not rejected else 201
            if status == 429:
                rejected.append(aid)
            error = {"type": "es_rejected_execution_exception", "reason": "queue full"}
            item: dict[str, Any] = {"_index": f"{ALIAS}-v1", "_id": aid, "status": status}
            if status == 429:
                item["error"] = error
            items.append({"index": item})
        return 200, {"took": 1, "errors": bool(rejected), "items": items}

    stub.answer = answer
    es.upsert([ART, {**ART, "id": "b"}])
    bulks = [r for r in stub.requests if r.path == "/_bulk"]
    assert len(bulks) == 2
    assert [line["index"]["_id"] for line in bulks[0].ndjson()[::2]] == ["a1", "b"]
    assert [line["index"]["_id"] for line in bulks[1].ndjson()[::2]] == ["b"]
    assert all(b.params == {"refresh": "wait_for"} for b in bulks)


def test_bulk_item_failures_raise_after_the_batch(stub: RecordingStub, es: ElasticIndex) -> None:
    mapping = {"type": "document_parsing_exception", "reason": "strict mapping"}

    def answer(req: Recorded) -> Answer:
        if req.path != "/_bulk":
            return default_answer(req)
        item = {"_index": f"{ALIAS}-v1", "_id": "a1", "status": 400, "error": mapping}
        return 200, {"took": 1, "errors": True, "items": [{"index": item}]}

    stub.answer = answer
    with pytest.raises(BulkIndexError) as caught:
        es.upsert([ART])
    assert caught.value.errors[0]["index"]["error"] == mapping
    assert [r.path for r in stub.requests].count("/_bulk") == 1  # a 400 is not retried


def test_expired_point_in_time_is_reopened(stub: RecordingStub, es: ElasticIndex) -> None:
    missing = {"type": "search_context_missing_exception", "reason": "No search context"}

    def answer(req: Recorded) -> Answer:
        if req.path == "/_search" and req.json()["pit"]["id"] == "OLD":
            return 404, {"error": {"root_cause": [missing], **missing}, "status": 404}
        if req.path == "/_search":
            return 200, search_answer([hit("a1", [MS, "a1", 3])], total=1, pit_id="PIT1")
        return default_answer(req)

    stub.answer = answer
    cursor = encode_cursor(DateCursor(MS + eq.SORT_SHIFT, "a2", "OLD"))
    result = es.search(SearchRequest(sort="date", limit=5, facets=(), cursor=cursor))
    assert [h.id for h in result.hits] == ["a1"]
    searches = [r.json() for r in stub.requests if r.path == "/_search"]
    assert [b["pit"]["id"] for b in searches] == ["OLD", "PIT1"]
    assert searches[1]["search_after"] == [MS, "a2", 0]


def test_failed_rebuild_deletes_its_index_and_keeps_the_alias(
    stub: RecordingStub, es: ElasticIndex
) -> None:
    def broken() -> Iterator[list[dict[str, Any]]]:
        yield [ART]
        raise RuntimeError("store went away")

    with pytest.raises(RuntimeError):
        es.rebuild(broken())
    assert ("POST", "/_aliases") not in stub.calls()
    assert stub.calls()[-1] == ("DELETE", f"/{ALIAS}-v2")


@pytest.mark.parametrize(
    "request_",
    [
        SearchRequest(limit=0),
        SearchRequest(limit=101),
        SearchRequest(facets=("author",)),
        SearchRequest(q="x", sort="date", cursor="garbage"),
        SearchRequest(q="x", cursor=encode_cursor(DateCursor(1, "a"))),  # a date cursor
        SearchRequest(sort="date", cursor=encode_cursor(DateCursor(2**64, "a"))),
        SearchRequest(q="published:someday"),
        SearchRequest(q="x", collapse="cluster", cursor=encode_cursor(OffsetCursor(5))),
    ],
)
def test_invalid_requests_fail_before_any_io(
    stub: RecordingStub, es: ElasticIndex, request_: SearchRequest
) -> None:
    with pytest.raises(QueryError):
        es.search(request_)
    assert stub.requests == []


def test_health_never_raises_when_nothing_listens() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before use: connections are refused
    index = ElasticIndex(f"http://127.0.0.1:{port}", ALIAS)
    health = index.health()
    index.close()
    assert health["status"] == "error" and health["backend"] == "elasticsearch"
    assert health["error"]


def test_read_only_index_refuses_writes(stub: RecordingStub) -> None:
    reader = ElasticIndex(stub.url, ALIAS, writable=False)
    for write in (lambda: reader.upsert([ART]), lambda: reader.delete(["a1"]), reader.clear):
        with pytest.raises(IndexReadOnlyError):
            write()
    reader.close()
    assert stub.requests == []


def test_open_index_needs_the_server_url(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, index_backend="elasticsearch")
    with pytest.raises(ValueError, match="TIDINGS_ES_URL"):
        open_index(settings)
    index = open_index(replace(settings, es_url="http://127.0.0.1:9", es_index="news"))
    try:
        assert isinstance(index, ElasticIndex)
        assert (index.url, index.alias, index.writable) == ("http://127.0.0.1:9", "news", False)
    finally:
        index.close()


def test_unreachable_cluster_is_index_unavailable_not_a_crash() -> None:
    """A closed loopback port stands for a cluster that went away: 503 material, not a 500."""
    import socket

    from tidings.core.index.base import IndexUnavailable, SearchRequest
    from tidings.core.index.elastic import ElasticIndex

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    index = ElasticIndex(f"http://127.0.0.1:{port}", max_retries=0, request_timeout=2)
    try:
        with pytest.raises(IndexUnavailable, match="unreachable"):
            index.search(SearchRequest(q="chips"))
    finally:
        index.close()


def test_credentials_in_the_url_never_reach_messages() -> None:
    from tidings.core.index.elastic_cluster import redacted

    assert redacted("http://elastic:s3cret@es:9200/") == "http://elastic:***@es:9200/"
    assert redacted("http://localhost:9200") == "http://localhost:9200"
    index = ElasticIndex("http://elastic:s3cret@127.0.0.1:9", ALIAS)
    try:
        assert "s3cret" not in index.url and "s3cret" not in json.dumps(index.health())
    finally:
        index.close()


def test_api_key_from_the_environment_is_sent_and_never_shown(
    stub: RecordingStub, tmp_path: Path
) -> None:
    settings = Settings.from_env(
        {"TIDINGS_INDEX": "elasticsearch", "TIDINGS_ES_URL": stub.url,
         "TIDINGS_ES_INDEX": ALIAS, "TIDINGS_ES_API_KEY": "c2VjcmV0LWtleQ=="},
        home=tmp_path,
    )  # fmt: skip
    index = open_index(settings)
    try:
        health = index.health()
    finally:
        index.close()
    assert stub.requests and all(
        r.headers.get("authorization") == "ApiKey c2VjcmV0LWtleQ==" for r in stub.requests
    )
    assert "c2VjcmV0" not in json.dumps(health)
