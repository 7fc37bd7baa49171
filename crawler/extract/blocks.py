"""What the page's markup says about lines of extracted text: the element each came from, its
link density, and the text helpers (``norm``, ``text_of``) the extract modules share.

trafilatura hands back plain text, which has lost the structure that tells an article paragraph
from a "Related:" link or a share prompt. This module maps text lines back to the page's block
elements by their word tokens, so the body cleaner can ask the DOM about each line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from lxml import etree
from lxml import html as lxml_html

_TOKEN = re.compile(r"\w+")
#: Elements whose text is one visual block: a paragraph, list item, heading, caption, cell.
BLOCK_TAGS = ("p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "dd", "dt",
              "td", "th", "div", "section")  # fmt: skip
#: Block tags that more often wrap other blocks: indexed only when they hold text directly.
_WRAPPERS = frozenset({"div", "section", "td", "th", "li", "blockquote"})
_BLOCKISH = frozenset({*BLOCK_TAGS, "ul", "ol", "table", "tbody", "tr", "article", "aside",
                       "header", "footer", "nav", "main", "figure", "form"})  # fmt: skip
#: A block with at least this share of its text inside links is link text, not prose.
LINK_DENSE = 0.5
#: Longer blocks are containers, not lines; skipping them keeps the index linear-ish and small.
MAX_BLOCK_CHARS = 3000


#: Every byte that is no word character (``\w``) to a space, the others kept: on ASCII text
#: the tokens are then what ``bytes.split`` finds, in a C table lookup a byte (the block index
#: normalises every block of a page: 0.52 against 1.16 ms a generated page with the pattern's
#: ``findall``, 1.16 with ``str.translate``'s dict, which is looked up a character at a time).
_ASCII_WORD_BYTES = bytes(c if _TOKEN.fullmatch(chr(c)) else 0x20 for c in range(256))


#: The same table keeping NUL, which joins the texts :func:`norms` normalises at once (no page
#: text holds one: libxml2's strings end at it).
_ASCII_WORD_BYTES_AND_NUL = b"\0" + _ASCII_WORD_BYTES[1:]


def norm(text: str) -> str:
    """Word tokens joined by single spaces: markup, spacing and punctuation no longer matter."""
    if text.isascii():
        return b" ".join(text.encode("ascii").translate(_ASCII_WORD_BYTES).split()).decode("ascii")
    return " ".join(_TOKEN.findall(text))


def norms(texts: list[str]) -> list[str]:
    """:func:`norm` of each of ``texts``; when all are ASCII, in one pass over them all: joined
    by NULs (no page text holds one), the table, one ``split`` and one ``join`` over the whole,
    then split at the NULs (a page's ~700 block texts: a call each was most of the block index's
    cost of ``norm``). Real pages with a text that is not ASCII gained nothing from doing only
    their ASCII texts so (docs/benchmarks.md, Crawl, speed10)."""
    joined = "\0".join(texts)
    if not joined.isascii() or joined.count("\0") != len(texts) - 1:
        return [norm(text) for text in texts]
    words = joined.encode("ascii").translate(_ASCII_WORD_BYTES_AND_NUL).split()
    return list(map(str.strip, b" ".join(words).decode("ascii").split("\0")))


def line_text(line: str) -> str:
    """A body line's words as blocks are keyed by: :func:`norm` of it, a ``- `` list mark
    dropped (trafilatura writes one before each list item)."""
    return norm(line.removeprefix("- "))

#: Text content of an element without its tail: ``"".join(el.itertext())``, made in C.
text_of = partial(etree.tostring, method="text", encoding=str, with_tail=False)


def link_chars(el: lxml_html.HtmlElement) -> int:
    """Characters of ``el``'s text inside its links, counted as :func:`norm` writes them (word
    tokens, single spaces): punctuation and spacing weigh nothing, in every link-share rule."""
    return sum(len(norm(text_of(a))) for a in el.iter("a"))


def link_density(el: lxml_html.HtmlElement, text: str | None = None) -> float:
    """Share of the element's normalised text that sits inside its links: the one definition
    of link density (``text``: ``norm(text_of(el))``, when the caller has it already)."""
    text = norm(text_of(el)) if text is None else text
    return min(1.0, link_chars(el) / len(text)) if text else 0.0


@dataclass
class BlockIndex:
    """Block texts of a page (normalised) → share of their characters that sit inside links.

    Densities are worked out on first asking, from the block's element: a page has hundreds of
    blocks (menus, widgets) and the body cleaner asks about a few dozen lines.
    """

    root: lxml_html.HtmlElement
    blocks: dict[str, lxml_html.HtmlElement] = field(default_factory=dict)
    _densities: dict[str, float] = field(default_factory=dict, repr=False)
    _link_texts: set[str] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, tree: lxml_html.HtmlElement) -> BlockIndex:
        """Index every block; the innermost element wins when wrappers share its text."""
        index = cls(tree)
        blocks = index.blocks
        # the elements with a block among their children, found once (a test of each
        # wrapper's children was a Python generator per wrapper: ~600 menu items a page)
        holders = {block.getparent() for block in tree.iter(*_BLOCKISH)}
        elements = [
            el
            for el in tree.iter(*BLOCK_TAGS)
            if el not in holders or el.tag not in _WRAPPERS or (el.text and el.text.strip())
        ]  # a wrapper of other blocks with no text of its own is no line of text
        for text, el in zip(norms([text_of(el) for el in elements]), elements, strict=True):
            if text and len(text) <= MAX_BLOCK_CHARS:
                blocks[text] = el  # later (inner) elements replace the wrappers around them
        return index

    def _density_of(self, text: str) -> float:
        density = self._densities.get(text)
        if density is None:
            density = self._densities[text] = link_density(self.blocks[text], text)
        return density

    def density(self, line: str) -> float | None:
        """Link density of the block this line came from (None when no block matches)."""
        text = line_text(line)
        return self._density_of(text) if text in self.blocks else None

    def element(self, line: str) -> lxml_html.HtmlElement | None:
        """The block element ``line`` came from (None when no block matches)."""
        return self.blocks.get(line_text(line))

    def elements(self, lines: list[str]) -> list[lxml_html.HtmlElement]:
        """The block elements ``lines`` came from, where a block matches (others are skipped)."""
        found = (self.element(line) for line in lines)
        return [el for el in found if el is not None]

    def is_link(self, line: str, dense: float = LINK_DENSE) -> bool:
        """Whether the line is link text: a block with ``dense`` or more of its text in links,
        or exactly one link's text (menus built of bare ``<a>`` elements are no block of their
        own)."""
        density = self.density(line)
        if density is not None:
            return density >= dense
        if self._link_texts is None:
            self._link_texts = {norm(text_of(a)) for a in self.root.iter("a")} - {""}
        return line_text(line) in self._link_texts
