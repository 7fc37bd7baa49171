"""Per-day counts shared by both backends, so histograms and trends look the same.

Both engines return sparse day buckets (``min_doc_count: 1``: an article dated 1970 must not make
the engine build twenty thousand empty buckets); the gaps are filled here, when the span is short
enough to chart.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

#: Longest span (in days) that is zero-filled; longer histograms stay sparse.
MAX_FILLED_DAYS = 3_660


def day_of(key: float | int | str) -> str:
    """``YYYY-MM-DD`` of a bucket key (epoch milliseconds, or an ISO string)."""
    if isinstance(key, str):
        return key[:10]
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(key))).date().isoformat()


def day_counts(buckets: Iterable[dict]) -> dict[str, int]:
    """Non-zero ``{day: count}`` from ``date_histogram`` buckets (tantivy or Elasticsearch)."""
    out: dict[str, int] = {}
    for bucket in buckets:
        count = int(bucket.get("doc_count") or 0)
        if count:
            day = day_of(bucket.get("key_as_string") or bucket["key"])
            out[day] = out.get(day, 0) + count
    return out


def span(counts: Iterable[dict[str, int]]) -> list[str]:
    """Every day from the first to the last day present in any of ``counts`` (sorted)."""
    days = sorted({day for c in counts for day in c})
    if not days:
        return []
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    if (last - first).days > MAX_FILLED_DAYS:
        return days
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def histogram(counts: dict[str, int]) -> list[tuple[str, int]]:
    """``[(day, n)]`` by day, zero-filled between the first and the last day."""
    return [(day, counts.get(day, 0)) for day in span([counts])]


def trends(per_value: dict[str, dict[str, int]]) -> dict[str, list[tuple[str, int]]]:
    """Each value's ``[(day, n)]`` over one common span, so series line up on a chart."""
    days = span(per_value.values())
    return {value: [(day, c.get(day, 0)) for day in days] for value, c in per_value.items()}
