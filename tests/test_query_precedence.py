"""One query language: its precedence stated once, run through both of its users.

Search (on the embedded index) and rule topics (the taxonomy's ``query``) must find the same
titles for the same query text. ``OR`` binds tighter than the AND implied between words:
``gas prices OR tariffs`` is ``gas AND (prices OR tariffs)``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.rules import RuleMatcher
from tidings.core.index import EmbeddedIndex, SearchRequest
from tidings.core.taxonomy import load_taxonomy

TITLES = [
    "Gas prices climb again",
    "Gas tariffs announced",
    "New tariffs on steel",
    "Prices fall at the pump",
    "Storm warning for the coast",
    "Flood warning upstream",
    "Storm passes quietly",
    "Flood waters recede after storm",
]

#: query -> the titles it finds. The comments give the AND-before-OR reading taxonomy files
#: once used, which would also find the titles marked with +.
PRECEDENCE = {
    # gas AND (prices OR tariffs); once (gas AND prices) OR tariffs, + "New tariffs on steel"
    "gas prices OR tariffs": {"Gas prices climb again", "Gas tariffs announced"},
    # (storm OR flood) AND warning; once storm OR (flood AND warning), + "Storm passes quietly",
    # + "Flood waters recede after storm"
    "storm OR flood warning": {"Storm warning for the coast", "Flood warning upstream"},
    # storm AND (NOT flood OR warning): NOT binds tightest in both readings
    "storm NOT flood OR warning": {"Storm warning for the coast", "Storm passes quietly"},
    # explicit AND is the implied AND: (gas OR steel) AND tariffs
    "gas OR steel AND tariffs": {"Gas tariffs announced", "New tariffs on steel"},
    # parentheses say it either way, and mean the same in both readings
    "(gas prices) OR tariffs": {
        "Gas prices climb again",
        "Gas tariffs announced",
        "New tariffs on steel",
    },  # fmt: skip
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedIndex:
    idx = EmbeddedIndex(tmp_path_factory.mktemp("index"), writable=True)
    idx.upsert(
        [
            {
                "id": f"a{i}",
                "url": f"https://e.example/{i}",
                "title": title,
                "source": {"id": "e", "name": "E", "domain": "e.example"},
                "published_at": "2024-01-01T00:00:00+00:00",
            }
            for i, title in enumerate(TITLES)
        ]
    )
    yield idx
    idx.close()


@pytest.mark.parametrize(("query", "expected"), PRECEDENCE.items(), ids=list(PRECEDENCE))
def test_search_reads_the_precedence(index: EmbeddedIndex, query: str, expected: set[str]) -> None:
    result = index.search(SearchRequest(q=query, limit=50, highlight=False, facets=()))
    assert {TITLES[int(h.id[1:])] for h in result.hits} == expected


@pytest.mark.parametrize(("query", "expected"), PRECEDENCE.items(), ids=list(PRECEDENCE))
def test_rule_topics_read_the_same_precedence(
    tmp_path: Path, query: str, expected: set[str]
) -> None:
    path = tmp_path / "taxonomy.toml"
    quoted = query.replace("'", "\\'")
    path.write_text(f"[[topics]]\nid='r'\nlabel='R'\ndescription='d'\nquery='{quoted}'\n")
    taxonomy = load_taxonomy(path)
    found = RuleMatcher(taxonomy).match(TITLES)
    assert {title for title, topics in zip(TITLES, found, strict=True) if topics} == expected
    # A query that older taxonomy files read differently loads with a warning naming the rule.
    changed = query.startswith(("gas prices OR", "storm OR", "storm NOT", "gas OR steel"))
    assert len(taxonomy.warnings) == int(changed)
    if changed:
        assert "topic 'r'" in taxonomy.warnings[0] and "add parentheses" in taxonomy.warnings[0]
