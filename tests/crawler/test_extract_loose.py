"""Loose prose: a paragraph written as bare text between the story's blocks stays in the body."""

from __future__ import annotations

from crawler.extract import extract_article
from crawler.extract.blocks import BlockIndex
from crawler.extract.document import parse_html
from crawler.extract.loose import loose_prose

URL = "https://almanac.example/farming/drought-corn"

LOOSE = (
    "If they work as advertised, the new varieties could be quite useful in droughts of low "
    "to moderate intensity, growers said at the county fair."
)


def para(i: int) -> str:
    return (
        f"Farm report part {i}: corn covers an area the size of a large state, and nearly all "
        f"of its seed comes from two companies whose drought-tolerant lines went on sale in "
        f"{2010 + i}."
    )


def page(middle: str) -> str:
    """A story whose fourth paragraph is ``middle``, between ordinary ``<p>`` blocks."""
    return (
        "<!doctype html><html><head><title>Corn and the drought</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/farming'>Farming</a></nav>"
        "<article><h1>Corn and the drought</h1><div class='entry'>"
        + "".join(f"<p>{para(i)}</p>" for i in range(3))
        + middle
        + "".join(f"<p>{para(i)}</p>" for i in range(3, 6))
        + "</div></article></body></html>"
    )


#: A pull quote opened inside a ``<p>`` closes it: the paragraph's rest is the quote's tail.
BROKEN_PARAGRAPH = page(f"<p><div class='pullquote'>'No silver bullet.'</div>{LOOSE}</p>")


def test_a_paragraph_broken_by_a_pull_quote_keeps_its_text() -> None:
    body = extract_article(BROKEN_PARAGRAPH, URL)["body"]
    lines = body.splitlines()
    assert LOOSE in lines
    # in its place: after the paragraph before it, before the one after it
    assert lines.index(LOOSE) == lines.index(para(2)) + 1
    assert lines.index(para(3)) == lines.index(LOOSE) + 1


def _repair(html: str, kept: list[str]) -> list[str]:
    tree = parse_html(html)
    return loose_prose(kept, BlockIndex.build(tree))


def test_loose_text_between_kept_blocks_goes_in_after_the_block_before_it() -> None:
    html = page(f"<div class='photo'><img src='corn.jpg'></div>{LOOSE}")
    kept = [para(i) for i in range(6)]
    assert _repair(html, kept) == [*kept[:3], LOOSE, *kept[3:]]


def test_only_text_between_two_kept_blocks_is_put_back() -> None:
    html = page(f"<div class='photo'><img src='corn.jpg'></div>{LOOSE}")
    first_half = [para(i) for i in range(3)]
    # the blocks after the loose text were not kept: it is at the body's edge, not inside it
    assert _repair(html, first_half) == first_half


def test_teasers_link_lists_and_labels_are_not_prose() -> None:
    kept = [para(i) for i in range(6)]
    teaser = "If you found this article helpful, check out our other stories about corn..."
    links = "".join(f"<a href='/s{i}'>Another story number {i} here</a> " for i in range(3)) + "."
    label = "Filed under farming."
    for middle in (teaser, links, label):
        assert _repair(page(f"<div><img src='x.jpg'></div>{middle}"), kept) == kept


def test_a_long_block_left_out_is_a_border() -> None:
    """Loose text beyond a dropped block of text (a box of its own) is not between kept blocks."""
    box = "<div class='promo'>" + " ".join(["Subscribe to the weekly farm letter today."] * 3)
    html = page(box + f"</div>{LOOSE}")
    kept = [para(i) for i in range(6)]
    assert _repair(html, kept) == kept


def test_text_already_in_the_body_is_not_repeated() -> None:
    html = page(f"<div class='photo'><img src='corn.jpg'></div>{LOOSE}")
    kept = [*(para(i) for i in range(3)), LOOSE, *(para(i) for i in range(3, 6))]
    assert _repair(html, kept) == kept


def sections_page() -> str:
    """A guide whose container bears no content marker trafilatura looks for: it then reads
    loose paragraphs only, and the subheadings and the list between them were lost."""
    return (
        "<!doctype html><html><head><title>Saving on a first salary</title></head><body>"
        "<div class='top'><a href='/'>Bank</a> <a href='/learn'>Learn</a></div>"
        "<div class='w-rich'><h1>Saving on a first salary</h1>"
        + "".join(f"<p>{para(i)}</p>" for i in range(2))
        + "<h2>Step one: make a budget</h2>"
        + "<ul><li>Ask yourself what the budget is for.</li>"
        "<li>Set a limit for each category of spending.</li>"
        "<li>Leave a portion of every pay cheque for savings.</li></ul>"
        + "".join(f"<p>{para(i)}</p>" for i in range(2, 4))
        + "<h2>Step two: plan your savings</h2>"
        + "".join(f"<p>{para(i)}</p>" for i in range(4, 6))
        + "<h3>Related guides</h3><ul>"
        + "".join(f"<li><a href='/g{i}'>Another guide number {i}</a></li>" for i in range(4))
        + "</ul></div></body></html>"
    )


def test_subheadings_and_lists_between_kept_paragraphs_are_put_back() -> None:
    lines = extract_article(sections_page(), URL)["body"].splitlines()
    for heading in ("Step one: make a budget", "Step two: plan your savings"):
        assert heading in lines
    assert "- Set a limit for each category of spending." in lines
    assert lines.index("Step one: make a budget") == lines.index(para(1)) + 1
    assert lines.index("Step two: plan your savings") == lines.index(para(3)) + 1
    # the links after the last paragraph are no gap between kept blocks
    assert not any("Another guide" in line or "Related guides" in line for line in lines)


def test_a_list_of_links_or_a_comment_thread_between_paragraphs_stays_out() -> None:
    kept = [para(i) for i in range(6)]
    links = "<ul>" + "".join(f"<li><a href='/s{i}'>Story {i}</a></li>" for i in range(3)) + "</ul>"
    thread = "<ol class='commentlist'><li>Pat says: I saw this at the county fair too.</li></ol>"
    for middle in (links, thread):
        assert _repair(page(middle), kept) == kept


def test_a_heading_is_put_back_only_before_prose() -> None:
    """A heading followed by a form's short labels is the form's, not a section of the story."""
    html = page("<h3>Leave a reply</h3><p>Name</p><p>Email</p>")
    kept = [*(para(i) for i in range(3)), "Name", "Email", *(para(i) for i in range(3, 6))]
    assert _repair(html, kept) == kept
    html = page("<h3>What the growers said</h3>")
    assert "What the growers said" in _repair(html, [para(i) for i in range(6)])
