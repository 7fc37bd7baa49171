"""The record's word floor: briefs of 25–40 words are articles; empty pages, teasers and
paywall stubs are still not (crawler/extract/floor.py, through ``extract_article``)."""

from __future__ import annotations

import json

import pytest

from crawler.extract import NotAnArticle, extract_article
from crawler.extract.floor import BRIEF_WORDS, MIN_WORDS, floor_verdict

URL = "https://courier.example/news/2026/12/06/brief"
#: 31 words in three sentences: a news brief.
BRIEF = (
    "The council approved the bridge budget on Tuesday. Work starts in March and should end "
    "within eighteen months. Opponents said they would appeal to the regional court before the "
    "summer."
)
#: 29 words, one sentence and a link on: a teaser for a story elsewhere.
TEASER = (
    "The council approved the bridge budget on Tuesday after a debate that ran for more than "
    "two years and divided residents living on both banks of the wide river"
)


def page(body: str, head: str = "") -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Council backs bridge | The Courier</title>{head}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>Council backs bridge</h1>{body}</article>"
        "<footer>The Courier, 1 Quay Street</footer></body></html>"
    )


def paywall_ld() -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle",
            "headline": "Council backs bridge", "isAccessibleForFree": "False"}  # fmt: skip
    return f"<script type='application/ld+json'>{json.dumps(data)}</script>"


def test_a_brief_under_the_old_floor_is_an_article() -> None:
    record = extract_article(page(f"<p>{BRIEF}</p>"), URL)
    assert MIN_WORDS <= record["word_count"] < BRIEF_WORDS
    assert record["body"] == BRIEF


def test_an_empty_page_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle, match=f"fewer than {MIN_WORDS}"):
        extract_article(page(""), URL)
    with pytest.raises(NotAnArticle, match=f"fewer than {MIN_WORDS}"):
        extract_article(page("<p>Photos: the new bridge. Video: the vote.</p>"), URL)


def test_a_teaser_is_not_a_brief() -> None:
    teaser = f"<p>{TEASER} <a href='/news/bridge'>Read more</a></p>"
    with pytest.raises(NotAnArticle, match="teaser"):
        extract_article(page(teaser), URL)


def test_a_short_body_on_a_paywalled_page_is_a_stub() -> None:
    with pytest.raises(NotAnArticle, match="paywalled"):
        extract_article(page(f"<p>{BRIEF}</p>", head=paywall_ld()), URL)


def test_a_paywalled_page_with_its_whole_story_is_an_article() -> None:
    story = f"<p>{BRIEF}</p><p>{BRIEF}</p>"
    record = extract_article(page(story, head=paywall_ld()), URL)
    assert record["word_count"] >= BRIEF_WORDS


def test_the_verdict_by_length_and_shape() -> None:
    one_sentence = " ".join(["word"] * 30) + "."
    assert floor_verdict(one_sentence, 30, paywalled=False) is not None
    assert floor_verdict(one_sentence + " Second one.", 32, paywalled=False) is None
    assert floor_verdict(one_sentence, BRIEF_WORDS, paywalled=True) is None  # long enough
    assert floor_verdict("A. B. C.", MIN_WORDS - 1, paywalled=False) is not None
