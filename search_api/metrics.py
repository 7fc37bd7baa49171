"""``/metrics`` in Prometheus text format: request counts and latencies, articles, crawl errors.

Under gunicorn set ``PROMETHEUS_MULTIPROC_DIR`` (``search_api/gunicorn_conf.py`` does): each
worker writes its samples there and a scrape of any worker aggregates them all. Index and store
figures are read at scrape time, by the worker that answers.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric

from search_api.resources import Resources

log = logging.getLogger(__name__)

REQUESTS = Counter(
    "tidings_http_requests", "HTTP requests answered", ["method", "endpoint", "status"]
)
LATENCY = Histogram(
    "tidings_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)


class DataCollector:
    """Articles in the index and crawl errors per source, read when scraped."""

    def __init__(self, res: Resources) -> None:
        self.res = res

    def collect(self) -> Iterator[Metric]:
        articles = GaugeMetricFamily("tidings_articles_indexed", "Articles in the search index")
        try:
            articles.add_metric([], float(self.res.index.count()))
            yield articles
        except Exception:  # an unavailable index is reported by /readyz, not by a failed scrape
            log.warning("tidings_articles_indexed left out of /metrics", exc_info=True)
        errors = GaugeMetricFamily(
            "tidings_source_crawl_errors",
            "Crawl errors recorded in the store, per source and kind",
            labels=["source", "kind"],
        )
        success = GaugeMetricFamily(
            "tidings_source_last_success_timestamp_seconds",
            "When a crawl of the source last fetched something (Unix time)",
            labels=["source"],
        )
        for health in _source_health(self.res):
            sid = str(health.get("source_id"))
            for kind, count in (health.get("error_counts") or {}).items():
                errors.add_metric([sid, str(kind)], float(count))
            stamp = _timestamp(health.get("last_success"))
            if stamp is not None:
                success.add_metric([sid], stamp)
        yield errors
        yield success


def _source_health(res: Resources) -> list[dict[str, Any]]:
    try:
        health = getattr(res.store, "source_health", None)
        return list(health()) if health else []
    except Exception:  # a scrape still answers with the request metrics
        log.warning("per-source crawl metrics left out of /metrics", exc_info=True)
        return []


def _timestamp(value: Any) -> float | None:
    from tidings.core.article import parse_iso

    try:
        when = parse_iso(value)
    except ValueError:
        return None
    return when.timestamp() if when else None


def init_metrics(app: Flask, res: Resources) -> None:
    """Time every request and serve ``/metrics``."""
    data = CollectorRegistry(auto_describe=True)
    data.register(DataCollector(res))

    @app.before_request
    def start_timer() -> None:
        g.metrics_start = time.perf_counter()

    @app.after_request
    def record(resp: Response) -> Response:
        start = g.pop("metrics_start", None)
        if start is not None:
            rule = request.url_rule.rule if request.url_rule else "<unmatched>"
            LATENCY.labels(request.method, rule).observe(time.perf_counter() - start)
            REQUESTS.labels(request.method, rule, str(resp.status_code)).inc()
        return resp

    @app.get("/metrics")
    def metrics() -> Response:
        body = generate_latest(_request_registry()) + generate_latest(data)
        resp = Response(body, content_type=CONTENT_TYPE_LATEST)
        resp.headers["Cache-Control"] = "no-store"
        return resp


def _request_registry() -> CollectorRegistry:
    """All workers' samples in multiprocess mode, else this process's registry."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry
