"""What the body left out between two of its blocks: loose prose, subheadings and lists.

trafilatura reads a page block by block (``<p>``, ``<li>``, a ``<div>`` holding text...). Two
things a story's container holds *between* two blocks that were kept can go missing:

* **loose runs**: text that sits directly in a container (the tail after a ``</div>``, the
  rest of a paragraph that a pull quote or a photo opened inside its ``<p>`` closed) is no
  block of its own, and the block model drops it;
* **subheadings and lists**: when trafilatura finds no content element to read it collects
  loose paragraphs only, and the story's ``<h2>``-``<h6>`` and ``<ul>``/``<ol>`` between them go
  (WCXB: docs/benchmarks.md, Extraction, seventh pass).

Both are put back under structural conditions only (no site, no wording):

* the blocks on both sides, in the same container, are in the body already (the story's text
  runs through that container, so what lies between is the story's too); a block left out that
  only interrupts (a picture with its caption, a few words) is reached past;
* a run is sentence-shaped: at least :data:`MIN_RUN_WORDS` words, ending as a sentence ends (not in
  an ellipsis), not mostly link text; a list is not mostly links nor a comment thread; a
  subheading is followed by prose (not a form's labels);
* the container is story prose (:func:`crawler.extract.prose.outside_prose`).

Each goes in after the body line that came from the block before it.
"""

from __future__ import annotations

from copy import deepcopy

from lxml import etree
from lxml import html as lxml_html

from crawler.extract.blocks import BlockIndex, link_chars, norm, text_of
from crawler.extract.prose import is_not_prose, outside_prose
from crawler.extract.sentences import ends_sentence
from crawler.extract.words import word_count

#: Containers whose direct text is loose (a ``<p>`` or ``<li>`` is a block of its own).
LOOSE_PARENTS = frozenset({"div", "section", "article", "main", "td", "blockquote", "body",
                           "center", "font", "span"})  # fmt: skip
#: Children that continue a run of text: inline markup, not a block of its own.
INLINE = frozenset({"a", "abbr", "b", "bdi", "cite", "code", "em", "font", "i", "mark", "q",
                    "s", "small", "span", "strong", "sub", "sup", "time", "u", "var"})  # fmt: skip
#: Subheadings and lists: blocks trafilatura drops between paragraphs when it reads loose
#: paragraphs only (the page's headline, ``<h1>``, is no subheading).
HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
LISTS = frozenset({"ul", "ol"})
_GAP_TAGS = HEADINGS | LISTS
_NEVER_TEXT = ("script", "style", "noscript", "template")
#: Elements that start a new line when shown: their text is never run into their neighbours'.
_SPACED = ("p", "div", "br", "li", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "td", "th", "tr",
           "section", "blockquote", "figcaption", "ul", "ol", "table")  # fmt: skip
#: A run shorter than this is a label, a credit or a dateline, not a paragraph.
MIN_RUN_WORDS = 10
#: A run with this share of its text in links is a pointer elsewhere, not the story's prose.
LINK_SHARE = 0.5
#: Elements that make a block a picture or a player rather than text.
MEDIA = ("img", "picture", "video", "audio", "iframe", "figure", "svg", "object", "embed")
#: A media block with at least this many words of text (a long caption, a text box) is a border.
MEDIA_CAPTION_WORDS = 30


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
    if words < MIN_RUN_WORDS:
        return True
    return words < MEDIA_CAPTION_WORDS and next(block.iter(*MEDIA), None) is not None


def _words_up_to(block: lxml_html.HtmlElement, limit: int) -> int:
    """Words of the block's text, counted only up to ``limit`` (a sidebar beside the story may
    hold thousands: only whether it is short matters)."""
    words = 0
    for text in block.itertext():
        words += word_count(text)
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


def _gap_blocks(parent: lxml_html.HtmlElement, kept: set[lxml_html.HtmlElement]):
    """(block before, lines) for each subheading or list left out between two kept blocks of
    ``parent``: trafilatura, finding no content element to read, collects loose paragraphs
    only and drops the story's subheadings and lists between them (WCXB)."""
    blocks = [c for c in parent if isinstance(c.tag, str) and c.tag not in INLINE and c.tag != "br"]
    at_kept = [i for i, c in enumerate(blocks) if c in kept]
    if len(at_kept) < 2:
        return  # a gap lies between two kept blocks (most containers hold one, or none)
    between = blocks[at_kept[0] : at_kept[-1] + 1]
    if not any(c.tag in _GAP_TAGS and c not in kept for c in between):
        return
    items: list = []  # kept blocks, candidates (as lists of lines) and borders, in order
    for child in between:
        if child in kept:
            items.append(child)
        elif (found := _gap_lines(child)) is not None:
            items.append(found)
        elif not _interrupts(child):
            items.append(None)  # a border: text left out for a reason of its own
    before = None
    for i, item in enumerate(items):
        if not isinstance(item, list):
            before = item
            continue
        after = next((x for x in items[i + 1 :] if not isinstance(x, list)), None)
        if before is None or after is None:
            continue
        if item[0].startswith("- ") or _words_up_to(after, MIN_RUN_WORDS) >= MIN_RUN_WORDS:
            yield before, item  # a subheading only when prose follows it, not a form's label


def _visible_text(el: lxml_html.HtmlElement) -> str:
    """The element's text without the scripts and styles some sites put inside headings, and
    with a space between the blocks inside it (a list item holding a heading and a paragraph
    must not read "InfrastructureDuring")."""
    if next(el.iter(*_NEVER_TEXT, *_SPACED), None) is not None:
        el = deepcopy(el)
        etree.strip_elements(el, *_NEVER_TEXT, with_tail=False)
        for inner in el.iter(*_SPACED):
            inner.tail = " " + (inner.tail or "")
            inner.text = " " + (inner.text or "")
    return " ".join(text_of(el).split())


def _gap_lines(block: lxml_html.HtmlElement) -> list[str] | None:
    """The lines of a subheading or list (None for any other block, or one mostly of links)."""
    if block.tag in HEADINGS:
        items = [block]
    elif block.tag in LISTS:
        items = block.findall("li")
    else:
        return None
    if any(is_not_prose(item) for item in (block, *items)):  # a thread of reader comments
        return None
    lines, linked, total = [], 0, 0
    for item in items:
        text = _visible_text(item)
        total += len(norm(text))
        linked += link_chars(item)
        if text:
            lines.append(text if block.tag in HEADINGS else f"- {text}")
    if not lines or linked >= LINK_SHARE * total:
        return None
    return lines


def loose_prose(lines: list[str], index: BlockIndex) -> list[str]:
    """``lines`` with the sentence-shaped loose runs, and the subheadings and lists, left out
    between their kept blocks put back."""
    line_elements = [index.element(line) for line in lines]
    kept: set[lxml_html.HtmlElement] = set()
    for el in line_elements:
        if el is not None and el not in kept:
            kept.add(el)
            kept.update(el.iterancestors())
    if not kept:
        return lines
    present = ""
    after_line: dict[int, list[str]] = {}
    for parent in {el.getparent() for el in kept} - {None}:
        found = list(_left_out(parent, kept))
        if not found or outside_prose(parent):  # the ancestor walk only where it decides
            continue
        present = present or f" {norm(' '.join(lines)).casefold()} "
        for before, texts in found:
            texts = [t for t in texts if f" {norm(t).casefold()} " not in present]
            at = _last_line_from(before, line_elements)
            if texts and at is not None:
                after_line.setdefault(at, []).extend(texts)
    if not after_line:
        return lines
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(after_line.get(i, ()))
    return out


def _left_out(parent: lxml_html.HtmlElement, kept: set[lxml_html.HtmlElement]):
    """(block before, lines) for what ``parent`` holds between two kept blocks and the body
    left out: subheadings and lists, and sentence-shaped runs of loose text."""
    yield from _gap_blocks(parent, kept)
    if parent.tag not in LOOSE_PARENTS or not _has_loose_text(parent):
        return
    for before, text, link_share, after in _runs(parent, kept):
        if before not in kept or after not in kept:
            continue
        if word_count(text) < MIN_RUN_WORDS or link_share >= LINK_SHARE:
            continue
        if ends_sentence(text):
            yield before, [text]


def _last_line_from(block: lxml_html.HtmlElement, line_elements: list) -> int | None:
    """Index of the last line that came from ``block`` or an element inside it."""
    for i in range(len(line_elements) - 1, -1, -1):
        el = line_elements[i]
        if el is not None and (el is block or block in el.iterancestors()):
            return i
    return None
