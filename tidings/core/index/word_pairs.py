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

The writer analyzes each article's texts once more for its pairs. Stemming is most of that
analysis's cost and depends on the word alone, so :class:`StemMemo` runs the chain in two parts,
words then stems, and remembers each word's stem: the same tokens, for ~0.6 of the CPU.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

import tantivy

#: The field holding the pairs (``whitespace`` tokenizer: the value is the pairs, space-separated).
PAIRS_FIELD = "pairs"
#: Words whose stems :class:`StemMemo` keeps before it starts over (a few MB; news reuses words).
STEM_MEMO_SIZE = 50_000
#: Joins a pair's two tokens: never inside a token (tokens are alphanumeric: the simple
#: tokenizer splits on everything else) nor whitespace (which separates the pairs).
_JOIN = "_"


def add_pairs_field(builder: tantivy.SchemaBuilder) -> None:
    """The pairs field: indexed with doc ids only (a filter needs no more), not stored, not fast."""
    builder.add_text_field(PAIRS_FIELD, tokenizer_name="whitespace", index_option="basic")


class StemMemo(dict[str, str]):
    """The text fields' analyzer (``stem_analyzer``: simple tokens, ``remove_long(40)``,
    lowercase, English stemmer) in two parts: the words, then each word's stem, remembered
    (word -> stem). The stemmer sees one token at a time, so a word's stem never depends on its
    neighbours: the tokens are the one analyzer's (tests/core/test_word_pairs.py checks it)."""

    def __init__(self, size: int = STEM_MEMO_SIZE) -> None:
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

    def analyze(self, text: str) -> list[str]:
        """``text``'s tokens, as ``stem_analyzer().analyze(text)`` gives them."""
        return list(map(self.__getitem__, self._words.analyze(text)))

    def __missing__(self, word: str) -> str:
        if len(self) >= self._size:
            self.clear()  # bounded: starting over costs one stemming a word
        (stem,) = self._stemmer.analyze(word)
        self[word] = stem
        return stem


def _adjacent(tokens: list[str]) -> Iterable[str]:
    return map(_JOIN.join, zip(tokens, tokens[1:], strict=False))


def pairs(tokens: list[str]) -> list[str]:
    """The distinct pair terms of adjacent ``tokens``, in order of first occurrence."""
    return list(dict.fromkeys(_adjacent(tokens)))


def pairs_value(analyzer: tantivy.TextAnalyzer | StemMemo, texts: Iterable[str]) -> str:
    """The pairs field's value for a document's texts: each text's pairs (never across two
    texts), space-separated. Repeats are left in: tantivy keeps one posting a document, and
    dropping them here cost more CPU than tantivy spends on them (bench/index_cost.py)."""
    return " ".join(chain.from_iterable(_adjacent(analyzer.analyze(text)) for text in texts))


def pair_filter(schema: tantivy.Schema, tokens: list[str]) -> list[tantivy.Query]:
    """Non-scoring queries (score 0) for each distinct pair of a phrase's ``tokens``: its
    documents, and more, so they narrow the phrase without changing its scores."""
    return [
        tantivy.Query.const_score_query(tantivy.Query.term_query(schema, PAIRS_FIELD, term), 0.0)
        for term in pairs(tokens)
    ]
