"""/metrics: request counts and latencies per endpoint and status, articles, crawl errors."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from search_api import create_app
from tidings.core.config import Settings
from tidings.core.store import Store


def _value(text: str, sample: str) -> float:
    match = re.search(rf"^{re.escape(sample)} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert match, sample
    return float(match.group(1))


def test_request_counts_latency_and_articles(client: FlaskClient) -> None:
    before = client.get("/metrics").get_data(as_text=True)
    sample = 'tidings_http_requests_total{endpoint="/api/v1/search",method="GET",status="400"}'
    start = _value(before, sample) if sample in before else 0.0
    client.get("/api/v1/search?limit=0")
    client.get("/api/v1/search?limit=-1")
    client.get("/api/v1/articles/none")
    resp = client.get("/metrics")
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    text = resp.get_data(as_text=True)
    assert _value(text, sample) == start + 2
    assert 'endpoint="/api/v1/articles/<article_id>"' in text  # the route, not the raw path
    assert "# TYPE tidings_http_request_duration_seconds histogram" in text
    assert (
        'tidings_http_request_duration_seconds_bucket{endpoint="/api/v1/search",'
        'le="0.05",method="GET"}'
    ) in text
    assert _value(text, "tidings_articles_indexed") == 11


def test_crawl_errors_per_source(fresh: tuple[Settings, Any]) -> None:
    settings, _ = fresh
    with Store(settings.db_path) as store:
        store.record_error("wire", "https://wire.example.com/a", "timeout", "timed out")
        store.record_error("wire", "https://wire.example.com/b", "timeout", "timed out")
        store.record_error("herald", "https://herald.example.org/", "parse", "bad feed")
    text = create_app(settings).test_client().get("/metrics").get_data(as_text=True)
    assert _value(text, 'tidings_source_crawl_errors{kind="timeout",source="wire"}') == 2
    assert _value(text, 'tidings_source_crawl_errors{kind="parse",source="herald"}') == 1
