"""The boolean keyword query of rule topics, and rule evidence."""

from pathlib import Path

import pytest

from classifier.query import QueryError, evaluate, parse_query, text_words
from classifier.rules import RuleMatcher
from classifier.taxonomy import TaxonomyError, load_taxonomy


def hits(query: str, text: str) -> tuple[bool, set[str]]:
    return evaluate(parse_query(query), text_words(text))


@pytest.mark.parametrize(
    ("query", "text", "ok"),
    [
        ('"export controls" AND (chip OR chips)', "New Export Controls hit chips", True),
        ('"export controls" AND (chip OR chips)', "New export controls on steel", False),
        ("chip* NOT potato", "Chipmakers rally", True),
        ("chip* NOT potato", "Potato chips are cheap", False),
        ("earnings OR revenue", "Quarterly revenue rose", True),
        ("nvidia tsmc", "Nvidia and TSMC", True),  # adjacent terms: AND
        ("nvidia tsmc", "Nvidia alone", False),
        ("NOT (a OR b)", "c d", True),
        ('"AI Act"', "the EU's AI Act passed", True),
    ],
)
def test_query_matches(query: str, text: str, ok: bool) -> None:
    assert hits(query, text)[0] is ok


def test_query_evidence_is_positive_terms_only() -> None:
    ok, found = hits(
        '("export controls" OR sanctions) AND chip* NOT potato', "Export controls on chips"
    )
    assert ok and found == {"export controls", "chip*"}


@pytest.mark.parametrize("query", ["", "a AND", "(a OR b", 'a "b', "OR a", "a )"])
def test_query_errors(query: str) -> None:
    with pytest.raises(QueryError):
        parse_query(query)


def test_taxonomy_query_is_validated_and_used(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[topics]]\nid='x'\nlabel='X'\ndescription='d'\nquery='(a OR'\n")
    with pytest.raises(TaxonomyError, match="invalid 'query'"):
        load_taxonomy(bad)
    good = tmp_path / "good.toml"
    good.write_text(
        "[[topics]]\nid='chips-policy'\nlabel='Chip policy'\ndescription='d'\n"
        "query='\"export controls\" AND (chip* OR semiconductor*)'\n"
    )
    tax = load_taxonomy(good)
    assert [t.id for t in tax.rule_topics] == ["chips-policy"]
    [(topics, why)] = RuleMatcher(tax).match_with_evidence(["US tightens export controls on chips"])
    assert topics == [{"id": "chips-policy", "score": 0.8, "origin": "rule"}]
    assert why == {"chips-policy": ["chip*", "export controls"]}


def test_default_taxonomy_query_skips_blue_chips() -> None:
    rules = RuleMatcher(load_taxonomy())
    found = rules.match(["Blue chip stocks rally on Wall Street", "Chip shortage hits carmakers"])
    assert [[t["id"] for t in topics] for topics in found] == [[], ["semiconductors"]]
