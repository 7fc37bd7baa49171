"""Loose prose: sentences the story's markup holds outside any block, between blocks that were kept.

trafilatura reads a page block by block (``<p>``, ``<li>``, a ``<div>`` holding text...). Text
that sits directly in a container *between* two blocks (the tail after a ``</div>``, a
paragraph written as bare text and inline markup beside ``<p>`` siblings) is no block of its
own, and its block model drops it: the story loses a paragraph from its middle.

This module puts such text back, under structural conditions only (no site, no wording):

* it is a *run*: the text and inline elements between two block-level children (or ``<br>``)
  of one container;
* the blocks on both sides of it, in the same container, are in the body already (the story's
  text runs through that container, so what lies between is the story's too);
* it is sentence-shaped: at least :data:`MIN_WORDS` words, ending as a sentence ends, and not
  mostly link text;
* its container is story prose (:func:`crawler.extract.prose.outside_prose`).

It goes in after the body line that came from the block before it.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from crawler.extract.blocks import BlockIndex, norm, text_of
from crawler.extract.prose import outside_prose

#: Containers whose direct text is loose (a ``<p>`` or ``<li>`` is a block of its own).
LOOSE_PARENTS = frozenset({"div", "section", "article", "main", "td", "blockquote", "body",
                           "center", "font", "span"})  # fmt: skip
#: Children that continue a run of text: inline markup, not a block of its own.
INLINE = frozenset({"a", "abbr", "b", "bdi", "cite", "code", "em", "font", "i", "mark", "q",
                    "s", "small", "span", "strong", "sub", "sup", "time", "u", "var"})  # fmt: skip
#: A run shorter than this is a label, a credit or a dateline, not a paragraph.
MIN_WORDS = 10
#: A run with this share of its text in links is a pointer elsewhere, not the story's prose.
LINK_SHARE = 0.5
#: Elements that make a block a picture or a player rather than text.
MEDIA = ("img", "picture", "video", "audio", "iframe", "figure", "svg", "object", "embed")
#: A media block with at least this many words of text (a long caption, a text box) is a border.
MEDIA_CAPTION_WORDS = 30
#: How a finished sentence ends; an ellipsis ("check out...") ends a teaser or a prompt instead.
_SENTENCE_END = re.compile(r"(?<![.…])[.!?。！？][\"'”’»)\]]*$")


def _run_text(parts: list[tuple[str, str]]) -> tuple[str, float]:
    """A run's text and the share of its characters inside links."""
    text = " ".join(" ".join(t.split()) for t, _ in parts if t.strip())
    linked = sum(len(norm(t)) for t, kind in parts if kind == "link")
    total = len(norm(text))
    return text, (linked / total if total else 0.0)


def _runs(parent: lxml_html.HtmlElement, kept: set[lxml_html.HtmlElement]):
    """(block before, text, link share, block after) for each run of loose text in ``parent``.

    A ``<br>`` ends a run but is no block: the blocks around a run are its nearest block-level
    siblings (None at the container's edges), reaching past those not kept that are only an
    interruption (:func:`_interrupts`).
    """
    items: list = []  # block elements and finished runs, in document order
    parts: list[tuple[str, str]] = [(parent.text or "", "text")]
    for child in parent:
        tag = child.tag if isinstance(child.tag, str) else None  # None: a comment
        if tag is None or tag in INLINE:
            if tag is not None:
                parts.append((text_of(child), "link" if tag == "a" else "text"))
            parts.append((child.tail or "", "text"))
            continue
        items.append(_run_text(parts))
        if tag != "br":
            items.append(child)
        parts = [(child.tail or "", "text")]
    items.append(_run_text(parts))
    items = [x for x in items if isinstance(x, tuple) or x in kept or not _interrupts(x)]
    afters, after = [], None
    for item in reversed(items):  # the nearest block after each item, in one pass
        afters.append(after)
        after = after if isinstance(item, tuple) else item
    before = None
    for item, after in zip(items, reversed(afters), strict=True):
        if not isinstance(item, tuple):
            before = item
        elif item[0]:
            yield before, *item, after


def _interrupts(block: lxml_html.HtmlElement) -> bool:
    """Whether a block left out of the body only interrupts the text around it: a picture or a
    player with at most a caption, or a few words (a pull quote, a label). A run reaches past
    it to the block beyond (``<p>`` text, a photo breaking the paragraph, its rest as loose text).
    """
    words = _words_up_to(block, MEDIA_CAPTION_WORDS)
    if words < MIN_WORDS:
        return True
    return words < MEDIA_CAPTION_WORDS and next(block.iter(*MEDIA), None) is not None


def _words_up_to(block: lxml_html.HtmlElement, limit: int) -> int:
    """Words of the block's text, counted only up to ``limit`` (a sidebar beside the story may
    hold thousands: only whether it is short matters)."""
    words = 0
    for text in block.itertext():
        words += len(text.split())
        if words >= limit:
            break
    return words


def _has_loose_text(parent: lxml_html.HtmlElement) -> bool:
    """Whether any text sits in ``parent`` outside its block children (most containers hold
    nothing but blocks and whitespace between them)."""
    if parent.text and not parent.text.isspace():
        return True
    for child in parent:
        if child.tail and not child.tail.isspace():
            return True
        if child.tag in INLINE and _words_up_to(child, 1):
            return True
    return False


def loose_prose(lines: list[str], index: BlockIndex) -> list[str]:
    """``lines`` with the sentence-shaped loose runs between their kept blocks put back."""
    line_elements = [index.blocks.get(norm(line.removeprefix("- "))) for line in lines]
    kept: set[lxml_html.HtmlElement] = set()
    for el in line_elements:
        if el is not None and el not in kept:
            kept.add(el)
            kept.update(el.iterancestors())
    if not kept:
        return lines
    present = ""
    after_line: dict[int, list[str]] = {}
    parents = {el.getparent() for el in kept} - {None}
    for parent in parents:
        if parent.tag not in LOOSE_PARENTS or not _has_loose_text(parent):
            continue
        if outside_prose(parent):
            continue
        for before, text, link_share, after in _runs(parent, kept):
            if before not in kept or after not in kept:
                continue
            if len(text.split()) < MIN_WORDS or link_share >= LINK_SHARE:
                continue
            if not _SENTENCE_END.search(text):
                continue
            present = present or f" {norm(' '.join(lines)).casefold()} "
            if f" {norm(text).casefold()} " in present:
                continue
            at = _last_line_from(before, line_elements)
            if at is not None:
                after_line.setdefault(at, []).append(text)
    if not after_line:
        return lines
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(after_line.get(i, ()))
    return out


def _last_line_from(block: lxml_html.HtmlElement, line_elements: list) -> int | None:
    """Index of the last line that came from ``block`` or an element inside it."""
    for i in range(len(line_elements) - 1, -1, -1):
        el = line_elements[i]
        if el is not None and (el is block or block in el.iterancestors()):
            return i
    return None
