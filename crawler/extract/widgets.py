"""Embedded widgets inside a story: galleries, slideshows, carousels, lightboxes, modal dialogs.

Publishers embed them in the middle of the article's own container, so extractors that keep the
container keep them too: a 50-slide gallery's legends, a video player's dialog text. Their text
is not the story's (Readability drops such containers by their class names for the same reason).
They are recognised by what the markup names them, as :mod:`crawler.extract.prose` recognises
reader discussions: a ``class`` or ``id`` word from :data:`WIDGET_WORDS`, whole (``full-gallery``,
``slideShow``, ``vjs-modal-dialog``), never a fragment of a longer word. An element so named that
holds half or more of the lines extracted as the body is the story's own wrapper, not a widget.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree
from lxml import html as lxml_html

from crawler.extract.blocks import norm, text_of

WIDGET_WORDS = frozenset({"gallery", "galleries", "slideshow", "slides", "slider", "carousel",
                          "lightbox", "modal"})  # fmt: skip
#: A named element holding at least this share of the body's lines is the story's wrapper.
STORY_SHARE = 0.5
_NAME_WORDS = re.compile(r"[a-z0-9]+")
_NAMED = etree.XPath("//body//*[@class or @id]")


def names_widget(el: lxml_html.HtmlElement) -> bool:
    """Whether the element's class or id holds a widget word as a whole word (any case)."""
    name = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return not WIDGET_WORDS.isdisjoint(_NAME_WORDS.findall(name))


def widget_texts(tree: lxml_html.HtmlElement, body: list[lxml_html.HtmlElement]) -> list[str]:
    """Normalised texts of the page's outermost widgets (see the module docstring), each padded
    with a space at both ends so that a line matches whole words only.

    ``body``: the page elements the extracted lines came from; a named element holding half or
    more of them is the story's own wrapper, not a widget.
    """
    holds: Counter[lxml_html.HtmlElement] = Counter()
    for el in body:
        holds.update(el.iterancestors())
    found: set[lxml_html.HtmlElement] = set()
    for el in _NAMED(tree):
        if holds[el] >= STORY_SHARE * len(body) and body:
            continue
        if not names_widget(el) or any(a in found for a in el.iterancestors()):
            continue
        found.add(el)
    return [f" {text} " for text in (norm(text_of(el)) for el in found) if text]


def drop_widget_lines(lines: list[str], widgets: list[str]) -> list[str]:
    """``lines`` without those whose text lies inside one of the page's widgets."""
    if not widgets:
        return lines
    kept = []
    for line in lines:
        text = f" {norm(line.removeprefix('- '))} "
        if text.strip() and any(text in widget for widget in widgets):
            continue
        kept.append(line)
    return kept
