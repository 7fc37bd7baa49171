"""Sentence ends, counted leniently (floor, lead) and split strictly (summary)."""

from __future__ import annotations

from crawler.extract.sentences import sentence_ends, split_sentences


def test_sentence_ends_skip_decimals_and_count_cjk_marks() -> None:
    assert sentence_ends("Prices rose 3.5 per cent. Rents fell.") == 2
    assert sentence_ends("He said: “It is over.” She left!") == 2
    assert sentence_ends("市议会周二批准了预算。工程将于三月开始。") == 2


def test_an_ellipsis_is_not_a_sentence_end() -> None:
    assert sentence_ends("The council met on Tuesday and then… read on") == 0


def test_splitting_needs_what_starts_a_sentence_after_the_mark() -> None:
    text = "Costs rose, e.g. the bridge. It opened in 2020. “We won,” she said. 40 staff left."
    assert split_sentences(text) == [
        "Costs rose, e.g. the bridge.",
        "It opened in 2020.",
        "“We won,” she said.",
        "40 staff left.",
    ]
    assert split_sentences("市议会周二批准了预算。工程将于三月开始。") == [
        "市议会周二批准了预算。工程将于三月开始。"
    ]


def test_a_closing_quote_or_bracket_after_the_mark_still_ends_the_sentence() -> None:
    """Counting always allowed a closing mark after the full stop; splitting now does too, so a
    quoted last word does not glue two sentences of a summary together (the quote stays)."""
    assert split_sentences('He said "No." Then he left (quietly.) We stayed.') == [
        'He said "No."',
        "Then he left (quietly.)",
        "We stayed.",
    ]
