"""The story container's text by one walk of it: the cheap first pass for focused pages.

When :mod:`crawler.extract.focus` has found the one element that holds nearly all of the
page's story prose, much of what trafilatura's first pass does there (its own copies, ~10
pruning XPaths, a content search by regular expressions, a link-density cascade, a rendering
pass) decides again what the focus decided already: where the story is. What is left to do
inside the container is what this module does, in trafilatura's own terms where it has them:

* the container's reader discussions and furniture go (:mod:`crawler.extract.prose`), and the
  walk starts at the element trafilatura's content search marks (``BODY_XPATH``, the stage
  order trafilatura tries), which must hold most of the container's prose: with no such mark
  (a blog column whose post is not marked, its sidebar of teasers beside it) trafilatura reads
  the container as before;
* elements that never hold story text go (:data:`trafilatura.settings.MANUALLY_CLEANED`:
  scripts, forms, asides, figures, embeds...), tails kept;
* blocks named as boilerplate go: the patterns of trafilatura's
  :data:`~trafilatura.xpaths.OVERALL_DISCARD_XPATH` (share bars, "related" boxes, bylines, tag
  lists), teasers, and the galleries and dialogs :mod:`crawler.extract.widgets` names; unless
  one holds half the story's prose (a misfired name: ``entry-author-jane`` on the post's own
  element) or together they hold nearly all of the text (trafilatura's own guard);
* lists and blocks that are nearly all link text (a menu, a "read more" list) go;
* the rest is rendered one block per line (paragraphs, headings, list items, quotes, table rows).

The walk is trusted only when its words are close to the container's story-prose words
(:data:`TIGHT`); otherwise (text in ``<div>``s beside the paragraphs, pruning that took
paragraphs with it) trafilatura reads the container as before. The body rules after the first pass
(menu guard, second opinion for a fragment, JSON-LD, widgets, edges) run on the walk's text
exactly as on trafilatura's; docs/benchmarks.md (Crawl, real pages, ninth pass) measures what
it changes on every set and what it saves.
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import MANUALLY_CLEANED
from trafilatura.xpaths import BODY_XPATH, OVERALL_DISCARD_XPATH

from crawler.extract.blocks import link_density, norm, text_of
from crawler.extract.prose import not_prose_roots
from crawler.extract.widgets import names_widget

#: Elements whose end is a line break in the text.
_BLOCKS = ("p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5",
           "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "caption",
           "br", "hr", "address", "details", "summary")  # fmt: skip
#: A block boundary while rendering: a character no page text holds (private use).
_BREAK = "\ue000"
#: Cells of one row stay on one line, separated like trafilatura's text rendering does.
_CELLS = ("td", "th")
#: Lists keep their own lines even inside a list item (a nested list).
_LISTS = ("li", "ul", "ol")
#: Containers that are menus or link lists when nearly all their text is link text.
_LINK_BLOCKS = ("ul", "ol", "div", "section", "p", "table", "dl")
#: Link density (:func:`~crawler.extract.blocks.link_density`) above which a block is a pointer
#: list, not prose.
LINK_HEAVY = 0.8
#: Blocks with more text than this (normalised characters) are prose whatever share is linked.
LINK_BLOCK_CHARS = 1000
#: The element trafilatura's content search marks is the story's when it holds this share.
MARKED_SHARE = 0.6
#: A block named as boilerplate but holding this share of the prose is the story: it stays.
KEEP_SHARE = 0.5
#: The walk's words as a share of the container's story-prose words: below, it lost prose;
#: above, it kept more than the story (chosen on extraction-dev and extraction-dev2's quick sample).
TIGHT = (0.7, 1.1)
_NAMED = etree.XPath(".//*[@id or @class or @style or @role or @aria-hidden]")
_RE_TEST = re.compile(r"re:test\(([@\w|]+), '([^']*)'\)")


def _discard_pattern(attribute: str, *extra: str) -> re.Pattern[str]:
    """One regular expression of every ``re:test`` pattern trafilatura's discard expressions
    apply to ``attribute``."""
    found = [pattern for xpath in OVERALL_DISCARD_XPATH
             for attributes, pattern in _RE_TEST.findall(xpath.path)
             if attribute in attributes.split("|")]  # fmt: skip
    if not found:
        raise RuntimeError(f"no {attribute} pattern in trafilatura's OVERALL_DISCARD_XPATH")
    return re.compile("|".join(f"(?:{pattern})" for pattern in (*found, *extra)))


_ID_PATTERN = _discard_pattern("@id", "[Tt]easer")
_CLASS_PATTERN = _discard_pattern("@class", "[Tt]easer")
_STYLE_PATTERN = _discard_pattern("@style", r"display:\s*none")
#: The discard XPaths may not take more than this share of the container's text.
MAX_DISCARD_SHARE = 6 / 7


def container_text(focus: lxml_html.HtmlElement) -> str | None:
    """Text of the focus document ``focus``, one block a line, or None when the walk's text
    is not the story's prose (trafilatura must read the container then).

    The walk's words must be :data:`TIGHT` of the container's story-prose words: under the
    lower bound the pruning took story paragraphs with it; over the upper one the container
    holds text besides the story (a blog column with its sidebar, a gallery of captions) that
    trafilatura's content search and link-density cascade are there to sort out.
    """
    doc = deepcopy(focus)  # the caller's copy stays whole for trafilatura
    for element in not_prose_roots(doc):
        _remove(element)
    prose = _prose_words(doc)
    root = _marked_root(doc, prose)
    if root is None:
        return None
    _clean(root)
    _discard_named(root, prose)
    _drop_link_blocks(root)
    text = _render(root)
    low, high = TIGHT
    words, prose_total = len(text.split()), prose.get(doc, 0)
    return text if words and low * prose_total <= words <= high * prose_total else None


def _prose_words(doc: lxml_html.HtmlElement) -> dict[lxml_html.HtmlElement, int]:
    """Story-prose words held by every element that holds any (``doc`` has lost what
    :func:`~crawler.extract.prose.not_prose_roots` names already: all its ``<p>`` are prose)."""
    held: dict[lxml_html.HtmlElement, int] = {}
    for paragraph in doc.iter("p"):
        words = len(paragraph.text_content().split())
        for element in (paragraph, *paragraph.iterancestors()):
            held[element] = held.get(element, 0) + words
    return held


def _marked_root(
    doc: lxml_html.HtmlElement, prose: dict[lxml_html.HtmlElement, int]
) -> lxml_html.HtmlElement | None:
    """The element trafilatura's content search marks as the main content (a post's
    ``entry-content``, an ``<article>``), when it holds :data:`MARKED_SHARE` of the prose; else
    None. Starting anywhere else (the innermost element holding nearly all of the prose) kept
    blog sidebars and teaser lists on Dragnet's pages: 79 pages worse, 36 better outside the
    quick sample (docs/benchmarks.md, Crawl, ninth pass)."""
    total = prose.get(doc, 0)
    for search in BODY_XPATH:
        marked = next(iter(search(doc)), None)
        if marked is not None and prose.get(marked, 0) >= MARKED_SHARE * total:
            return marked
    return None


def _remove(element: lxml_html.HtmlElement) -> None:
    """Take ``element`` out of the tree, keeping its tail text in place (lxml's ``drop_tree``;
    the root, which has no parent, stays)."""
    if element.getparent() is not None:
        element.drop_tree()


def _clean(doc: lxml_html.HtmlElement) -> None:
    """Drop the elements that never hold story text (trafilatura's own list)."""
    for element in list(doc.iter(*MANUALLY_CLEANED)):
        _remove(element)
    for element in list(doc.iter(etree.Comment, etree.ProcessingInstruction)):
        _remove(element)


def _discard_named(doc: lxml_html.HtmlElement, prose: dict[lxml_html.HtmlElement, int]) -> None:
    """Drop blocks named as boilerplate (:func:`names_boilerplate`), unless they hold a large
    share of the story's prose (then the name misfired: ``entry-author-jane`` on the post's own
    element) or together nearly all of the text (trafilatura's own guard)."""
    total = max(prose.get(doc, 0), 1)
    found = {
        e for e in _NAMED(doc) if prose.get(e, 0) < KEEP_SHARE * total and names_boilerplate(e)
    }
    outer = [e for e in found if not any(a in found for a in e.iterancestors())]
    text = len(doc.text_content())
    if sum(len(e.text_content()) for e in outer) > MAX_DISCARD_SHARE * text:
        return
    for element in outer:
        _remove(element)


def names_boilerplate(element: lxml_html.HtmlElement) -> bool:
    """Whether trafilatura's discard lists name the element boilerplate by its ``id``,
    ``class`` or ``style`` (:data:`trafilatura.xpaths.OVERALL_DISCARD_XPATH`'s patterns, a
    teaser), or :mod:`crawler.extract.widgets` names it a gallery or dialog.

    The patterns are trafilatura's own, read from its expressions once, but tested here in
    Python on the few elements that have a name: as XPath ``re:test`` they run a Python
    callback on every element, most of this walk's cost when they were used as they are.
    """
    ident, name = element.get("id") or "", element.get("class") or ""
    style = element.get("style") or ""
    return bool(
        (ident and _ID_PATTERN.search(ident))
        or (name and _CLASS_PATTERN.search(name))
        or (style and _STYLE_PATTERN.search(style))
        or element.get("aria-hidden") == "true"
        or "nav" in (element.get("role") or "").lower()
        or names_widget(element)
    )


def _drop_link_blocks(doc: lxml_html.HtmlElement) -> None:
    """Drop lists and blocks that are nearly all link text: menus, "more stories" lists."""
    for element in list(doc.iterdescendants(*_LINK_BLOCKS)):
        text = norm(text_of(element))
        if text and len(text) <= LINK_BLOCK_CHARS and link_density(element, text) >= LINK_HEAVY:
            _remove(element)


def _render(doc: lxml_html.HtmlElement) -> str:
    """One block a line: a break around every block element, cells joined by `` | ``; line
    breaks inside the page's own text are only spacing. A list item or a cell is one line,
    whatever blocks it holds (a slide's heading and caption), as trafilatura renders them."""
    flat = {e for item in doc.iter("li", *_CELLS) for e in item.iterdescendants(*_BLOCKS)}
    for element in doc.iter(*_BLOCKS):
        if element in flat and element.tag not in _LISTS:
            continue
        element.tail = _BREAK + (element.tail or "")
        if element.tag != "br":
            element.text = _BREAK + (element.text or "")
    for element in doc.iter(*_CELLS):
        element.tail = " | " + (element.tail or "")
    lines = (" ".join(line.split()).strip(" |") for line in doc.text_content().split(_BREAK))
    return "\n".join(line for line in lines if line)
