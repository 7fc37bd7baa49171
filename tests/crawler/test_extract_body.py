"""Body extraction heuristics on small synthetic pages: each rule does what it claims, no more."""

from __future__ import annotations

import json
import re

from crawler.extract import extract_article
from crawler.extract.blocks import BlockIndex, norm
from crawler.extract.body import (
    MOSTLY_LINKS,
    agree_with_jsonld,
    drop_boilerplate,
    extract_body,
    found_too_little,
    headlines,
    link_share,
    referee,
)
from crawler.extract.document import parse_html

URL = "https://courier.example/news/river-bridge"
#: Distinct, article-like sentences (each long enough to count as prose for any extractor).
TOPICS = ["bridge", "budget", "trees", "trams", "schools", "harbour", "market", "library",
          "museum", "station", "park", "airport"]  # fmt: skip


def para(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    return (
        f"Paragraph {i} of the story: councillors spent the morning arguing about the {topic}, "
        f"and residents who packed the public gallery said the {topic} plan number {i} would "
        f"change how the whole district lives and works for the next twenty years at least."
    )


def ps(indices: range) -> str:
    return "".join(f"<p>{para(i)}</p>" for i in indices)


def words_in(body: str, i: int) -> bool:
    return f"Paragraph {i} of the story" in body


def doc(body: str, head: str = "") -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Council backs bridge | The Courier</title>{head}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
        f"{body}<footer><a href='/about'>About us</a> <a href='/jobs'>Jobs</a></footer>"
        "</body></html>"
    )


def body_of(page: str, jsonld_body: str | None = None) -> str:
    return extract_body(page, parse_html(page), URL, jsonld_body, 40)


# --- comments and related boxes -------------------------------------------------------------


def test_page_with_comments_and_related_box_keeps_only_the_story() -> None:
    comments = "".join(
        f"<li class='comment'><p class='author'>reader{i}</p><p>I disagree with the council "
        f"about this, reader {i} wrote at length, because the old ferry worked perfectly well "
        f"for decades and nobody asked the people who actually use it every single day.</p></li>"
        for i in range(12)
    )
    related = "".join(
        f"<li><a href='/news/{i}'>Another headline about the {t} that you may enjoy</a></li>"
        for i, t in enumerate(TOPICS[:5])
    )
    page = doc(
        f"<article><h1>Council backs bridge</h1><div class='story'>{ps(range(6))}</div>"
        f"<aside class='related'><h3>Related</h3><ul>{related}</ul></aside></article>"
        f"<section id='comments'><h2>12 comments</h2><ol>{comments}</ol></section>"
    )
    body = body_of(page)
    assert all(words_in(body, i) for i in range(6))
    assert "I disagree" not in body and "you may enjoy" not in body
    assert not body.startswith("Council backs bridge")


# --- edges: headline, prompts, link lists -------------------------------------------------------


def test_edges_lose_headline_and_link_lines_but_not_prose() -> None:
    page = doc(
        "<article><h1>Council backs bridge</h1>"
        f"{ps(range(6))}"
        "<p><a href='/n/2'>Tram line opens</a> | <a href='/n/3'>Ferry to close</a></p>"
        "</article>"
    )
    tree = parse_html(page)
    lines = [
        "Council backs bridge",
        *(para(i) for i in range(6)),
        "Tram line opens | Ferry to close",
    ]
    kept = drop_boilerplate(lines, BlockIndex.build(tree), headlines(tree))
    assert kept == [para(i) for i in range(6)]


def test_prompt_wording_decides_nothing() -> None:
    """Unlinked lines stay wherever they are, whatever they say: wording lists fitted one
    benchmark's 90 pages and did nothing on 446 others (docs/benchmarks.md)."""
    tree = parse_html(doc(f"<article>{ps(range(3))}</article>"))
    prompt = "Sign up for our free morning newsletter to get the news first."
    lines = [para(0), para(1), para(2), prompt]
    assert drop_boilerplate(lines, BlockIndex.build(tree), headlines(tree)) == lines


def test_trimming_is_capped_so_a_misfire_cannot_gut_the_body() -> None:
    tree = parse_html(
        doc("<p><a href='/a'>Share this story with friends today</a></p><p>One true line.</p>")
    )
    lines = ["Share this story with friends today"] * 3 + ["One true line."]
    assert drop_boilerplate(lines, BlockIndex.build(tree)) == lines


def test_link_density_is_read_from_the_page() -> None:
    index = BlockIndex.build(
        parse_html(doc("<p>Read <a href='/x'>the whole report here</a></p><p>Plain words.</p>"))
    )
    assert index.density("Read the whole report here") == 1.0 - len("Read ") / len(
        "Read the whole report here"
    )
    assert index.density("Plain words.") == 0.0
    assert index.density("not on the page") is None


# --- JSON-LD articleBody agreement --------------------------------------------------------------


def test_jsonld_body_drops_lines_it_does_not_contain() -> None:
    ld = "\n".join(para(i) for i in range(5))
    lines = [para(0), para(1), "Photo: the river at dawn, by our staff photographer Ann Lens",
             *(para(i) for i in range(2, 5))]  # fmt: skip
    assert agree_with_jsonld(lines, ld) == [para(i) for i in range(5)]


def test_jsonld_body_rescues_an_extraction_that_lost_most_of_the_article() -> None:
    ld = "\n".join(para(i) for i in range(8))
    assert agree_with_jsonld([para(0), para(1)], ld) == ld.splitlines()


def test_jsonld_teaser_or_unrelated_text_is_no_verdict() -> None:
    lines = [para(i) for i in range(8)]
    assert agree_with_jsonld(lines, para(0)) == lines  # a teaser: shorter than half
    other = " ".join(f"Unrelated transcript sentence number {i} about weather." for i in range(60))
    assert agree_with_jsonld(lines, other) == lines


def test_jsonld_article_body_is_used_by_extract_article() -> None:
    """End to end: a caption the extractor keeps is dropped because articleBody lacks it."""
    ld = {"@context": "https://schema.org", "@type": "NewsArticle",
          "headline": "Council backs bridge",
          "articleBody": "\n\n".join(para(i) for i in range(6))}  # fmt: skip
    caption = "<p>Picture shows the river at dawn, photographed by our staff photographer.</p>"
    story = f"<h1>Council backs bridge</h1>{ps(range(3))}{caption}{ps(range(3, 6))}"
    page = doc(
        f"<article>{story}</article>",
        head=f'<script type="application/ld+json">{json.dumps(ld)}</script>',
    )
    record = extract_article(page, URL)
    assert all(words_in(record["body"], i) for i in range(6))
    assert "staff photographer" not in record["body"]
    without = body_of(page.replace("application/ld+json", "text/plain"))
    assert "staff photographer" in without  # the drop is the JSON-LD rule's doing


# --- one parse: trafilatura works on our tree when its own parse would be the same ------------


def test_trafilatura_reuses_the_tree_only_when_its_parse_would_match() -> None:
    from crawler.extract.document import reusable_by_trafilatura

    assert reusable_by_trafilatura(doc(ps(range(3))))
    assert reusable_by_trafilatura("  <html><body><p>x</p></body></html>")
    # trafilatura's loader strips control characters (we turn them into U+FFFD) ...
    assert not reusable_by_trafilatura(doc("<p>bell \x07 here</p>"))
    # ... returns a fragment for text that does not start like a document ...
    assert not reusable_by_trafilatura("<div><p>x</p></div>")
    # ... and mends a self-closing <html/>
    assert not reusable_by_trafilatura("<!doctype html>\n<html lang='en'/>\n<p>x</p>")


def test_trafilatura_on_our_tree_gives_its_own_text_and_leaves_the_tree_alone() -> None:
    from lxml import etree

    from crawler.extract.body import trafilatura_body

    page = doc(f"<article><h1>Council backs bridge</h1>{ps(range(6))}</article>")
    tree = parse_html(page)
    before = etree.tostring(tree)
    assert trafilatura_body(tree, URL) == trafilatura_body(page, URL)
    assert words_in(trafilatura_body(tree, URL), 5)
    assert etree.tostring(tree) == before


def test_a_page_trafilatura_must_parse_itself_extracts_the_same() -> None:
    """Control characters send the text, not the tree, to trafilatura; the body is unharmed."""
    page = doc(f"<article>{ps(range(6))}</article>")
    noisy = page.replace("Paragraph 3 of", "Paragraph 3\x0b of")
    assert body_of(noisy).replace("\ufffd", " ").split() == body_of(page).split()


def test_link_densities_are_worked_out_on_demand_and_agree() -> None:
    index = BlockIndex.build(
        parse_html(
            doc("<ul><li><a href='/a'>Alpha story</a></li><li>Beta <a href='/b'>b</a></li></ul>")
        )
    )
    assert {text: index.density(text) for text in index.blocks} == {
        "Alpha story": 1.0,
        "Beta b": index.density("- Beta b"),
    }
    assert index.density("Beta b") == len("b") / len("Beta b")


def test_a_fragment_of_the_page_prose_asks_for_a_second_opinion() -> None:
    """Under 20% of the page's story prose may be a fragment (under 35% on a page of fewer than
    1,000 prose words, where a second pass is cheap); prose in a comment thread or an aside
    does not count towards what the story could be."""
    story = " ".join(f"w{i}" for i in range(100))
    long_page = parse_html(doc("".join(f"<p>{story}</p>" for i in range(12))))  # 1,200 words
    assert found_too_little(" ".join(["w"] * 239), long_page, min_words=40)
    assert not found_too_little(" ".join(["w"] * 241), long_page, min_words=40)
    short_page = parse_html(doc("".join(f"<p>{story}</p>" for i in range(5))))  # 500 words
    assert found_too_little(" ".join(["w"] * 174), short_page, min_words=40)
    assert not found_too_little(" ".join(["w"] * 176), short_page, min_words=40)
    assert found_too_little(" ".join(["w"] * 39), short_page, min_words=40)
    thread = parse_html(
        doc(f"<p>{story}</p><div class='Comments'>{('<p>' + story + '</p>') * 9}</div>")
    )
    assert not found_too_little(" ".join(["w"] * 60), thread, min_words=40)


def test_the_second_opinion_wins_only_when_many_times_longer() -> None:
    """Not "the longer wins": a second opinion a few times longer is often the story with the
    page's other posts around it; five times longer, the first pass was a fragment."""
    first = " ".join(f"f{i}" for i in range(60))
    assert referee(first, " ".join(f"s{i}" for i in range(240)), min_words=25) == first
    wider = " ".join(f"s{i}" for i in range(300))
    assert referee(first, wider, min_words=25) == wider
    too_short = " ".join(f"f{i}" for i in range(10))
    a_bit_longer = " ".join(f"s{i}" for i in range(30))
    assert referee(too_short, a_bit_longer, min_words=25) == a_bit_longer
    assert referee(first, "", min_words=25) == first


def test_bare_links_and_link_blocks_count_as_link_lines() -> None:
    """A menu of bare ``<a>`` elements is no block of its own: its lines are still link text."""
    page = doc(
        "<div class='menu'><a href='/login'>Sign in</a> <a href='/join'>Join us</a></div>"
        f"<ul><li><a href='/a'>Alpha story</a></li></ul>{ps(range(2))}"
    )
    index = BlockIndex.build(parse_html(page))
    assert index.is_link("Sign in") and index.is_link("- Alpha story")
    assert not index.is_link(para(1))
    assert link_share(["Sign in", "Join us", para(0)], index) == 4 / (4 + len(para(0).split()))


def test_the_menu_guard_collects_link_texts_only_when_the_blocks_leave_it_open() -> None:
    """Lines matching no block ("Sign in", a bare link) are counted as menu lines for the
    bound: when even so the share is not over :data:`MOSTLY_LINKS`, the page's link texts are
    never collected (on main they were, for every page with such a line)."""
    page = doc(
        "<div class='menu'><a href='/login'>Sign in</a> <a href='/join'>Join us</a></div>"
        f"<ul><li><a href='/a'>Alpha story</a></li></ul>{ps(range(2))}"
    )
    index = BlockIndex.build(parse_html(page))
    story = [para(0), "Sign in", para(1)]
    assert not link_share(story, index, upper_bound=True) > MOSTLY_LINKS
    assert index._link_texts is None
    assert link_share(story, index) <= MOSTLY_LINKS
    menu = ["Sign in", "Join us", "- Alpha story"]
    assert link_share(menu, index, upper_bound=True) > MOSTLY_LINKS
    assert link_share(menu, index) > MOSTLY_LINKS
    assert index._link_texts is not None
    for lines in (["Join us", para(1)], ["- Alpha story"], [para(0)], []):
        bound = link_share(lines, index, upper_bound=True)
        assert bound > MOSTLY_LINKS or link_share(lines, index) <= MOSTLY_LINKS
        assert bound >= link_share(lines, index)


# --- the menu guard -------------------------------------------------------------------------

DEALS = ["laptop", "router", "camera", "speaker", "monitor", "tablet", "printer", "keyboard"]


def deal(i: int, item: str) -> str:
    """A list entry of a deals post: a long linked product name, then a word of its own."""
    return (
        f"<li><a href='/deal/{i}'>Portable {item} model {i} with a bright screen, two ports and "
        f"a travel case for {100 + i} dollars</a> with free shipping (normally {150 + i})</li>"
    )


def test_a_story_told_as_a_list_of_linked_items_is_not_a_menu() -> None:
    """Items that say something beside their link are the story's list, not a menu: the guard
    counts only lines that are nothing but a link (``MENU_LINK``), so such a post stays whole.
    With every link-dense line counted, its items were dropped and only the intro was left."""
    items = "".join(deal(i, item) for i, item in enumerate(DEALS))
    post = f"<h1>This week's deals</h1><p>{para(0)}</p><ul>{items}</ul>"
    page = doc(f"<div class='post'>{post}</div>")
    body = body_of(page)
    assert words_in(body, 0)
    assert all(f"Portable {item} model {i}" in body for i, item in enumerate(DEALS))


def test_the_menu_guard_counts_only_lines_that_are_nothing_but_a_link() -> None:
    items = "".join(deal(i, item) for i, item in enumerate(DEALS[:2]))
    menu = "".join(f"<li><a href='/s/{i}'>Another story about the {t}</a></li>"
                   for i, t in enumerate(TOPICS[:2]))  # fmt: skip
    index = BlockIndex.build(parse_html(doc(f"<ul>{items}</ul><ul>{menu}</ul>")))
    listed = [line for line in index.blocks if line.startswith("Portable")]
    assert len(listed) == 2 and all(index.is_link(line) for line in listed)  # link-dense...
    assert link_share(listed, index) == 0.0  # ...but no menu
    assert link_share([f"Another story about the {t}" for t in TOPICS[:2]], index) == 1.0


def test_norm_reads_ascii_text_as_the_word_pattern_does() -> None:
    """ASCII text takes a cheaper path (every non-word character to a space, then split);
    its tokens must be the pattern's, control characters, underscores and digits included."""
    for text in ("a\x1fb\x1c c", " x_y--z9 ", "\x00\x0bq\t\nr", "café au lait", "", "...", "a_"):
        assert norm(text) == " ".join(re.findall(r"\w+", text)), repr(text)
