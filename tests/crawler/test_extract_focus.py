"""trafilatura reads the page's one prose-holding <article>, and only when it holds the prose."""

from __future__ import annotations

from crawler.extract.document import parse_html
from crawler.extract.focus import article_focus

STORY = "".join(
    f"<p>Paragraph {i} of the story says something new about chips.</p>" for i in range(6)
)
COMMENTS = "".join(
    f'<div class="comment"><p>Reader {i} disagrees with every word of this.</p></div>'
    for i in range(20)
)


def page(body: str) -> str:
    return f"<html><head><title>T</title></head><body><nav><p>Menu</p></nav>{body}</body></html>"


def test_one_article_with_the_prose_is_handed_over_alone() -> None:
    tree = parse_html(
        page(f"<article><h1>Chips</h1>{STORY}</article>{COMMENTS}<footer><p>(c) 2026</p></footer>")
    )
    focused = article_focus(tree)
    assert focused is not tree
    assert [el.tag for el in focused.iter("html", "body", "article", "nav", "footer")] == [
        "html", "body", "article"
    ]  # fmt: skip
    assert len(focused.findall(".//p")) == 6
    assert tree.find(".//article") is not None  # the page itself is untouched
    assert len(tree.findall(".//p")) == 6 + 20 + 2


def test_prose_outside_the_article_keeps_the_whole_page() -> None:
    split = page(
        f"<article><h1>Chips</h1><p>Only the lead is inside.</p></article><div>{STORY}</div>"
    )
    tree = parse_html(split)
    assert article_focus(tree) is tree


def test_several_articles_or_none_keep_the_whole_page() -> None:
    two = parse_html(page(f"<article>{STORY}</article><article>{STORY}</article>"))
    none = parse_html(page(f"<div>{STORY}</div>"))
    assert article_focus(two) is two
    assert article_focus(none) is none
