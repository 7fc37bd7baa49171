"""The query language parser: what each construct means, and that no input crashes it."""

from __future__ import annotations

import random
from datetime import date

import pytest
import tantivy

from tidings.core.index.base import QueryError
from tidings.core.index.embedded import _schema
from tidings.core.index.query_language import (
    And,
    DateRange,
    Not,
    Or,
    Term,
    Text,
    entity_key,
    parse,
    parse_dates,
    read,
)
from tidings.core.index.tantivy_query import TantivyCompiler, date_bounds


def w(text: str, field: str | None = None) -> Text:
    return Text(text, False, field)


@pytest.mark.parametrize(
    ("q", "tree"),
    [
        ("", None),
        ("   ", None),
        ("storm", And((w("storm"),))),
        ("storm warning", And((w("storm"), w("warning")))),
        ('"central bank"', And((Text("central bank", True),))),
        ("a b OR c", And((w("a"), Or((w("b"), w("c")))))),
        ("a OR b OR c", And((Or((w("a"), w("b"), w("c"))),))),
        ("-rates storm", And((Not(w("rates")), w("storm")))),
        ("NOT rates", And((Not(w("rates")),))),
        ("-(a OR b)", And((Not(Or((w("a"), w("b")))),))),
        ("(a b) OR c", And((Or((And((w("a"), w("b"))), w("c"))),))),
        ("title:zebra", And((w("zebra", "title"),))),
        ('title:"zebra crossing"', And((Text("zebra crossing", True, "title"),))),
        ("Title:zebra", And((w("zebra", "title"),))),
        ("topic:tech source:herald", And((Term("topic", "tech"), Term("source", "herald")))),
        ("lang:EN language:de", And((Term("language", "en"), Term("language", "de")))),
        ('entity:"Café Ltd."', And((Term("entity", "cafe ltd"),))),
        ("published:2024-07", And((DateRange(date(2024, 7, 1), date(2024, 7, 31)),))),
        ("published:2024-02..", And((DateRange(date(2024, 2, 1), None),))),
        ("published:..2024", And((DateRange(None, date(2024, 12, 31)),))),
        # Lenient readings of malformed input.
        ('"unclosed phrase', And((Text("unclosed phrase", True),))),
        ("(a b", And((w("a"), w("b")))),
        ("a) b", And((w("a"), w("b")))),
        ("OR a OR", And((w("a"),))),
        ("a AND", And((w("a"),))),
        ("- a", And((w("a"),))),
        ("a NOT", And((w("a"),))),
        ("***", And(())),
        ("title:", And((w("title:"),))),
        ("nosuchfield:x", And((w("nosuchfield:x"),))),
        ("or and not", And((w("or"), w("and"), w("not")))),
    ],
)
def test_parse(q: str, tree: object) -> None:
    assert parse(q) == tree


@pytest.mark.parametrize(
    "q", ['"unclosed phrase', "(a b", "a) b", "OR a OR", "a AND", "- a", "a NOT", "***", "a ()"]
)
def test_read_reports_what_the_lenient_reading_repaired(q: str) -> None:
    """Search repairs these silently; rule files (read strictly) need to know."""
    assert read(q).repairs


@pytest.mark.parametrize(
    "q", ["storm", 'a "b c" -(d OR e)', "a AND b", "title:x NOT y", "nosuchfield:x", "or and not"]
)
def test_read_reports_no_repair_for_well_formed_queries(q: str) -> None:
    assert read(q).repairs == ()


def test_read_lists_groups_that_mix_or_with_and() -> None:
    assert read("a b OR c").mixed == (((w("a"),), (w("b"), w("c"))),)
    assert read("x (a b OR c)").mixed == (((w("a"),), (w("b"), w("c"))),)  # nested group
    for plain in ("a b", "a OR b", "(a b) OR c", "a (b OR c)", "NOT a OR b"):
        assert read(plain).mixed == (), plain


def test_dates() -> None:
    assert parse_dates("2024-02") == DateRange(date(2024, 2, 1), date(2024, 2, 29))
    assert parse_dates("2024-07-01..2024-07-31") == DateRange(date(2024, 7, 1), date(2024, 7, 31))
    for bad in ("", "..", "2024-13", "24-01-01", "2024-01-01..x", "0000-01-01"):
        with pytest.raises(QueryError, match="published:"):
            parse_dates(bad)


def test_date_bounds_are_half_open_utc_days_and_survive_the_last_day() -> None:
    start, end = date_bounds(DateRange(date(2024, 7, 1), date(2024, 7, 31)))
    assert (start.isoformat(), end.isoformat()) == (  # type: ignore[union-attr]
        "2024-07-01T00:00:00+00:00",
        "2024-08-01T00:00:00+00:00",
    )
    assert date_bounds(DateRange(None, date.max)) == (None, None)


def test_entity_key_matches_the_classifiers_normalisation() -> None:
    from classifier.entities import entity_key as classifier_key

    for name in ("Met Office", "Société Générale", "AT&T", "Rolls-Royce", "O'Neill's", "The Hague"):
        assert entity_key(name) == classifier_key(name, "PERSON")


PIECES = list('"()-:*\\^~[]{}<>!+/&|.') + [" ", "  ", "OR", "AND", "NOT", "TO", "..", "\x00"]
PIECES += ["title:", "source:", "topic:", "entity:", "lang:", "published:", "sortkey:", "id:"]
PIECES += ["2024", "-07", "-31", "9999", "0001", "zebra", "é", "日本", "e-mail", "12:30"]


def test_fuzz_any_string_parses_and_compiles_or_is_a_query_error() -> None:
    """Seeded random strings (hypothesis is not installed): only QueryError may escape."""
    compiler = TantivyCompiler(_schema())
    rng = random.Random(20240701)
    errors = 0
    for _ in range(5_000):
        if rng.random() < 0.2:
            q = "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(1, 30)))
        else:
            q = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 15)))
        try:
            tree = parse(q)
        except QueryError as exc:
            assert str(exc)
            errors += 1
            continue
        assert isinstance(compiler.compile(tree), tantivy.Query)
    assert 0 < errors < 2_500  # both paths are exercised
