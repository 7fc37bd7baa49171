"""Highlight fragments: only <b> survives, whatever the index sends."""

from __future__ import annotations

from search_api.markup import mark_terms, safe_fragment, safe_highlights, safe_url


def test_escaped_fragment_is_not_double_escaped() -> None:
    assert safe_fragment("&lt;img src=x <b>onerror</b>=1&gt;") == (
        "&lt;img src=x <b>onerror</b>=1&gt;"
    )


def test_unescaped_fragment_is_escaped() -> None:
    out = safe_fragment('<img src=x onerror="alert(1)"> <b>hit</b> <script>x</script>')
    assert "<img" not in out and "<script" not in out
    assert out.startswith("&lt;img src=x onerror=&#34;alert(1)&#34;&gt; <b>hit</b>")


def test_unbalanced_tags_are_closed_or_dropped() -> None:
    assert safe_fragment("<b>a <b>b</b></b> </b>c <b>d") == "<b>a b</b> c <b>d</b>"


def test_safe_fragment_is_idempotent() -> None:
    once = safe_fragment("&amp; <b>x</b> &lt;")
    assert safe_fragment(once) == once == "&amp; <b>x</b> &lt;"


def test_title_highlight_is_the_whole_title() -> None:
    out = safe_highlights(
        {"title": ["&lt;img src=x <b>onerror</b>=alert(1"]}, title="<img src=x onerror=alert(1)>"
    )
    assert out == {"title": ["&lt;img src=x <b>onerror</b>=alert(1)&gt;"], "body": []}
    assert mark_terms("Rates rise; RATES fall", {"rates"}) == (
        "<b>Rates</b> rise; <b>RATES</b> fall"
    )


def test_only_http_urls_are_links() -> None:
    assert safe_url("javascript:alert(1)") == "#"
    assert safe_url(" JaVaScRiPt:alert(1)") == "#"
    assert safe_url(None) == "#"
    assert safe_url("https://example.com/a?b=1") == "https://example.com/a?b=1"
