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

The copy keeps the page's main-content marking, in two ways:

* when the story's container sits inside the page's ``<main>`` (HTML's own element for the
  dominant content of a page), the copy goes inside a ``<main>`` too. trafilatura tries its
  content searches (``trafilatura.xpaths.BODY_XPATH``) stage by stage and passes over a match
  with too little in it (a "related" card inside the container named ``post-content``); on
  the whole page a later stage then finds the ``<main>``, in a bare copy it found nothing, and
  trafilatura collected loose paragraphs only, dropping the story's subheadings and lists
  (WCXB: docs/benchmarks.md, Extraction, sixth pass);
* when the page marks its main content (the first element ``BODY_XPATH`` finds: a ``<main>``,
  a ``class="content"``...) on an element the copy does not hold (one *around* the container,
  or one elsewhere) and the copy holds no marker of its own, the copy is handed over inside a
  ``<main>`` as well: the story's container is declared the main content, else trafilatura,
  finding no content element in the small document, would again keep loose paragraphs only.

Otherwise (the marker is the container or inside it, or the page has none) the copy is handed
over bare and trafilatura reads it as it reads the whole page: declaring a ``<main>`` there,
or copying the elements around the container with their names (``div#main``), kept sidebars,
trackbacks and other posts (Dragnet).

Every other rule still sees the whole page (metadata, widgets, edge trimming),
and the recall-mode retry for a too-short body reads the whole page. Measured on
extraction-dev (docs/benchmarks.md, Extraction): faster, and the pages it changed all improved.
"""

from __future__ import annotations

from copy import deepcopy

from lxml import etree
from lxml import html as lxml_html
from trafilatura.xpaths import BODY_XPATH

from crawler.extract.blocks import text_of
from crawler.extract.document import new_element
from crawler.extract.prose import story_paragraphs
from crawler.extract.words import word_count

#: The container must hold at least this share of the page's prose words.
PROSE_SHARE = 0.9
#: With fewer paragraph words than this, a page's ``<p>``s say nothing about where its story is:
#: its text lives elsewhere (``<br>``-separated posts in a ``<div>``) or it is a brief.
MIN_PROSE_WORDS = 100
_TOO_WIDE = frozenset({"html", "body"})
#: trafilatura's content-search stages, those without regular expressions first (``re:test``
#: runs a Python callback per element it is tried on: ~3.5 CPU-ms a page for the whole search).
_BY_COST = sorted(BODY_XPATH, key=lambda search: search.path.count("re:test"))


def prose_words(
    tree: lxml_html.HtmlElement, paragraphs: list[lxml_html.HtmlElement] | None = None
) -> int:
    """Words in the page's story-prose paragraphs: how long its longest story could be.

    ``paragraphs``: :func:`~crawler.extract.prose.story_paragraphs` of ``tree``, when the
    caller has them already (finding them is most of the cost).
    """
    return _words(story_paragraphs(tree) if paragraphs is None else paragraphs)


def _words(paragraphs: list[lxml_html.HtmlElement]) -> int:
    return sum(word_count(text_of(p)) for p in paragraphs)


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
        return _document_of(articles[0], tree)
    headlines = tree.findall(".//h1")
    if len(headlines) != 1:
        return tree
    for container in headlines[0].iterancestors():  # innermost first
        if container.tag in _TOO_WIDE:
            return tree
        if _within(container, paragraphs) >= enough:
            return _document_of(container, tree)
    return tree


def _has_marker(doc: lxml_html.HtmlElement) -> bool:
    """Whether trafilatura's content search (any of its stages) finds an element in ``doc``.

    Only whether, not which: so the stages are tried cheapest first (:data:`_BY_COST`).
    """
    return any(search(doc) for search in _BY_COST)


def _document_of(
    container: lxml_html.HtmlElement, tree: lxml_html.HtmlElement
) -> lxml_html.HtmlElement:
    """A document holding a copy of ``container``, inside a ``<main>`` when the container sits
    in the page's ``<main>``, or when the page's content marker lies outside it and the copy
    has none of its own.

    The small copy is searched first: a copy holding a marker of its own has trafilatura find
    that marker before any ``<main>`` around it, so the whole page's search (~3.5 CPU-ms: its
    patterns are regular expressions tried on every element) is run only for copies without one.
    """
    root = new_element("html")
    body = etree.SubElement(root, "body")
    copy = deepcopy(container)
    copy.tail = None
    body.append(copy)
    # Each stage tests only an element's own tag and attributes (and, at the first, that it is
    # the first such child of its parent, which the copy, an only child, is whenever the
    # container is): a copy with no marker means no element of the container is one in the
    # page, so any marker the page has lies outside the container.
    in_main = any(outer.tag == "main" for outer in container.iterancestors())
    if in_main or (not _has_marker(root) and _has_marker(tree)):
        etree.SubElement(body, "main").append(copy)
    return root
