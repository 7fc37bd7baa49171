"""Which part of a page trafilatura reads first: the element that holds the story's prose.

trafilatura copies and prunes the whole tree several times (about 6 ms on a 100 KB page), and on
most news pages the menus, widgets and reader comments around the story are most of that tree.
So its first pass gets a small document made of a copy of the story's container, when the page
shows clearly which that is:

1. the page's one ``<article>``, if it holds nearly all of the page's prose (the words of its
   paragraphs outside what :mod:`crawler.extract.prose` calls not story prose); else
2. the innermost element around the page's one ``<h1>`` that holds nearly all of that prose
   (headline and prose together, so a lead paragraph between them stays in);

and only on a page with :data:`MIN_PROSE_WORDS` words of paragraph prose or more: a blog post
written as ``<br>``-separated text has no story ``<p>``, and its only paragraph (a sidebar's
"about" blurb) would otherwise send the first pass to the wrong container.

Every other rule still sees the whole page (metadata, widgets, edge trimming),
and the recall-mode retry for a too-short body reads the whole page. Measured on
extraction-dev (docs/benchmarks.md, Extraction): faster, and the pages it changed all improved.
"""

from __future__ import annotations

from copy import deepcopy

from lxml import etree
from lxml import html as lxml_html

from crawler.extract.blocks import text_of
from crawler.extract.prose import story_paragraphs

#: The container must hold at least this share of the page's prose words.
PROSE_SHARE = 0.9
#: With fewer paragraph words than this, a page's ``<p>``s say nothing about where its story is:
#: its text lives elsewhere (``<br>``-separated posts in a ``<div>``) or it is a brief.
MIN_PROSE_WORDS = 100
_TOO_WIDE = frozenset({"html", "body"})


def prose_words(
    tree: lxml_html.HtmlElement, paragraphs: list[lxml_html.HtmlElement] | None = None
) -> int:
    """Words in the page's story-prose paragraphs: how long its longest story could be.

    ``paragraphs``: :func:`~crawler.extract.prose.story_paragraphs` of ``tree``, when the
    caller has them already (finding them is most of the cost).
    """
    return _words(story_paragraphs(tree) if paragraphs is None else paragraphs)


def _words(paragraphs: list[lxml_html.HtmlElement]) -> int:
    return sum(len(text_of(p).split()) for p in paragraphs)


def _within(container: lxml_html.HtmlElement, paragraphs: list[lxml_html.HtmlElement]) -> int:
    """Words of those ``paragraphs`` that lie inside ``container``."""
    inside = set(container.iter("p"))
    return _words([p for p in paragraphs if p in inside])


def story_focus(
    tree: lxml_html.HtmlElement, paragraphs: list[lxml_html.HtmlElement] | None = None
) -> lxml_html.HtmlElement:
    """A document holding a copy of the story's container, else ``tree`` itself."""
    if paragraphs is None:
        paragraphs = story_paragraphs(tree)
    total = _words(paragraphs)
    if total < MIN_PROSE_WORDS:
        return tree
    enough = PROSE_SHARE * total
    articles = tree.findall(".//article")
    if len(articles) == 1 and _within(articles[0], paragraphs) >= enough:
        return _document_of(articles[0])
    headlines = tree.findall(".//h1")
    if len(headlines) != 1:
        return tree
    for container in headlines[0].iterancestors():  # innermost first
        if container.tag in _TOO_WIDE:
            return tree
        if _within(container, paragraphs) >= enough:
            return _document_of(container)
    return tree


def _document_of(container: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    root = lxml_html.Element("html")
    body = etree.SubElement(root, "body")
    copy = deepcopy(container)
    copy.tail = None
    body.append(copy)
    return root
