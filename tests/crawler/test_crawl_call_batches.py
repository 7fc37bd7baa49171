"""A worker's call size decides the tagging batch, never what tagging returns
(crawler/run/workers.py: DEFAULT_MAX_BATCH)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from bench.crawl import article_page
from classifier.tagger import Tagger
from crawler.extract import extract_article
from crawler.run.workers import DEFAULT_MAX_BATCH

MODEL = Path(__file__).resolve().parents[2] / "models" / "default"
BASE = "http://127.0.0.1:8"
TAGGED = ("topics", "explanations", "entities", "model_version")


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    hints = {"content_type": "text/html; charset=utf-8"}
    return [
        dict(extract_article(article_page(i, BASE, 2), f"{BASE}/news/{i}.html", hints))
        for i in range(2 * DEFAULT_MAX_BATCH)
    ]


def tagged_in_calls_of(tagger: Tagger, records: list[dict[str, Any]], size: int) -> list[Any]:
    batch = copy.deepcopy(records)
    for start in range(0, len(batch), size):
        tagger.tag(batch[start : start + size])
    return [{name: record[name] for name in TAGGED} for record in batch]


def test_calls_of_the_pools_size_tag_as_one_page_at_a_time(records: list[dict[str, Any]]) -> None:
    tagger = Tagger.load(MODEL)
    one_by_one = tagged_in_calls_of(tagger, records, 1)
    assert any(r["entities"] for r in one_by_one) and all(r["topics"] for r in one_by_one)
    assert tagged_in_calls_of(tagger, records, DEFAULT_MAX_BATCH) == one_by_one
    assert tagged_in_calls_of(tagger, records, 16) == one_by_one
