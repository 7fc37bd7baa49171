"""Rule topics' queries: the search query language, read strictly, matched like the index."""

from pathlib import Path

import pytest

from classifier.rules import RuleMatcher
from tidings.core.article import Entity
from tidings.core.taxonomy import Taxonomy, TaxonomyError, load_taxonomy


def rule_taxonomy(tmp_path: Path, query: str) -> Taxonomy:
    path = tmp_path / "taxonomy.toml"
    quoted = query.replace("\\", "\\\\").replace('"', '\\"')
    path.write_text(f'[[topics]]\nid="r"\nlabel="R"\ndescription="d"\nquery="{quoted}"\n')
    return load_taxonomy(path)


def hits(
    tmp_path: Path, query: str, text: str, entities: list[Entity] | None = None
) -> dict[str, list[str]]:
    [(_, why)] = RuleMatcher(rule_taxonomy(tmp_path, query)).match_with_evidence(
        [text], [entities or []]
    )
    return why


@pytest.mark.parametrize(
    ("query", "text", "ok"),
    [
        ('"export controls" (chip OR chips)', "New Export Controls hit chips", True),
        ('"export controls" (chip OR chips)', "New export controls on steel", False),
        ("chip -potato", "Chip shortage deepens", True),
        ("chip -potato", "Potato chips are cheap", False),  # stemmed: chips finds chip
        ("earnings OR revenue", "Quarterly revenues rose", True),
        ("nvidia tsmc", "Nvidia and TSMC", True),  # side by side: both required
        ("nvidia tsmc", "Nvidia alone", False),
        ("NOT (apple OR pear)", "cherry season", True),
        ('"AI Act"', "the EU's AI Act passed", True),
        ('"AI Act"', "an act on AI", False),  # a phrase keeps its order
        ("e-mail", "an e-mail scam", True),  # a split word is a phrase, as in search
        ("e-mail", "mail from e", False),
    ],
)
def test_rule_query_matches(tmp_path: Path, query: str, text: str, ok: bool) -> None:
    assert bool(hits(tmp_path, query, text)) is ok


def test_rule_query_entity_scope_matches_entity_keys(tmp_path: Path) -> None:
    nvidia: list[Entity] = [{"text": "Nvidia Corp", "label": "ORG", "key": "nvidia"}]
    assert hits(tmp_path, "entity:Nvidia results", "Quarterly results", nvidia) == {
        "r": ["nvidia", "results"]
    }
    assert hits(tmp_path, "entity:Nvidia results", "Nvidia results") == {}


def test_rule_query_evidence_is_positive_terms_only(tmp_path: Path) -> None:
    why = hits(
        tmp_path, '("export controls" OR sanctions) chips -potato', "Export controls on chip"
    )
    assert why == {"r": ["chips", "export controls"]}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty"),
        ("a AND", "'AND' has nothing on one side"),
        ("OR a", "'OR' has nothing on one side"),
        ("(a OR b", "'\\(' is never closed"),
        ('a "b', "never closed"),
        ("a )", "closes no"),
        ("***", "nothing to search for"),
        ("a NOT", "negates nothing"),
        ("chip*", "no wildcards"),
        ("title:merger", "'title:' scopes search only"),
        ("topic:tech", "'topic:' scopes search only"),
        ("published:2024", "'published:' scopes search only"),
        ("published:yesterday", "published: takes dates"),
    ],
)
def test_rule_query_is_read_strictly(tmp_path: Path, query: str, message: str) -> None:
    """What search repairs or scopes, a rule file may not leave to a guess."""
    with pytest.raises(TaxonomyError, match=f"topic #1 \\('r'\\): invalid 'query' .*{message}"):
        rule_taxonomy(tmp_path, query)


def test_a_query_read_differently_by_older_files_warns_with_both_readings(tmp_path: Path) -> None:
    taxonomy = rule_taxonomy(tmp_path, "nvidia earnings OR guidance")
    assert taxonomy.warnings == (
        f"{tmp_path / 'taxonomy.toml'}: topic 'r': query 'nvidia earnings OR guidance' reads "
        "nvidia AND (earnings OR guidance) (OR binds tighter than AND, as in search); older "
        "taxonomy files read (nvidia AND earnings) OR guidance: add parentheses to say which "
        "you mean",
    )
    for same in ("nvidia (earnings OR guidance)", "gas gas OR gas", "(a b) OR c", "a OR b", "a b"):
        assert rule_taxonomy(tmp_path, same).warnings == (), same


def test_default_taxonomy_query_skips_blue_chips() -> None:
    rules = RuleMatcher(load_taxonomy())
    found = rules.match(["Blue chip stocks rally on Wall Street", "Chip shortage hits carmakers"])
    assert [[t["id"] for t in topics] for topics in found] == [[], ["semiconductors"]]
    assert load_taxonomy().warnings == ()
