"""Shared per-day buckets and the recency curve: the same numbers from both backends."""

from __future__ import annotations

import pytest

from tidings.core.index import buckets
from tidings.core.index.embedded_ranking import recency_factor

MS = 1_709_294_400_000  # 2024-03-01T12:00Z


def test_day_counts_read_tantivy_and_elasticsearch_buckets() -> None:
    found = [
        {"key_as_string": "2024-03-01T00:00:00Z", "key": 1709251200000.0, "doc_count": 2},
        {"key": MS + 86_400_000, "doc_count": 1},  # no key_as_string: epoch ms
        {"key_as_string": "2024-03-05T00:00:00.000Z", "key": 0, "doc_count": 0},  # empty
    ]
    assert buckets.day_counts(found) == {"2024-03-01": 2, "2024-03-02": 1}


def test_histogram_fills_gaps_only_for_chartable_spans() -> None:
    assert buckets.histogram({}) == []
    assert buckets.histogram({"2024-03-03": 1, "2024-03-01": 2}) == [
        ("2024-03-01", 2), ("2024-03-02", 0), ("2024-03-03", 1),
    ]  # fmt: skip
    sparse = buckets.histogram({"1970-01-01": 1, "2024-03-01": 2})
    assert sparse == [("1970-01-01", 1), ("2024-03-01", 2)]  # 54 years: not 20,000 zeros


def test_trends_share_one_span() -> None:
    assert buckets.trends({"a": {"2024-03-01": 1}, "b": {"2024-03-02": 4}}) == {
        "a": [("2024-03-01", 1), ("2024-03-02", 0)],
        "b": [("2024-03-01", 0), ("2024-03-02", 4)],
    }


@pytest.mark.parametrize(
    ("age", "factor"), [(0, 1.0), (30, 0.65), (60, 0.475), (-5, 1.0), (10_000, 0.3)]
)
def test_recency_factor_halves_the_boost_every_30_days_above_a_floor(
    age: float, factor: float
) -> None:
    assert recency_factor(age) == pytest.approx(factor, abs=1e-6)
