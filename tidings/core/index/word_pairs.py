"""Adjacent word pairs: an index of them makes phrase queries cheap, answers unchanged.

A phrase query has to read the positions of every document holding all its words; of two
common words, most articles hold both, few hold them side by side. Each article therefore also
indexes the pairs of adjacent analyzed tokens of its text fields as terms of one field (doc ids
only: no positions, no frequencies, no scores), and a phrase of n tokens must also match its
n − 1 pairs, a filter that scores 0. tantivy's intersection advances the rarest of its parts
first, so the positions are then read only in documents holding every pair.

Every document that matches a phrase holds its pairs (tokens at positions p and p + 1 are
neighbours in the analyzed stream too), so the filter never drops a match: scores, order and
counts stay those of the phrase alone. The pairs are taken from the token stream without its
positions, so a token ``remove_long`` drops makes its neighbours a pair: a superset, harmless.

The writer analyzes each article's texts once more for its pairs, through :class:`PairMemo`,
which remembers each word's stem: the same pairs for about half the CPU.
"""

from __future__ import annotations

from collections.abc import Iterable

import tantivy

#: The field holding the pairs (``whitespace`` tokenizer: the value is the pairs, space-separated).
PAIRS_FIELD = "pairs"
#: Words :class:`PairMemo` keeps before it starts over (a few MB; news reuses its words).
PAIR_MEMO_SIZE = 50_000
#: Joins a pair's two tokens: never inside a token (tokens are alphanumeric: the simple
#: tokenizer splits on everything else) nor whitespace (which separates the pairs).
_JOIN = "_"


def add_pairs_field(builder: tantivy.SchemaBuilder) -> None:
    """The pairs field: indexed with doc ids only (a filter needs no more), not stored, not fast."""
    builder.add_text_field(PAIRS_FIELD, tokenizer_name="whitespace", index_option="basic")


class PairMemo(dict[str, str]):
    """The pairs of a text from the text fields' analysis (``stem_analyzer``: simple tokenizer,
    ``remove_long(40)``, lowercase, English stemmer) run in two parts: the words, all in one
    call, then each word's stem, remembered (word -> ``"stem stem"``, written twice for
    :meth:`pairs`). tantivy's stemmer sees one token at a time, so a word's stem never depends
    on its neighbours and the tokens are the one chain's (tests/core/test_word_pairs.py checks
    it); news reuses its words, so stemming, most of the analysis's cost, is mostly a lookup."""

    def __init__(self, size: int = PAIR_MEMO_SIZE) -> None:
        super().__init__()
        self._words = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .build()
        )
        self._stemmer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
            .filter(tantivy.Filter.stemmer("english"))
            .build()
        )
        self._size = size

    def __missing__(self, word: str) -> str:
        if len(self) >= self._size:
            self.clear()  # bounded: starting over costs one stemming a word
        (stem,) = self._stemmer.analyze(word)
        doubled = self[word] = f"{stem} {stem}"
        return doubled

    def pairs(self, text: str) -> str:
        """``text``'s adjacent token pairs ``"a_b b_c"``, space-separated: its tokens written
        twice and joined by ``_`` (``"a a_b b_c c"``), less the first token's first copy and
        the last token's last copy."""
        doubled = list(map(self.__getitem__, self._words.analyze(text)))
        if len(doubled) < 2:
            return ""
        joined = _JOIN.join(doubled)
        return joined[(len(doubled[0]) + 1) // 2 : len(joined) - (len(doubled[-1]) + 1) // 2]


def _adjacent(tokens: list[str]) -> Iterable[str]:
    return map(_JOIN.join, zip(tokens, tokens[1:], strict=False))


def pairs(tokens: list[str]) -> list[str]:
    """The distinct pair terms of adjacent ``tokens``, in order of first occurrence."""
    return list(dict.fromkeys(_adjacent(tokens)))


def pairs_value(memo: PairMemo, texts: Iterable[str]) -> str:
    """The pairs field's value for a document's texts: each text's pairs (never across two
    texts), space-separated. Repeats are left in: tantivy keeps one posting a document, and
    dropping them here cost more CPU than tantivy spends on them (bench/index_cost.py)."""
    return " ".join(filter(None, map(memo.pairs, texts)))


def pair_filter(schema: tantivy.Schema, tokens: list[str]) -> list[tantivy.Query]:
    """Non-scoring queries (score 0) for each distinct pair of a phrase's ``tokens``: its
    documents, and more, so they narrow the phrase without changing its scores."""
    return [
        tantivy.Query.const_score_query(tantivy.Query.term_query(schema, PAIRS_FIELD, term), 0.0)
        for term in pairs(tokens)
    ]
