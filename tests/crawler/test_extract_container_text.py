"""The cheap first pass: a focused page's container read by one walk, and when it must not be."""

from __future__ import annotations

import pytest

from crawler.extract import body as body_module
from crawler.extract import extract_article
from crawler.extract.container_text import container_text, names_boilerplate
from crawler.extract.document import parse_html
from crawler.extract.focus import story_focus

URL = "https://ledger.example/city/harbour-bridge"


#: The story's six paragraphs.
STORY = [
    f"Paragraph {i} of the story: engineers said the harbour bridge reopened after repairs to "
    f"cable number {i}, that traffic moved freely by noon and that inspections continue."
    for i in range(6)
]


def page(inside_article: str) -> str:
    """A news page whose one ``<article>`` holds the story, with ``inside_article`` after its
    third paragraph; menus and a footer around it."""
    paragraphs = [f"<p>{text}</p>" for text in STORY]
    return (
        "<!doctype html><html><head><title>Harbour bridge reopens</title></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/city'>City</a></li></ul></nav>"
        "<article><h1>Harbour bridge reopens</h1>"
        "<div class='share-bar'><a href='/s/fb'>Facebook</a> <a href='/s/x'>Post it</a></div>"
        + "".join(paragraphs[:3])
        + inside_article
        + "".join(paragraphs[3:])
        + "</article><footer><p>Ledger Media, all rights reserved.</p></footer></body></html>"
    )


RELATED = (
    "<ul class='more'>"
    + "".join(
        f"<li><a href='/city/{i}'>Related headline number {i} about the city council</a></li>"
        for i in range(5)
    )
    + "</ul>"
)
#: Text in the container that is neither story paragraphs nor links: a timetable in divs.
TIMETABLE = (
    "<div class='schedule'>"
    + "".join(
        f"<div>Ferry {i} leaves the north pier at {i} o'clock and calls at the islands, the "
        f"old town and the airport before it returns to the north pier by evening.</div>"
        for i in range(8)
    )
    + "</div>"
)


def test_the_container_walk_gives_the_story_without_share_bar_or_related_links() -> None:
    tree = parse_html(page(RELATED))
    focus = story_focus(tree)
    assert focus is not tree  # the page's one <article> is the story's container
    walked = container_text(focus)
    assert walked is not None
    assert all(text in walked.splitlines() for text in STORY)
    assert "Facebook" not in walked and "Related headline" not in walked
    body = extract_article(page(RELATED), URL)["body"]
    assert all(text in body for text in STORY)
    assert "Related headline" not in body and "Facebook" not in body and "Home" not in body


def test_link_share_counts_words_not_the_separators_between_links() -> None:
    """A row of topic links separated by bars is a pointer list: its link share is counted
    as the body's line rules count it (:func:`crawler.extract.blocks.link_density`, word
    tokens), so the bars do not make it look like prose. Counted with the bars (0.76 of the
    characters in links) the walk kept it."""
    names = ("Harbour", "Bridges", "Council", "Ferries", "Transport")
    topics = " | ".join(f"<a href='/topic/{name}'>{name}</a>" for name in names)
    tree = parse_html(page(f"<p>{topics}</p>"))
    walked = container_text(story_focus(tree))
    assert walked is not None
    assert all(text in walked.splitlines() for text in STORY)
    assert "Ferries" not in walked


def test_the_walk_leaves_the_focus_copy_whole_for_trafilatura() -> None:
    tree = parse_html(page(RELATED))
    focus = story_focus(tree)
    before = len(list(focus.iter()))
    container_text(focus)
    assert len(list(focus.iter())) == before


def test_a_container_with_more_than_its_prose_goes_to_trafilatura(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Text beside the story's paragraphs (a timetable in divs) puts the walk's words over
    ``TIGHT``'s bound: trafilatura's cascade must sort that container out, so it runs."""
    tree = parse_html(page(TIMETABLE))
    focus = story_focus(tree)
    assert focus is not tree
    assert container_text(focus) is None
    first_passes: list[object] = []
    real = body_module.trafilatura_body

    def counted(page_or_tree, url, second_opinion=False):  # the real function, counted
        if not second_opinion:
            first_passes.append(page_or_tree)
        return real(page_or_tree, url, second_opinion)

    monkeypatch.setattr(body_module, "trafilatura_body", counted)
    body = extract_article(page(TIMETABLE), URL)["body"]
    assert len(first_passes) == 1
    assert all(text in body for text in STORY)


def test_a_page_without_one_container_never_takes_the_walk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two ``<article>``s and no single ``<h1>``: no focus, so trafilatura reads the page."""
    html = page(RELATED).replace("<h1>Harbour bridge reopens</h1>", "")
    html = html.replace("<footer>", "<article><p>A second item.</p></article><footer>")
    walks: list[object] = []
    monkeypatch.setattr(
        body_module, "container_text", lambda focus: walks.append(focus) or container_text(focus)
    )
    body = extract_article(html, URL)["body"]
    assert walks == []
    assert all(text in body for text in STORY)


@pytest.mark.parametrize(
    ("attributes", "boilerplate"),
    [
        ("class='share-tools'", True),  # trafilatura's class patterns
        ("id='related-posts'", True),  # its id patterns
        ("class='Teaser-box'", True),  # its teaser list
        ("style='display: none'", True),  # hidden
        ("class='full-gallery'", True),  # crawler.extract.widgets' words
        ("class='story-text'", False),
        ("id='post-4711'", False),
    ],
)
def test_names_follow_trafilaturas_discard_patterns(attributes: str, boilerplate: bool) -> None:
    element = parse_html(f"<html><body><div {attributes}>x</div></body></html>").find(".//div")
    assert names_boilerplate(element) is boilerplate
