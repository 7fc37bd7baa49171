"""Facet counts of the embedded index, with a multi-valued field counted through its value sets.

tantivy counts a multi-valued fast field (an article's topics) one document at a time: on
100,000 articles the topic facet took ~3.5 ms of a ~5 ms aggregation pass, against ~0.15 ms
for a single-valued field (source) over the same matches (docs/benchmarks.md, "A search's CPU
against the corpus size"). So each article also carries the *set* of its topics as one
single-valued keyword (``topic_set``: its distinct ids, sorted, joined by :data:`SEPARATOR`);
the facet counts the sets and adds each set's count to every topic in it. A topic's count is
then the number of matching articles holding it, as tantivy's count on ``topics`` is (an
article names a topic once however often its record repeats it).

The sum is exact only if every set is counted: when the matches hold more than
:data:`MAX_SETS` distinct sets, tantivy reports documents left out (``sum_other_doc_count``)
and the facet is counted again on the multi-valued field, as before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from tidings.core.index.base import FACET_SIZE, KEYWORD_FIELDS

#: Multi-valued keyword field -> the single-valued field holding each article's set of values.
SET_FIELDS = {"topics": "topic_set"}
#: Joins a set's values (ids are slugs: no control characters).
SEPARATOR = "\x1f"
#: Distinct sets counted in one pass; more, and the facet is counted on the multi-valued field.
MAX_SETS = 10_000


def value_set(values: Iterable[str]) -> str | None:
    """The set field's value for a document with ``values`` (``None``: it holds none)."""
    distinct = sorted(set(values))
    return SEPARATOR.join(distinct) if distinct else None


def _terms(field: str, size: int) -> dict[str, Any]:
    return {"terms": {"field": field, "size": size, "segment_size": size}}


def facet_aggregations(names: Iterable[str]) -> dict[str, Any]:
    """The aggregation of each facet in ``names``: on its set field when it has one."""
    aggs: dict[str, Any] = {}
    for name in names:
        field = KEYWORD_FIELDS[name]
        if field in SET_FIELDS:
            aggs[f"facet_{name}"] = _terms(SET_FIELDS[field], MAX_SETS)
        else:
            aggs.update(keyword_aggregations([name]))
    return aggs


def incomplete(result: dict[str, Any], names: Iterable[str]) -> list[str]:
    """The facets of ``names`` counted on a set field whose sets did not all fit."""
    out = []
    for name in names:
        if KEYWORD_FIELDS[name] in SET_FIELDS:
            found = result.get(f"facet_{name}") or {}
            if found.get("sum_other_doc_count") or found.get("doc_count_error_upper_bound"):
                out.append(name)
    return out


def keyword_aggregations(names: Iterable[str]) -> dict[str, Any]:
    """The aggregation of each facet in ``names`` on its own keyword field (for a set field's
    facet: the fallback)."""
    return {
        f"facet_{name}": {"terms": {"field": KEYWORD_FIELDS[name], "size": FACET_SIZE}}
        for name in names
    }


def facet_counts(
    result: dict[str, Any], names: Iterable[str], recounted: Iterable[str] = ()
) -> dict[str, list[tuple[str, int]]]:
    """``{facet: [(value, count)]}``, most frequent first (ties by value), at most FACET_SIZE;
    a facet with a set field is summed from its sets unless it was ``recounted`` on its
    multi-valued field."""
    again = set(recounted)
    facets: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        found = (result.get(f"facet_{name}") or {}).get("buckets") or []
        if KEYWORD_FIELDS[name] in SET_FIELDS and name not in again:
            counts: Counter[str] = Counter()
            for bucket in found:
                for value in str(bucket["key"]).split(SEPARATOR):
                    counts[value] += int(bucket["doc_count"])
            pairs = list(counts.items())
        else:
            pairs = [(str(b["key"]), int(b["doc_count"])) for b in found]
        facets[name] = sorted(pairs, key=lambda p: (-p[1], p[0]))[:FACET_SIZE]
    return facets
