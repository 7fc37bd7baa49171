"""The record vocabulary (tidings/core/article.py): the one date parser's accepted and rejected
forms, the date and field readers, and a record's round trip through the store and both index
documents."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tidings.core.article import (
    InvalidArticle,
    article_date,
    date_or_none,
    entity_keys,
    iso_utc,
    normalise,
    parse_iso,
    read_date,
    source_id,
    topic_ids,
)
from tidings.core.index.elastic_queries import document
from tidings.core.store import Store

NOON = datetime(2024, 5, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01T12:00:00Z",
        "2024-05-01T12:00:00z",
        "2024-05-01t12:00:00Z",
        "2024-05-01T12:00:00+00:00",
        "2024-05-01T14:00:00+02:00",
        "2024-05-01T07:30:00-04:30",
        "2024-05-01 12:00:00Z",
        "2024-05-01T12:00",
        "2024-05-01T12:00:00",
        "20240501T120000Z",
        " 2024-05-01T12:00:00Z\n",
    ],
)
def test_date_times_are_read_as_one_utc_instant(text: str) -> None:
    parsed = parse_iso(text)
    assert parsed == NOON and parsed.utcoffset() == timedelta(0)  # type: ignore[union-attr]


def test_fractions_dates_and_datetime_objects() -> None:
    assert parse_iso("2024-05-01T12:00:00.250Z") == NOON + timedelta(milliseconds=250)
    assert parse_iso("2024-05-01") == datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_iso("20240501") == datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_iso(date(2024, 5, 1)) == datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_iso(datetime(2024, 5, 1, 12)) == NOON  # naive means UTC
    plus_two = datetime(2024, 5, 1, 14, tzinfo=timezone(timedelta(hours=2)))
    assert parse_iso(plus_two) == NOON and parse_iso(plus_two).tzinfo == UTC  # type: ignore[union-attr]


def test_a_bare_date_as_an_upper_bound_is_the_whole_day() -> None:
    end = parse_iso("2024-05-01", end_of_day=True)
    assert end == datetime(2024, 5, 1, 23, 59, 59, 999_999, tzinfo=UTC)
    assert parse_iso("2024-05-01T12:00:00Z", end_of_day=True) == NOON  # a time is kept as is


@pytest.mark.parametrize("empty", [None, ""])
def test_no_date_is_none(empty: object) -> None:
    assert parse_iso(empty) is None


@pytest.mark.parametrize(
    "bad",
    [
        "yesterday",
        "2024-13-01",
        "2024-02-30T00:00:00Z",
        "2024-05-01T25:00:00Z",
        "May 1, 2024",
        "Wed, 01 May 2024 12:00:00 GMT",  # RFC 822 is a feed's, converted where it is read
        "2024-05-01T12:00:00+25:00",
        "2" * 200,
        " ",
        1714564800,
        ["2024-05-01"],
    ],
)
def test_anything_else_is_rejected_naming_the_value(bad: object) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_iso(bad)
    assert date_or_none(bad) is None


def test_dates_out_of_range_are_rejected() -> None:
    with pytest.raises(ValueError, match="out of range"):
        parse_iso("0001-01-01T00:00:00+01:00")
    with pytest.raises(ValueError, match="out of range"):
        parse_iso("9999-12-31T23:00:00-05:00")
    assert parse_iso("9999-12-31", end_of_day=True) == datetime.max.replace(tzinfo=UTC)


def test_records_write_dates_in_one_form() -> None:
    assert iso_utc(datetime(2024, 5, 1, 14, 0, 0, 999, tzinfo=timezone(timedelta(hours=2)))) == (
        "2024-05-01T12:00:00+00:00"
    )
    assert iso_utc(datetime(2024, 5, 1, 12)) == "2024-05-01T12:00:00+00:00"
    assert iso_utc(parse_iso("2024-05-01T12:00:00Z")) == "2024-05-01T12:00:00+00:00"  # type: ignore[arg-type]


def test_read_date_takes_the_first_readable_field() -> None:
    record = {"published_at": "not a date", "updated_at": None, "fetched_at": "2024-05-01T12:00Z"}
    assert read_date(record, "published_at", "updated_at", "fetched_at") == NOON
    assert article_date(record) == NOON
    assert article_date({"published_at": "2024-05-01", "fetched_at": "2025-01-01"}) == (
        datetime(2024, 5, 1, tzinfo=UTC)
    )
    assert article_date({}) is None


def test_normalise_writes_dates_as_utc_and_rejects_unreadable_ones() -> None:
    record = normalise(
        {
            "url": "https://example.org/a",
            "title": "Hello",
            "published_at": "2024-05-01T14:00:00.5+02:00",
            "updated_at": "",
        }
    )
    assert record["published_at"] == "2024-05-01T12:00:00+00:00"
    assert record["updated_at"] is None
    assert parse_iso(record["fetched_at"]) is not None
    with pytest.raises(InvalidArticle, match="'published_at' is not an ISO 8601 date"):
        normalise({"url": "https://example.org/a", "title": "Hello", "published_at": "soon"})



@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("body", 5),
        ("body", ["a", "b"]),
        ("summary", 5),
        ("summary", {"text": "a"}),
        ("language", 5),
        ("language", ["en"]),
        ("image_url", 7),
        ("model_version", {"v": 1}),
        ("word_count", "many"),
        ("word_count", [3]),
    ],
)
def test_normalise_rejects_a_text_field_of_another_type_naming_it(
    field: str, value: object
) -> None:
    record = {"url": "https://example.org/a", "title": "Hello", field: value}
    with pytest.raises(InvalidArticle, match=f"'{field}' must be"):
        normalise(record)  # was stored as given (then a 500 on the analyst page), or a TypeError


def test_normalise_reads_null_text_as_empty_and_keeps_given_values() -> None:
    base = {"url": "https://example.org/a", "title": "Hello"}
    record = normalise({**base, "body": None, "summary": None, "language": None})
    assert (record["body"], record["summary"], record["language"]) == ("", "", None)
    record = normalise({**base, "body": "two words", "language": "en", "word_count": 7})
    assert (record["body"], record["language"], record["word_count"]) == ("two words", "en", 7)
    assert normalise({**base, "body": "two words"})["word_count"] == 2

def test_field_readers() -> None:
    record: dict[str, Any] = {
        "source": {"id": "herald", "name": "Herald"},
        "topics": [{"id": "ai", "score": 0.9}, "law", {"score": 1}, "", {"id": ""}],
        "entities": [{"text": "ACME", "label": "ORG", "key": "acme"}, {"text": "x"}, "junk"],
    }
    assert source_id(record) == "herald"
    assert source_id({"source": "bare-id"}) == "bare-id"
    assert source_id({"source": {"name": "no id"}}) is None and source_id({}) is None
    assert topic_ids(record) == ["ai", "law"]
    assert entity_keys(record) == ["acme"]
    assert topic_ids({}) == entity_keys({}) == []


def test_round_trip_through_the_store_and_the_index_document(tmp_path: Path) -> None:
    """What the vocabulary writes is what every reader gets back, field for field."""
    record = normalise(
        {
            "url": "https://herald.example/a",
            "title": "Tram line approved",
            "body": "The council approved the tram line. " * 10,
            "source": {"id": "herald", "name": "Herald", "domain": "herald.example"},
            "published_at": "2024-05-01T14:00:00+02:00",
            "topics": [{"id": "transport", "score": 0.9, "origin": "model"}],
            "entities": [{"text": "Council", "label": "ORG", "key": "council"}],
        }
    )
    with Store(tmp_path / "t.db") as store:
        store.upsert([record])
        stored = store.get(record["id"])
    assert stored is not None
    assert json.loads(json.dumps(stored)) == stored
    assert parse_iso(stored["published_at"]) == NOON
    assert (source_id(stored), topic_ids(stored), entity_keys(stored)) == (
        "herald", ["transport"], ["council"],
    )  # fmt: skip
    doc = document(stored, indexed_at=NOON)
    assert (doc["source"], doc["topics"], doc["entities"]) == ("herald", ["transport"], ["council"])
    assert parse_iso(doc["published"]) == NOON
    assert doc["doc"]["published_at"] == stored["published_at"]
