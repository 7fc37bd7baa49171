"""The embedded index's topic facet counted through each article's topic set.

The counts must be tantivy's own count of the multi-valued ``topics`` field (what the facet
was before) and what a count of the records says, on a corpus with duplicate topics in a
record, articles without topics and more distinct topics than a facet shows; also when the
sets do not all fit (the fallback). An index built before the set field existed is refused
in one line and rebuilt by ``tidings reindex``.
"""

from __future__ import annotations

import http.server
import json
import random
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import tantivy

from search_api import create_app
from tidings.cli.main import main
from tidings.core.config import Settings
from tidings.core.index import (
    EmbeddedIndex,
    IndexSchemaError,
    SearchRequest,
    embedded_facets,
    open_index,
)
from tidings.core.index.base import FACET_SIZE
from tidings.core.index.embedded_facets import SEPARATOR, facet_counts, value_set

TOPICS = [f"t{n:02d}" for n in range(26)]  # more than FACET_SIZE: the cut at 20 is exercised
WORDS = ["harbour", "ships", "rates", "bank", "storm"]


def corpus(n: int = 400, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        topics = rng.choices(TOPICS, [1 / (k + 1) for k in range(len(TOPICS))], k=rng.randint(0, 4))
        out.append({
            "id": f"a{i}",
            "url": f"https://e{i % 5}.example/{i}",
            "title": " ".join(rng.sample(WORDS, 2)),
            "body": " ".join(rng.choices(WORDS, k=12)),
            "source": {"id": f"s{i % 5}", "name": "S", "domain": f"e{i % 5}.example"},
            "published_at": f"2024-0{1 + i % 9}-1{i % 10}T10:00:00+00:00",
            "topics": [{"id": t, "score": 1.0, "origin": "model"} for t in topics],  # repeats too
        })  # fmt: skip
    return out


def expected(articles: list[dict[str, Any]], keep: Any) -> list[tuple[str, int]]:
    """Matching articles per topic (once per article), most first, ties by id, top 20."""
    counts: Counter[str] = Counter()
    for article in filter(keep, articles):
        counts.update({t["id"] for t in article["topics"]})
    return sorted(counts.items(), key=lambda p: (-p[1], p[0]))[:FACET_SIZE]


def tantivys_own(index: EmbeddedIndex, request: SearchRequest) -> list[tuple[str, int]]:
    """The facet as it was counted before topic sets: tantivy's terms on ``topics``."""
    _, query, _ = index._matching(request)
    aggs = {"t": {"terms": {"field": "topics", "size": FACET_SIZE}}}
    found = index._searcher().aggregate(query, aggs)["t"]["buckets"]
    pairs = [(str(b["key"]), int(b["doc_count"])) for b in found]
    return sorted(pairs, key=lambda p: (-p[1], p[0]))


CASES = [
    (SearchRequest(), lambda a: True),
    (SearchRequest(q="storm"), lambda a: "storm" in a["title"] + " " + a["body"]),
    (SearchRequest(topics=("t03",)), lambda a: "t03" in {t["id"] for t in a["topics"]}),
    (SearchRequest(sources=("s1", "s4")), lambda a: a["source"]["id"] in ("s1", "s4")),
    (SearchRequest(q="nothing-matches"), lambda a: False),
]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    articles = corpus()
    index = EmbeddedIndex(tmp_path_factory.mktemp("facets"), writable=True)
    index.upsert(articles)
    yield index, articles
    index.close()


@pytest.mark.parametrize("case", range(len(CASES)))
def test_topic_counts_are_the_records_and_tantivys_own(indexed: Any, case: int) -> None:
    index, articles = indexed
    request, keep = CASES[case]
    result = index.search(request)
    assert result.facets["topic"] == expected(articles, keep)
    assert result.facets["topic"] == tantivys_own(index, request)
    assert result.total == sum(1 for a in articles if keep(a))


def test_a_search_does_not_count_the_multi_valued_topics(indexed: Any) -> None:
    """What makes it cheaper: the topic facet reads the single-valued set field (fails
    without topic sets: the facet aggregated ``topics`` itself)."""
    index, _ = indexed
    asked: list[dict[str, Any]] = []

    class Recording:
        def __init__(self, searcher: tantivy.Searcher) -> None:
            self.searcher = searcher

        def aggregate(self, query: tantivy.Query, aggs: dict[str, Any]) -> Any:
            asked.append(aggs)
            return self.searcher.aggregate(query, aggs)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.searcher, name)

    real = index._searcher
    index._searcher = lambda: Recording(real())  # type: ignore[method-assign]
    try:
        index.search(SearchRequest(q="storm", facets=("topic", "source"), highlight=False))
    finally:
        del index._searcher
    fields = [agg["terms"]["field"] for aggs in asked for agg in aggs.values() if "terms" in agg]
    assert "topic_set" in fields and "topics" not in fields


def test_too_many_sets_are_counted_on_the_topics_themselves(
    indexed: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    index, articles = indexed
    monkeypatch.setattr(embedded_facets, "MAX_SETS", 3)  # the corpus holds many more sets
    for request, keep in CASES:
        assert index.search(request).facets["topic"] == expected(articles, keep)


def test_value_sets_and_their_sums() -> None:
    assert value_set(["b", "a", "b"]) == f"a{SEPARATOR}b"
    assert value_set([]) is None
    result = {"facet_topic": {"buckets": [
        {"key": f"a{SEPARATOR}b", "doc_count": 3}, {"key": "b", "doc_count": 2},
        {"key": "c", "doc_count": 3},
    ]}}  # fmt: skip
    assert facet_counts(result, ["topic"])["topic"] == [("b", 5), ("a", 3), ("c", 3)]
    # recounted on the multi-valued field: its buckets are the values' own
    assert facet_counts(result, ["topic"], ["topic"])["topic"][0] == (f"a{SEPARATOR}b", 3)


def previous_schema(topic_sets: bool = False) -> tantivy.Schema:
    """The article index's schema before topic sets (main at 48fda15), or with ``topic_sets``
    the one after them, before word pairs (main at d9af61c)."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("body", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("summary", tokenizer_name="en_stem")
    keywords = ("topics", "topic_set") if topic_sets else ("topics",)
    for name in (*keywords, "source", "entities", "language"):
        sb.add_text_field(name, fast=True, tokenizer_name="raw")
    sb.add_unsigned_field("cluster", indexed=True, fast=True)
    sb.add_unsigned_field("story", indexed=True, fast=True)
    sb.add_date_field("published", indexed=True, fast=True)
    sb.add_unsigned_field("sortkey", indexed=True, fast=True)
    sb.add_unsigned_field("indexed", fast=True)
    sb.add_bytes_field("doc", stored=True)
    return sb.build()


def make_previous_home(home: Path, schema: tantivy.Schema | None = None) -> Path:
    """A home with 30 stored articles whose article index has ``schema`` (the previous one)."""
    data = home / "in.jsonl"
    data.write_text("".join(json.dumps(a) + "\n" for a in corpus(30)))
    assert main(["--home", str(home), "import", str(data), "--no-classify"]) == 0
    index_dir = Settings(home=home).index_dir
    for path in index_dir.iterdir():
        if path.is_file():  # the article index's files (stories/ holds the story documents)
            path.unlink()
    tantivy.Index(schema or previous_schema(), path=str(index_dir))
    return index_dir


def test_an_index_built_before_topic_sets_is_refused_then_rebuilt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fails without topic sets: the previous schema is then the current one."""
    index_dir = make_previous_home(tmp_path)
    with pytest.raises(IndexSchemaError, match="tidings reindex"):
        EmbeddedIndex(index_dir)
    capsys.readouterr()
    assert main(["--home", str(tmp_path), "prune", "--days", "10"]) == 2  # one line, no trace
    err = capsys.readouterr().err
    assert "tidings reindex" in err and len(err.strip().splitlines()) == 1
    resp = create_app(Settings(home=tmp_path)).test_client().get("/api/v1/search?q=storm")
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"

    assert main(["--home", str(tmp_path), "reindex"]) == 0
    assert "old schema" in capsys.readouterr().err
    index = open_index(Settings(home=tmp_path))
    try:
        assert index.search(SearchRequest()).facets["topic"] == expected(corpus(30), bool)
    finally:
        index.close()


class _CountingSite(http.server.BaseHTTPRequestHandler):
    """A loopback feed of one article; every request path is kept in ``asked``."""

    asked: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.asked.append(self.path)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        body = (
            f'<rss version="2.0"><channel><title>t</title><link>{base}/</link>'
            f"<item><title>Storm closes the harbour</title><link>{base}/a.html</link></item>"
            "</channel></rss>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def run_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process: a crawl runs Scrapy's reactor, which must not stay behind
    in the test process (later tests start their own)."""
    return subprocess.run(
        [sys.executable, "-m", "tidings", *argv], capture_output=True, text=True, timeout=300
    )


def test_a_crawl_into_an_index_of_the_previous_schema_stops_before_fetching(
    tmp_path: Path,
) -> None:
    """The crawl checks the index before Scrapy starts: one line, exit 2, nothing fetched
    (without the check the error came from the crawl's pipeline, after Scrapy's tracebacks)."""
    make_previous_home(tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        feed = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
        done = run_cli("--home", str(tmp_path), "crawl", "--feed", feed, "--no-progress")
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 2
    assert "tidings reindex" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert _CountingSite.asked == []


def test_the_demo_rebuilds_an_index_of_the_previous_schema(tmp_path: Path) -> None:
    """`make demo` after an upgrade: the demo home's index is derived data, so the demo rebuilds
    it from the store and crawls on (without that it stopped on the old schema)."""
    make_previous_home(tmp_path)
    done = run_cli("--home", str(tmp_path), "demo", "--no-serve", "--site-port", "0")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "old schema; rebuilding it" in done.stderr
    index = open_index(Settings(home=tmp_path))
    try:
        found = index.search(SearchRequest())
    finally:
        index.close()
    assert found.total > 30  # the 30 stored before, re-indexed, and the demo site's articles
    assert found.facets["topic"]
