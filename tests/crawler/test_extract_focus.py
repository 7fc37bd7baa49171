"""trafilatura first reads the story's container, and only when the page shows which it is."""

from __future__ import annotations

from crawler.extract.body import trafilatura_body
from crawler.extract.document import parse_html
from crawler.extract.focus import story_focus

STORY = "".join(
    f"<p>Paragraph {i} of the story says something new and detailed about chips.</p>"
    for i in range(10)
)
COMMENTS = "".join(
    f'<div class="comment"><p>Reader {i} disagrees with every word of this.</p></div>'
    for i in range(20)
)


def page(body: str) -> str:
    return f"<html><head><title>T</title></head><body><nav><p>Menu</p></nav>{body}</body></html>"


def two_columns(story: str, side: str = COMMENTS, wrapper: str = "") -> str:
    """A headline and ``story`` in one column, ``side`` in another; both inside a ``<div>`` of
    class ``wrapper`` if one is named."""
    columns = (f'<div class="layout"><div class="column"><h1>Chips</h1>{story}</div>'
               f'<div class="side">{side}</div></div>')  # fmt: skip
    return page(f'<div class="{wrapper}">{columns}</div>' if wrapper else columns)


def tags(tree) -> list[str]:  # type: ignore[no-untyped-def]
    return [el.tag for el in tree.iter("html", "body", "article", "div", "nav", "footer", "h1")]


def test_one_article_with_the_prose_is_handed_over_alone() -> None:
    tree = parse_html(
        page(f"<article><h1>Chips</h1>{STORY}</article>{COMMENTS}<footer><p>(c) 2026</p></footer>")
    )
    focused = story_focus(tree)
    assert focused is not tree
    assert tags(focused) == ["html", "body", "article", "h1"]
    assert len(focused.findall(".//p")) == 10
    assert len(tree.findall(".//p")) == 10 + 20 + 2  # the page itself is untouched


def test_without_an_article_the_container_of_headline_and_prose() -> None:
    html = page(f'<div class="wrap"><div class="story"><h1>Chips</h1><p class="lead">Lead.</p>'
                f'{STORY}</div><div class="more">{COMMENTS}</div></div>')  # fmt: skip
    focused = story_focus(parse_html(html))
    assert tags(focused) == ["html", "body", "div", "h1"]
    assert focused.find(".//div").get("class") == "story"
    assert focused.find(".//p").get("class") == "lead"  # the lead next to the headline stays


def test_prose_away_from_the_headline_keeps_the_whole_page() -> None:
    apart = parse_html(page(f"<header><h1>Chips</h1></header><div>{STORY}</div>"))
    assert story_focus(apart) is apart
    split = parse_html(
        page(f"<article><h1>Chips</h1><p>Only the lead.</p></article><div>{STORY}</div>")
    )
    assert story_focus(split) is split


def test_several_articles_or_headlines_keep_the_whole_page() -> None:
    two = parse_html(page(f"<article>{STORY}</article><article>{STORY}</article>"))
    headlines = parse_html(page(f"<div><h1>Site</h1><h1>Chips</h1>{STORY}</div>"))
    none = parse_html(page(f"<div>{STORY}</div>"))
    assert story_focus(two) is two
    assert story_focus(headlines) is headlines
    assert story_focus(none) is none


def test_a_page_with_little_paragraph_prose_is_read_whole() -> None:
    """A ``<br>`` blog post has no story ``<p>``: the header's one "about" paragraph must not
    become the container trafilatura reads (it held 42 of a page's 43 paragraph words)."""
    post = "<br>".join(
        f"Line {i} of a post written without paragraphs, as blogs do." for i in range(30)
    )
    html = page(
        '<div id="header"><h1>The Blog</h1><div class="description"><p>'
        + " ".join(["about"] * 42)
        + f'</p></div></div><div class="post">{post}</div>'
    )
    tree = parse_html(html)
    assert story_focus(tree) is tree


def test_the_focused_container_is_read_as_main_content_with_its_headings_and_lists() -> None:
    """The page marks its content area (``class="content"``) *around* the story's container (or
    on an element elsewhere), so that marker stays behind; handed over bare, trafilatura finds no
    content element in the small document and keeps loose paragraphs only, losing the story's
    subheadings and list."""
    sections = "".join(
        f"<h2>Section {i} explains the budget vote</h2>{STORY}"
        f"<ul><li>Item {i}a: the council approved the plan by a wide margin</li>"
        f"<li>Item {i}b: opponents promised to appeal the decision in court</li></ul>"
        for i in range(3)
    )
    around = two_columns(sections, wrapper="content")
    elsewhere = two_columns(sections, side=f'<div id="content"><p>Subscribe.</p></div>{COMMENTS}')
    for marked in (around, elsewhere):
        focused = story_focus(parse_html(marked))
        assert focused.find(".//main/div").get("class") == "column"
        text = trafilatura_body(focused, None)
        assert "Section 2 explains the budget vote" in text
        assert "Item 1b: opponents promised to appeal the decision in court" in text
        assert "Reader 3 disagrees" not in text


def test_a_container_inside_the_pages_main_is_handed_over_in_a_main() -> None:
    """The story's container sits in the page's ``<main>`` and holds a "related" card named
    like content (``class="post-content"``, which trafilatura's search tries first).
    trafilatura passes over the card (too little in it) and goes on to its later searches: on
    the whole page they find the ``<main>``; in a bare copy they found nothing and only the
    loose paragraphs were kept, without the story's subheadings and lists (WCXB)."""
    sections = "".join(
        f"<h2>Section {i} explains the budget vote</h2>{STORY}"
        f"<ul><li>Item {i}a: the council approved the plan by a wide margin</li>"
        f"<li>Item {i}b: opponents promised to appeal the decision in court</li></ul>"
        for i in range(3)
    )
    card = '<div class="post-content"><a href="/other">Another post</a></div>'
    tree = parse_html(
        page(
            f'<main><div class="layout"><div class="column"><h1>Chips</h1>{sections}{card}</div>'
            '<div class="side"><p>Subscribe to our letter.</p></div></div></main>'
        )
    )
    focused = story_focus(tree)
    assert focused.find(".//main/div").get("class") == "column"
    text = trafilatura_body(focused, None)
    assert "Section 2 explains the budget vote" in text
    assert "Item 1b: opponents promised to appeal the decision in court" in text
    assert "Subscribe to our letter" not in text
    assert "Section 2 explains the budget vote" in trafilatura_body(tree, None)  # as the page


def test_the_container_is_handed_over_bare_when_the_page_marks_no_content_around_it() -> None:
    """With no content marker outside the container (none at all, or one inside it), trafilatura
    reads the copy as it reads the whole page: declaring it ``<main>`` would make it keep the
    container's sidebars, trackbacks and other posts, which it otherwise leaves out."""
    inside = two_columns(f'<div class="entry-content">{STORY}</div>')
    for html in (inside, two_columns(STORY)):
        focused = story_focus(parse_html(html))
        assert focused.find(".//div").get("class") == "column"
        assert focused.find(".//main") is None


def test_a_container_with_a_marker_of_its_own_is_handed_over_bare() -> None:
    """A page marking content around the story (``class="post"``, which trafilatura's search
    tries first) whose container holds a marker of its own (``class="text"``, tried later):
    trafilatura reading the copy finds the container's marker before any ``<main>`` around it,
    so none is added (and the whole page's search is not run)."""
    own = two_columns(f'<div class="text">{STORY}</div>', wrapper="post")
    focused = story_focus(parse_html(own))
    assert focused.find(".//main") is None
    assert "Reader 3 disagrees" not in trafilatura_body(focused, None)


def test_the_focus_copy_is_built_by_the_page_parser() -> None:
    """trafilatura creates an element proxy per element it visits: under the page parser's
    C-level class lookup, not lxml.html's Python callback (document.new_element)."""
    tree = parse_html(page(f"<article><h1>Chips</h1>{STORY}</article>{COMMENTS}"))
    focused = story_focus(tree)
    assert focused is not tree
    assert focused.getroottree().parser is tree.getroottree().parser
    assert {type(el) for el in focused.iter()} == {type(tree)}


def test_a_marker_outside_the_container_counts_at_every_stage_of_the_search() -> None:
    """The page's search asks only whether any stage finds a marker (cheapest stages first), so
    a marker found by any one stage, with or without regular expressions, has the container
    declared ``<main>``; a container whose own markup matches a stage is handed over bare."""
    markers = ('<div class="post">', "<article>", '<div id="story">', '<div class="content">',
               '<div class="main-area">', "<main>")  # fmt: skip
    for marker in markers:
        closing = f"</{marker[1:].split()[0].rstrip('>')}>"
        elsewhere = two_columns(STORY, side=f"{marker}<p>Subscribe.</p>{closing}{COMMENTS}")
        focused = story_focus(parse_html(elsewhere))
        assert focused.find(".//main/div").get("class") == "column", marker
    for marker in markers:
        closing = f"</{marker[1:].split()[0].rstrip('>')}>"
        inside = two_columns(f"{marker}{STORY}{closing}")
        focused = story_focus(parse_html(inside))
        assert focused.find(".//main/div") is None, marker
