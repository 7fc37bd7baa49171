"""Embedded galleries, slideshows and modal dialogs are not the story, even inside its container."""

from __future__ import annotations

from crawler.extract import extract_article
from crawler.extract.blocks import BlockIndex, norm
from crawler.extract.document import parse_html
from crawler.extract.widgets import (
    MAX_CARD_SHARE,
    PageText,
    drop_widget_lines,
    furniture_texts,
    is_card_list,
    names_furniture,
    names_widget,
    widget_texts,
)

URL = "https://ledger.example/business/hotels"


def story(i: int) -> str:
    return (
        f"Hotel part {i}: the owners explained that rooms are priced by what they cost to build, "
        f"that blankets are washed less often than sheets, and that guests on floor {i} notice."
    )


def slide(i: int) -> str:
    return (
        f"<li><h2><span>{i}/12</span> Slide headline {i}</h2><p>Caption {i} of another story: a "
        f"company number {i} reported results, its shares moved and analysts said a great deal."
        "</p></li>"
    )


GALLERY_PAGE = (
    "<!doctype html><html><head><title>Seven secrets of hotels</title></head><body>"
    "<article><h1>Seven secrets of hotels</h1><div class='text-wrapper'>"
    + "".join(f"<p>{story(i)}</p>" for i in range(4))
    + "<div class='dnd-atom type-gallery'><div class='full-gallery'><div class='scroller'>"
    "<ul class='legends'>"
    + "".join(slide(i) for i in range(1, 13))
    + "</ul></div></div></div>"
    + "".join(f"<p>{story(i)}</p>" for i in range(4, 8))
    + "</div></article></body></html>"
)


def test_widget_words_match_whole_class_words_in_any_case() -> None:
    tree = parse_html(
        "<html><body><div class='full-gallery'>a</div><div class='slideShow'>b</div>"
        "<div id='vjs-modal-dialog'>c</div><div class='galleryish modalities'>d</div>"
        "<div class='slide-in'>e</div></body></html>"
    )
    named = [el.text for el in tree.iter("div") if names_widget(el)]
    assert named == ["a", "b", "c"]


def test_a_gallery_inside_the_story_container_is_dropped_from_the_body() -> None:
    body = extract_article(GALLERY_PAGE, URL)["body"]
    assert all(f"Hotel part {i}:" in body for i in range(8))
    assert "Caption" not in body and "Slide headline" not in body


def test_a_story_wrapper_named_like_a_widget_is_not_a_widget() -> None:
    """Some sites wrap the whole article in a ``slider`` or ``gallery`` class: keep it whole."""
    page = (
        "<html><body><div class='content-slider'>"
        + "".join(f"<p>{story(i)}</p>" for i in range(6))
        + "</div></body></html>"
    )
    tree = parse_html(page)
    index = BlockIndex.build(tree)
    lines = [story(i) for i in range(6)]
    assert widget_texts(tree, index.elements(lines)) == []
    page = PageText(tree)
    assert drop_widget_lines(lines, widget_texts(tree, index.elements(lines)), page) == lines


def test_lines_match_whole_words_of_a_widget() -> None:
    tree = parse_html("<html><body><p>Slide 3 of 12 the harbour at night</p></body></html>")
    widgets = [" Slide 3 of 12 the harbour at night "]
    lines = ["Slide 3 of 12", "the harbour at night", "harbour", "the harbour at nightfall came"]
    assert drop_widget_lines(lines, widgets, PageText(tree)) == ["the harbour at nightfall came"]


def test_a_widget_holding_a_copy_of_the_story_takes_nothing_from_it() -> None:
    """A "republish this story" dialog repeats the article: its lines are the story's too."""
    copy = "".join(f"<p>{story(i)}</p>" for i in range(8))
    page = GALLERY_PAGE.replace(
        "</article>", f"</article><div id='republish-modal'><div>{copy}</div></div>"
    )
    body = extract_article(page, URL)["body"]
    assert all(f"Hotel part {i}:" in body for i in range(8))


def test_a_story_told_in_slides_is_kept() -> None:
    """A listicle puts each item in its own carousel cell: together they are the story."""
    slides = "".join(
        f"<div class='listicle carousel-cell'><h2>Item {i}</h2><p>{story(i)}</p></div>"
        for i in range(8)
    )
    page = (
        "<!doctype html><html><head><title>Eight hotels</title></head><body><article>"
        f"<h1>Eight hotels</h1><p>{story(97)}</p><p>{story(98)}</p><p>{story(99)}</p>{slides}"
        "</article></body></html>"
    )
    body = extract_article(page, URL)["body"]
    assert all(f"Hotel part {i}:" in body for i in range(8))


def card(i: int) -> str:
    return (
        f"<li><h3>Other headline {i} - November {i}, 2012</h3><p class='text'>Teaser {i} of "
        f"another story, a line of its lead and a pointer to it. <a href='/news/{i}'>Read "
        "more...</a></p><p class='date'>2012-11-0{i}</p></li>"
    )


CARDS_PAGE = (
    "<!doctype html><html><head><title>Seven secrets of hotels</title></head><body>"
    "<div id='main'><div id='articleBlock'><div id='mainPrimary'><h3>Seven secrets of hotels</h3>"
    + "".join(f"<p>{story(i)}</p>" for i in range(4))
    + "</div><div id='more'><h3></h3><div><ul>"
    + "".join(card(i) for i in range(1, 6))
    + "</ul></div></div></div></div></body></html>"
)


def test_a_list_of_teaser_cards_after_the_story_is_dropped() -> None:
    """Each item a heading of its own and a link: other stories' teasers, not this one's text
    (dragnet-R943, R949: trafilatura keeps such a list beside a short story)."""
    body = extract_article(CARDS_PAGE, URL)["body"]
    assert all(f"Hotel part {i}:" in body for i in range(4))
    assert "Teaser" not in body and "Other headline" not in body


def test_card_lists_need_a_heading_and_a_link_in_every_item() -> None:
    tree = parse_html(CARDS_PAGE)
    assert [is_card_list(el) for el in tree.iter("ul")] == [True]
    unlinked = parse_html(CARDS_PAGE.replace("<a href", "<b data-href").replace("</a>", "</b>"))
    assert [is_card_list(el) for el in unlinked.iter("ul")] == [False]
    one_plain = parse_html(CARDS_PAGE.replace(card(3), "<li>A plain item of a list</li>"))
    assert [is_card_list(el) for el in one_plain.iter("ul")] == [False]


def test_a_story_told_as_headed_linked_items_is_kept() -> None:
    """A round-up whose items each carry a heading and a link is the story when it is most of
    the body: the widgets' story-share guard keeps it."""
    items = "".join(
        f"<li><h2>Item {i}</h2><p>{story(i)} <a href='/hotel/{i}'>Book</a></p></li>"
        for i in range(8)
    )
    page = (
        "<!doctype html><html><head><title>Eight hotels</title></head><body><article>"
        f"<h1>Eight hotels</h1><p>{story(99)}</p><ol>{items}</ol></article></body></html>"
    )
    body = extract_article(page, URL)["body"]
    assert all(f"Hotel part {i}:" in body for i in range(8))


def test_card_lines_never_take_nearly_all_of_the_body() -> None:
    """Cards holding over 80% of the body's words are the story, however its lines map to
    elements: dropping them would leave a stub. Widgets by name keep their own rule."""
    tree = parse_html("<html><body><p>A short lead.</p></body></html>")
    lines = ["A short lead.", *(story(i) for i in range(4))]
    cards = [f" {norm(story(i))} " for i in range(4)]
    page = PageText(tree)  # one page's text serves every call, as in the body's rules
    assert drop_widget_lines(lines, cards, page, MAX_CARD_SHARE) == lines
    assert drop_widget_lines(lines, cards[:1], page, MAX_CARD_SHARE) == [lines[0], *lines[2:]]
    assert drop_widget_lines(lines, cards, page) == ["A short lead."]


def test_the_card_share_counts_cjk_characters_as_words() -> None:
    """A Chinese story of one unspaced line is 140 words, not one: two Latin teaser cards
    beside it are a small share of the body and go. Counted by spaces (one word against the
    cards' 62) they looked like the story and were kept."""
    tree = parse_html("<html><body><p>A short lead.</p></body></html>")
    chinese = "酒店的房间价格由建造成本决定" * 10
    lines = [chinese, story(1), story(2)]
    cards = [f" {norm(story(1))} ", f" {norm(story(2))} "]
    assert drop_widget_lines(lines, cards, PageText(tree), MAX_CARD_SHARE) == [chinese]


def post_with(furniture: str, before: str = "", after: str = "") -> str:
    """A short blog post (four paragraphs) in one container with ``furniture`` after it."""
    return (
        f"<!doctype html><html><head><title>Hotels</title></head><body>{before}<div id='wrap'>"
        f"<div class='post'><h1>Hotels</h1>{''.join(f'<p>{story(i)}</p>' for i in range(1, 5))}"
        f"{furniture}</div></div>{after}</body></html>"
    )


BIO = (
    "<div class='bio'><p>Jane Roe writes about travel and the hotel trade for the paper; before "
    "that she ran a guest house by the sea for eleven years.</p></div>"
)
COMMENT_FORM = (
    "<div id='respond-form'><form><p>Your Name</p><p><input></p><p>Email Address</p>"
    "<p>Notify me of follow-up comments by e-mail</p></form></div>"
)
BIO_LINE = (
    "Jane Roe writes about travel and the hotel trade for the paper; before that she ran a "
    "guest house by the sea for eleven years."
)
#: The body's lines as trafilatura keeps them beside a short post (dragnet-R753, R817).
KEPT = [*(story(i) for i in range(1, 5)), BIO_LINE, "Your Name", "Email Address"]


def without_furniture(page: str, lines: list[str]) -> list[str]:
    tree = parse_html(page)
    index = BlockIndex.build(tree)
    return drop_widget_lines(lines, furniture_texts(index.elements(lines)), PageText(tree))


def test_a_bio_and_a_comment_form_beside_a_short_post_leave_the_body() -> None:
    """Who wrote the post and a form's labels are not what the post says."""
    assert without_furniture(post_with(BIO + COMMENT_FORM), KEPT) == KEPT[:4]


def test_a_page_wrapped_in_one_form_keeps_its_story() -> None:
    """ASP.NET pages are one ``<form>``: a form holding the story is its wrapper, and the bio
    inside it still goes."""
    page = post_with(BIO, before="<form id='aspnetForm'>", after="</form>")
    assert without_furniture(page, KEPT[:5]) == KEPT[:4]


def test_furniture_holding_most_of_the_body_is_kept() -> None:
    """A page whose extracted lines are mostly a discussion's is told there: nothing goes."""
    replies = "".join(f"<p>{story(i)}</p>" for i in range(5, 10))
    page = post_with(f"<div class='comment-list'>{replies}</div>")
    lines = [story(i) for i in range(1, 10)]
    assert without_furniture(page, lines) == lines


def test_furniture_is_a_form_a_discussion_or_a_bio_by_whole_word() -> None:
    tree = parse_html(
        "<html><body><form><p>a</p></form><div class='comment-list'>b</div>"
        "<div class='post-bio'>c</div><div id='Bio'>d</div><div class='biology'>e</div>"
        "<div class='bionic story'>f</div><div class='story'>g</div></body></html>"
    )
    found = [el.text_content() for el in tree.iter("form", "div") if names_furniture(el)]
    assert found == ["a", "b", "c", "d"]


def test_a_line_the_story_also_shows_stays_when_furniture_nests() -> None:
    """A reply form quoting the post inside a discussion: the quote is one copy of the line,
    not two (only the outermost furniture counts), so the story's own copy keeps it."""
    quote = f"<div id='comments'><form><blockquote>{story(1)}</blockquote></form></div>"
    lines = [story(i) for i in range(1, 5)]
    assert without_furniture(post_with(quote), lines) == lines
