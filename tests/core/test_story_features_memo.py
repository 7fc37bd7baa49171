"""Story features read words and capitalised runs through per-word memos: the same features as
reading every word afresh, and the memos stay bounded."""

from __future__ import annotations

from tidings.core.stories import features
from tidings.core.stories.features import _Memo, features_of, names, words

TEXT = (
    "Maria Lopez of Northwind Bank met the Treasury's chief in New York on Monday. "
    "The bank's 3.5% rise, said U.S. officials, was \u201cexpected\u201d. "
    "Contoso Retail (whose shares fell) said: Jamal Williams's team, and Chen Wei, agreed.\n"
    "It is the O'Neill family\u2019s second bid; Hooli's CEO declined."
)


def test_words_and_names_read_as_before() -> None:
    # read twice: the second reading comes from the memos
    for _ in range(2):
        assert words(TEXT)[:8] == [
            "maria", "lopez", "northwind", "bank", "met", "treasury", "chief", "new",
        ]  # fmt: skip
        assert "3.5" in words(TEXT) and "o'neill" in words(TEXT)
        assert "s" not in words(TEXT) and "the" not in words(TEXT)
        assert names(TEXT) == [
            # "O'Neill" is no capitalised word to this rule (a letter, then a quote)
            "maria lopez", "northwind bank", "treasury", "new york", "monday", "u.s",
            "contoso retail", "jamal williams", "chen wei", "hooli",
        ]  # fmt: skip


def test_features_do_not_depend_on_what_was_read_before() -> None:
    article = {"title": "Northwind Bank shares rise", "body": TEXT, "entities": []}
    first = features_of(article)
    features._CONTENT_WORDS.clear()
    features._NAME_PARTS.clear()
    assert features_of(article) == first


def test_a_memo_is_emptied_past_its_limit() -> None:
    calls: list[str] = []
    memo = _Memo(lambda key: calls.append(key) or key.upper(), limit=3)
    assert [memo[k] for k in "abca"] == ["A", "B", "C", "A"]
    assert calls == ["a", "b", "c"]  # "a" the second time: a lookup
    assert memo["d"] == "D" and len(memo) == 1  # full: emptied, then "d" kept
