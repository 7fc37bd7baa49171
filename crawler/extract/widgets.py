"""Embedded widgets inside a story: galleries, slideshows, carousels, lightboxes, modal dialogs,
and lists of teaser cards.

Publishers embed them in the middle of the article's own container, so extractors that keep the
container keep them too: a 50-slide gallery's legends, a video player's dialog text. Their text
is not the story's (Readability drops such containers by their class names for the same reason).
They are recognised by what the markup names them, as :mod:`crawler.extract.prose` recognises
reader discussions: a ``class`` or ``id`` word from :data:`WIDGET_WORDS`, whole (``full-gallery``,
``slideShow``, ``vjs-modal-dialog``), never a fragment of a longer word. An element so named that
holds half or more of the lines extracted as the body is the story's own wrapper, not a widget,
and when the widgets *together* hold half or more of those lines the story is told in them (a
listicle of slides) and none is dropped; a line the page also shows outside every widget is kept.

A list of teaser cards (other stories' headlines, each with a line of lead and a link) is
recognised by its structure instead (:func:`is_card_list`): trafilatura keeps such a list beside
a short story when it reads as prose (Dragnet: docs/benchmarks.md, Extraction, eighth pass).

Page furniture after a short post goes the same way (:func:`furniture_texts`): a ``<form>`` (a
comment form's labels, a sign-up prompt), a reader discussion as :mod:`crawler.extract.prose`
names one, and an author's bio box (:data:`BIO_WORDS`, whole words). trafilatura keeps them with
a short blog post when they read as prose (Dragnet: docs/benchmarks.md, Extraction, tenth pass);
a form or a discussion wrapping the whole page (ASP.NET pages are one ``<form>``) is the story's
wrapper and stays, by the same share as a widget's.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property

from lxml import html as lxml_html

from crawler.extract.blocks import line_text, norm
from crawler.extract.names import PageNames
from crawler.extract.prose import names_discussion
from crawler.extract.words import word_count

WIDGET_WORDS = frozenset({"gallery", "galleries", "slideshow", "slides", "slider", "carousel",
                          "lightbox", "modal"})  # fmt: skip
#: A named element holding at least this share of the body's lines is the story's wrapper.
WRAPPER_SHARE = 0.5
#: Teaser cards' lines are not dropped when they hold more than this share of the body's words.
MAX_CARD_SHARE = 0.8
_NAME_WORDS = re.compile(r"[a-z0-9]+")
#: A widget word, whole, in a lower-cased name: the names :func:`names_widget` flags hold one.
_ANY_WIDGET = re.compile(rf"(?<![a-z0-9])(?:{'|'.join(sorted(WIDGET_WORDS))})(?![a-z0-9])")
#: Class or id words (whole) of an author's bio box: who wrote the post, not what it says.
BIO_WORDS = frozenset({"bio", "biography"})
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
#: A list of teaser cards has at least this many items.
MIN_CARDS = 2


def _named_with(el: lxml_html.HtmlElement, words: frozenset[str]) -> bool:
    """Whether the element's class or id holds one of ``words`` as a whole word (any case)."""
    name = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return not words.isdisjoint(_NAME_WORDS.findall(name))


def names_widget(el: lxml_html.HtmlElement) -> bool:
    """Whether the element's class or id holds a widget word as a whole word (any case)."""
    return _named_with(el, WIDGET_WORDS)


def names_furniture(el: lxml_html.HtmlElement) -> bool:
    """Whether the element is furniture a story's container may hold: a form, a reader
    discussion, an author's bio box."""
    return el.tag == "form" or names_discussion(el) or _named_with(el, BIO_WORDS)


def is_card_list(el: lxml_html.HtmlElement) -> bool:
    """Whether a list is a list of teaser cards: every item a heading of its own and a link
    (another page's headline, a line of its lead, "read more"). A story's own list items are
    lines of its text; they do not each carry a heading."""
    items = [child for child in el if child.tag == "li"]
    return len(items) >= MIN_CARDS and all(
        next(item.iter(*_HEADINGS), None) is not None and next(item.iter("a"), None) is not None
        for item in items
    )


def card_lists(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """The page's lists of teaser cards (:func:`is_card_list`), found from its headings: a page
    has few headings and many elements."""
    lists: dict[lxml_html.HtmlElement, None] = {}
    for heading in tree.iter(*_HEADINGS):
        item = next(heading.iterancestors("li"), None)
        parent = item.getparent() if item is not None else None
        if parent is not None and parent.tag in ("ul", "ol"):
            lists[parent] = None
    return [el for el in lists if is_card_list(el)]


def widget_texts(
    tree: lxml_html.HtmlElement,
    body: list[lxml_html.HtmlElement],
    names: PageNames | None = None,
) -> list[str]:
    """Normalised texts of the page's outermost widgets (see the module docstring), each padded
    with a space at both ends so that a line matches whole words only.

    ``body``: the page elements the extracted lines came from; a named element holding half or
    more of them is the story's own wrapper, not a widget. ``names``: the tree's, when the
    caller has read them (:class:`~crawler.extract.names.PageNames`).
    """
    names = names or PageNames(tree)
    named = names.elements(WIDGET_WORDS, _ANY_WIDGET, "//body//")  # most pages name none
    return _outermost_texts([el for el in named if names_widget(el)], body)


def card_texts(tree: lxml_html.HtmlElement, body: list[lxml_html.HtmlElement]) -> list[str]:
    """Normalised texts of the page's lists of teaser cards (:func:`card_lists`), as
    :func:`widget_texts` gives the widgets'."""
    return _outermost_texts(card_lists(tree), body)


def furniture_texts(body: list[lxml_html.HtmlElement]) -> list[str]:
    """Normalised texts of the outermost furniture (:func:`names_furniture`: forms, discussions,
    bio boxes) around the body's elements, as :func:`widget_texts` gives the widgets'.

    Found from the body upwards, not over the page: nearly every page has a form or a
    discussion somewhere, and testing every named element cost 1.5 ms a page (the whole
    record's 5%); furniture holding none of the body's elements has no line to give back.
    """
    seen: set[lxml_html.HtmlElement] = set()
    candidates: list[lxml_html.HtmlElement] = []
    for el in body:
        chain = []
        for ancestor in el.iterancestors():
            if ancestor in seen:
                break  # it and its ancestors were looked at from an earlier element
            seen.add(ancestor)
            chain.append(ancestor)
        candidates.extend(a for a in reversed(chain) if names_furniture(a))  # outer ones first
    return _outermost_texts(candidates, body)


def _outermost_texts(
    candidates: list[lxml_html.HtmlElement], body: list[lxml_html.HtmlElement]
) -> list[str]:
    """Texts of the outermost ``candidates`` that are not the story's own wrapper; none when
    together they hold half or more of ``body`` (the story is told in them)."""
    if not candidates:
        return []
    holds: Counter[lxml_html.HtmlElement] = Counter()
    for el in body:
        holds.update(el.iterancestors())
    found: set[lxml_html.HtmlElement] = set()
    for el in candidates:
        if body and holds[el] >= WRAPPER_SHARE * len(body):
            continue
        if not any(a in found for a in el.iterancestors()):
            found.add(el)
    inside = sum(1 for el in body if any(a in found for a in el.iterancestors()))
    if body and inside >= WRAPPER_SHARE * len(body):
        return []  # the story is told in slides (a listicle): together they are the story
    return [f" {text} " for text in map(_spaced_text, found) if text]


def _spaced_text(el: lxml_html.HtmlElement) -> str:
    """Normalised text with a break between elements: ``<h2>1/50</h2><p>Caption`` is not one
    word, as trafilatura's lines show it."""
    return norm(" ".join(el.itertext()))


class PageText:
    """The page's whole text, spaced as the widgets' texts are (:func:`_spaced_text`), made on
    first asking and then kept: most pages have no line inside a widget and never need it, and
    the widget, furniture and card rules each ask about the same page."""

    def __init__(self, tree: lxml_html.HtmlElement) -> None:
        self._tree = tree

    @cached_property
    def text(self) -> str:
        return f" {_spaced_text(self._tree)} "


def drop_widget_lines(
    lines: list[str], widgets: list[str], page: PageText, max_share: float = 1.0
) -> list[str]:
    """``lines`` without those whose text the page holds only inside its widgets.

    A line the page also shows outside them stays: some widgets (a "republish this story"
    dialog, a print view) hold a copy of the whole story. Lines holding more than
    ``max_share`` of the words are not dropped at all (:data:`MAX_CARD_SHARE` for teaser
    cards: a card's lines need not be one element of the page, so the count by elements can
    miss a story told as a list of headed items).
    """
    if not widgets:
        return lines
    kept = []
    for line in lines:
        text = f" {line_text(line)} "
        inside = sum(widget.count(text) for widget in widgets) if text.strip() else 0
        if inside and page.text.count(text) <= inside:
            continue
        kept.append(line)
    dropped = _words(lines) - _words(kept)
    return lines if dropped > max_share * _words(lines) else kept


def _words(lines: list[str]) -> int:
    """Words of ``lines`` as every length rule counts them (CJK characters one each)."""
    return sum(word_count(line) for line in lines)
