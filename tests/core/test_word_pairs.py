"""Phrases narrowed by the embedded index's word pairs: the same answers, never a match dropped.

Each phrase below is searched twice over one index: as the index compiles it (the phrase and
its pairs' filter) and as the phrase alone (the compiler without pairs, what main ran), and the
whole answers must be equal: hits, order, scores, highlights, totals, facets. The corpus holds
the cases where a filter could go wrong: a token ``remove_long`` drops between two words, a
repeated word ("new new york"), common short words, a phrase in the title only or the summary
only, one word the analyzer splits ("e-mail"), a phrase across two fields (no match), a pair
only through a dropped token ("gap only": the phrase's pairs then match more than the phrase).

The aggregation pass (facets, total) of a search with a phrase reads the phrases' pairs instead
(:meth:`TantivyCompiler.superset`) when their count equals the phrase's: the equalities below
cover both that and the fallback ("gap only").
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import tantivy

from tests.core.test_embedded_facets import make_previous_home, previous_schema
from tidings.cli.main import main
from tidings.core.config import Settings
from tidings.core.index import EmbeddedIndex, IndexSchemaError, SearchRequest, open_index
from tidings.core.index.query_language import parse
from tidings.core.index.tantivy_query import TantivyCompiler, stem_analyzer
from tidings.core.index.word_pairs import PAIRS_FIELD, PairMemo, pairs, pairs_value

LONG = "x" * 45  # longer than remove_long's 40: dropped from the token stream
FILLER = ["new", "york", "of", "the", "bank", "west", "storm", "harbour", "mail", "e", "closes"]
CASES = {
    "long": ("Quiet day", f"the alpha {LONG} beta test and an alpha beta test", ""),
    "repeat": ("Trip", "they moved to new new york last year, not new york", ""),
    "stop-like": ("Rates", "the bank of the west cut rates at the bank of the west", ""),
    "title only": ("Harbour storm closes roads", "nothing about it here", ""),
    "summary only": ("Notes", "plain body", "the harbour storm closes in"),
    "split word": ("Mail", "send an e-mail or an e mail, not mail e", ""),
    "across fields": ("Ends in storm", "closes the harbour", ""),
    "gap only": ("Gamma", f"a gamma {LONG} delta, and delta before gamma", ""),
    "the gap's phrase": ("Delta", "the gamma delta rises", ""),
}
PHRASES = [
    f'"alpha {LONG} beta"', '"alpha beta"', '"new new york"', '"new york"', '"york new"',
    '"bank of the west"', '"of the"', '"harbour storm closes"', 'title:"harbour storm"',
    "e-mail", '"e mail"', '"storm closes"', '"the harbour storm"', '"west cut" OR "new york"',
    '"new york" -"bank of"', '"bank of" bank',
    '"gamma delta"', '"gamma delta" OR storm', 'delta -"gamma delta"',
]  # fmt: skip


def corpus(filler: int = 120, seed: int = 5) -> list[dict[str, Any]]:
    """The cases, and articles of random filler words (phrases among them by chance)."""
    rng = random.Random(seed)
    rows = list(CASES.values()) + [
        (" ".join(rng.choices(FILLER, k=4)), " ".join(rng.choices(FILLER, k=30)), "")
        for _ in range(filler)
    ]
    return [
        {
            "id": f"a{i}",
            "url": f"https://e.example/{i}",
            "title": title,
            "body": body,
            "summary": summary,
            "source": {"id": f"s{i % 3}", "name": "S", "domain": "e.example"},
            "published_at": f"2024-05-{1 + i % 28:02d}T10:00:00+00:00",
            "topics": [{"id": f"t{i % 4}", "score": 1.0, "origin": "model"}],
        }  # fmt: skip
        for i, (title, body, summary) in enumerate(rows)
    ]


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """(the index as shipped, the same index read through the phrase-only compiler)."""
    path = tmp_path_factory.mktemp("pairs") / "index"
    with EmbeddedIndex(path, writable=True) as writer:
        writer.upsert(corpus())
    shipped, plain = EmbeddedIndex(path), EmbeddedIndex(path)
    plain._compiler = TantivyCompiler(plain._schema)  # no pairs: the phrase alone
    yield shipped, plain
    shipped.close()
    plain.close()


def answer(index: EmbeddedIndex, q: str, **extra: Any) -> Any:
    result = index.search(SearchRequest(q=q, facets=("topic", "source"), **extra))
    hits = [(h.id, h.score, h.highlights) for h in result.hits]
    return hits, result.total, result.facets, result.next_cursor


@pytest.mark.parametrize("q", PHRASES)
def test_a_phrase_answers_as_it_does_without_the_pairs(indexes: Any, q: str) -> None:
    shipped, plain = indexes
    for extra in ({}, {"limit": 3}, {"sort": "date", "limit": 3}):
        assert answer(shipped, q, **extra) == answer(plain, q, **extra)


def test_the_cases_match_where_a_phrase_does(tmp_path: Path) -> None:
    """Not vacuous: the tricky cases do match (or not) as phrases, so the equality above
    covers them."""
    with EmbeddedIndex(tmp_path / "index", writable=True) as writer:
        writer.upsert(corpus(filler=0))
        ids = {q: {h.id for h in writer.search(SearchRequest(q=q)).hits} for q in PHRASES}
    case = {name: f"a{i}" for i, name in enumerate(CASES)}
    assert case["long"] in ids['"alpha beta"'] and case["repeat"] in ids['"new new york"']
    assert case["stop-like"] in ids['"bank of the west"']
    assert ids['title:"harbour storm"'] == {case["title only"]}
    assert case["summary only"] in ids['"harbour storm closes"']
    assert case["split word"] in ids["e-mail"] and case["split word"] in ids['"e mail"']
    assert case["across fields"] not in ids['"storm closes"']
    assert case["gap only"] not in ids['"gamma delta"'] and ids['"gamma delta"']


def matches(index: EmbeddedIndex, query: tantivy.Query) -> set[str]:
    searcher = index._searcher()
    return {searcher.doc(a).get_first("id") for _, a in searcher.search(query, 1000).hits}


@pytest.mark.parametrize("q", PHRASES + ["storm", "-storm", '-"new york"', "storm -harbour"])
def test_the_superset_holds_every_match_and_loosens_only_phrases(indexes: Any, q: str) -> None:
    """What the aggregation pass may read instead of a phrase: never fewer matches; for two
    words the same ones but for a pair made by a dropped token (three words: more, "new new
    york"); nothing to loosen without a phrase outside a NOT (fails without ``superset``)."""
    shipped, _ = indexes
    node = parse(q)
    exact = matches(shipped, shipped._compiler.compile(node))
    loose = shipped._compiler.superset(node)
    positive = any(c == '"' for c in q.split("-")[0]) or q == "e-mail"
    if not positive:
        assert loose is None
        return
    assert loose is not None and "Phrase" not in repr(loose).split("MustNot")[0]
    assert exact <= matches(shipped, loose)
    if q in ('"new york"', '"storm closes"', '"of the"', "e-mail"):  # two words: the same
        assert matches(shipped, loose) == exact
    elif q == '"gamma delta"':
        assert matches(shipped, loose) - exact == {f"a{list(CASES).index('gap only')}"}


def test_pairs_are_the_neighbours_in_the_analyzed_stream() -> None:
    analyzer = stem_analyzer()
    assert pairs(analyzer.analyze("New new York")) == ["new_new", "new_york"]
    assert pairs(analyzer.analyze(f"alpha {LONG} beta")) == ["alpha_beta"]  # a superset
    assert pairs(analyzer.analyze("e-mail")) == ["e_mail"]
    assert pairs(["a", "b", "a", "b"]) == ["a_b", "b_a"]
    assert pairs_value(PairMemo(), ["ends storm", "closes now", "", "end storm"]) == (
        "end_storm close_now end_storm"
    )


#: Text where a split analysis could part from the one chain: case, a token ``remove_long`` drops
#: (and one at its edge, whose byte length lowercasing changes), non-ASCII letters and digits,
#: words split at punctuation, repeats.
TRICKY = (
    f"Running RUNS ran {LONG} runner's e-mail İSTANBUL Straße ΟΔΥΣΣΕΥΣ école e\u0301cole ½ ² ٣ "
    f"{'İ' * 19} {'İ' * 20} {'ß' * 21} 3.14 cats cat's CATS généralement running"
)


def all_pairs(tokens: list[str]) -> list[str]:
    """Every adjacent pair, repeats kept, as phrase1 wrote them from the whole text's tokens."""
    return [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def test_the_pair_memo_gives_the_pairs_of_the_analyzed_text() -> None:
    """Fails if the memo's two parts ever part from stem_analyzer's chain (repeats kept)."""
    analyzer = stem_analyzer()
    memo = PairMemo()
    texts = [TRICKY, TRICKY.lower(), *CASES["long"], *CASES["split word"], " ".join(FILLER)]
    for text in [*texts, "", "  ", "one", " one ", "a b", "a\u2003b\u00a0c\u200bd\te\nf"]:
        assert memo.pairs(text) == " ".join(all_pairs(analyzer.analyze(text))), text
    both = [*texts, "", "ends storm"]
    assert pairs_value(memo, both) == " ".join(
        pair for text in both for pair in all_pairs(analyzer.analyze(text))
    )
    assert memo["running"] == "run run"  # remembered: the word's stem, twice


def test_the_pair_memo_stays_bounded_and_right() -> None:
    analyzer = stem_analyzer()
    memo = PairMemo(size=4)
    for _ in range(2):  # the second round starts from a memo cleared on the way
        assert memo.pairs(TRICKY) == " ".join(all_pairs(analyzer.analyze(TRICKY)))
        assert 0 < len(memo) <= 4


def test_a_phrase_is_compiled_with_its_pairs_filter(indexes: Any) -> None:
    """Fails without the pairs: no such field in the schema, no filter in the query."""
    shipped, _ = indexes
    query = repr(shipped._compiler.compile(parse('"new new york" storm')))
    assert query.count('"new_new"') == 3 and query.count('"new_york"') == 3  # each field's
    assert "Const(score=0" in query
    assert "Const" not in repr(shipped._compiler.compile(parse("storm")))  # one word: no pairs
    searcher = shipped._searcher()
    found = searcher.search(tantivy.Query.term_query(shipped._schema, PAIRS_FIELD, "new_york"), 50)
    assert found.count >= 1


def test_an_index_built_before_word_pairs_is_refused_then_rebuilt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fails without the pairs field: main's schema is then the current one."""
    index_dir = make_previous_home(tmp_path, previous_schema(topic_sets=True))
    with pytest.raises(IndexSchemaError, match="tidings reindex"):
        EmbeddedIndex(index_dir)
    capsys.readouterr()
    assert main(["--home", str(tmp_path), "prune", "--days", "10"]) == 2  # one line, no trace
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert main(["--home", str(tmp_path), "reindex"]) == 0
    assert "old schema" in capsys.readouterr().err
    index = open_index(Settings(home=tmp_path))
    try:
        assert index.search(SearchRequest(q='"harbour storm"')).total > 0
    finally:
        index.close()
