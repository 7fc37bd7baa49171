"""Highlights rendered once: the index's plain text and match spans become safe HTML here."""

from __future__ import annotations

from search_api.markup import markup, render, render_highlights, safe_url
from tidings.core.index.base import Highlight


def test_text_is_escaped_and_only_matches_are_marked() -> None:
    text = '<img src=x onerror="alert(1)"> Zebra & <b>lion</b>'
    out = render(Highlight(text, ((31, 36),)))
    assert out == (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <b>Zebra</b> &amp; &lt;b&gt;lion&lt;/b&gt;"
    )
    assert "<img" not in out and out.count("<b>") == 1


def test_spans_are_character_offsets_in_any_script() -> None:
    text = "“Ünïcode” zebra 日本 zebra"
    first = text.index("zebra")
    second = text.rindex("zebra")
    out = render(Highlight(text, ((first, first + 5), (second, second + 5))))
    assert out == "“Ünïcode” <b>zebra</b> 日本 <b>zebra</b>"


def test_bad_spans_are_skipped_never_trusted() -> None:
    # overlapping, reversed, empty and out-of-range spans mark nothing and lose no text
    out = render(Highlight("a <b> c", ((0, 1), (0, 3), (5, 4), (6, 6), (6, 99))))
    assert out == "<b>a</b> &lt;b&gt; c"
    assert render(Highlight("plain", ())) == "plain"


def test_hit_highlights_always_carry_title_and_body() -> None:
    assert render_highlights({}) == {"title": [], "body": []}
    out = render_highlights({"title": Highlight("Rates rise; RATES fall", ((0, 5), (12, 17)))})
    assert out == {"title": ["<b>Rates</b> rise; <b>RATES</b> fall"], "body": []}


def test_template_markup_is_the_rendered_html() -> None:
    rendered = markup(Highlight("<x> y", ((4, 5),)))
    assert str(rendered) == "&lt;x&gt; <b>y</b>"
    assert str(rendered.__html__()) == str(rendered)  # Jinja inserts it as is, no re-escaping


def test_only_http_urls_are_links() -> None:
    assert safe_url("javascript:alert(1)") == "#"
    assert safe_url(" JaVaScRiPt:alert(1)") == "#"
    assert safe_url(None) == "#"
    assert safe_url("https://example.com/a?b=1") == "https://example.com/a?b=1"


def test_every_piece_is_escaped_as_html_escape_does_with_or_without_special_characters() -> None:
    # the renderer skips escaping when the whole text has nothing to escape: both paths must
    # give what escaping every piece gives (html.escape, quotes included)
    from html import escape

    words = ["plain", "a&b", "<i>", 'say "hi"', "it's", "x>y", "ünï", "&amp;"]
    for first in words:
        for second in words:
            text = f"{first} zebra {second}"
            start = len(first) + 1
            want = f"{escape(first)} <b>zebra</b> {escape(second)}"
            assert render(Highlight(text, ((start, start + 5),))) == want, text
    assert render(Highlight("'", ((0, 1),))) == "<b>&#x27;</b>"
