"""A page cut into text blocks, and per block the features a learned block scorer reads.

Every piece of visible text belongs to exactly one block: the nearest block-level element
around it (a paragraph, list item, heading, cell, or a ``<div>`` holding bare text). So a set
of blocks is a text with no overlaps, and a block's share of the ground truth's shingles is a
clean label.

The features mean the same on every site (issue 16 item 1): size, link density, sentence shape,
tag and depth, position in the page and against the headline, the neighbours' size and links,
the page's class/id vocabulary around the block (tokens, a vocabulary learnt on the training
set), and how much of the block our extractor's body holds (``ours``) and, optionally, how much
readability-lxml's text holds (``second``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from lxml import html as lxml_html

_TOKEN = re.compile(r"\w+")
_CLASS_TOKEN = re.compile(r"[a-z]+|[A-Z][a-z]+|[A-Z]+(?![a-z])")
_SENTENCE_END = re.compile(r"[.!?…。](?:\s|$)")

#: Elements whose own text is one block (text inside them but outside nested blocks).
BLOCK_LEVEL = frozenset({
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "dd", "dt", "td",
    "th", "div", "section", "article", "main", "aside", "header", "footer", "nav", "ul", "ol",
    "dl", "table", "tr", "form", "figure", "pre", "address", "center", "body", "caption",
    "fieldset", "details", "summary", "label", "button", "select", "tbody", "thead", "tfoot",
})  # fmt: skip
#: Elements whose text is never shown as text.
HIDDEN = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "option",
                    "textarea", "object", "canvas"})  # fmt: skip
#: Tags a block may be, one feature each (others: "other").
TAGS = ("p", "li", "h", "td", "div", "blockquote", "figcaption", "pre", "other")
#: Ancestors worth a flag: where menus, footers, forms and stories live.
CONTEXTS = ("nav", "header", "footer", "aside", "form", "article", "main", "table", "ul", "figure",
            "a", "h1", "blockquote")  # fmt: skip
#: How many ancestors' class/id tokens count as "around" the block.
ANCESTOR_LEVELS = 6
#: Neighbours on each side whose size and links are features.
WINDOW = 2


def tokens(text: str) -> list[str]:
    """Word tokens as the shared scorer counts them (``\\w+``)."""
    return _TOKEN.findall(text)


def shingles(toks: Sequence[str], n: int = 4) -> set[tuple[str, ...]]:
    """The scorer's shingles of a token list (a short list is one shorter shingle)."""
    if len(toks) < n:
        return {tuple(toks)} if toks else set()
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def text_grams(text: str | None) -> set[tuple[str, ...]]:
    """A text's 4-grams and its 1- to 3-grams: what :func:`held_share` looks a block's shingles
    up in (a block of under four words is one shorter shingle, held if the text has that run)."""
    toks = tokens(text or "")
    grams = set(zip(*(toks[i:] for i in range(4)), strict=False))
    for n in (1, 2, 3):
        grams.update(zip(*(toks[i:] for i in range(n)), strict=False))
    return grams


def class_tokens(el: lxml_html.HtmlElement) -> frozenset[str]:
    """Lower-cased words of an element's class and id (``postBody`` → post, body)."""
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not raw.strip():
        return frozenset()
    return frozenset(t.lower() for t in _CLASS_TOKEN.findall(raw) if len(t) >= 3)


@dataclass
class Block:
    """One block: its element, its own text pieces, where it sits and what surrounds it."""

    el: lxml_html.HtmlElement
    tag: str
    depth: int
    contexts: frozenset[str]
    own_classes: frozenset[str]
    around_classes: frozenset[str]
    pieces: list[str] = field(default_factory=list)
    link_pieces: list[str] = field(default_factory=list)
    parent: int = -1
    parent_words: int = 0

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.pieces).split())


def segment(root: lxml_html.HtmlElement) -> list[Block]:
    """The page's blocks in document order (blocks with no word dropped)."""
    blocks: list[Block] = []
    # (element, block index, depth, contexts, ancestor class tokens, inside a link)
    stack: list[tuple[object, ...]] = [(root, -1, 0, frozenset(), (), False)]
    while stack:
        item = stack.pop()
        if item[0] == "tail":  # a child's tail belongs to its parent's block
            _, text, owner, linked = item
            if owner >= 0:
                blocks[owner].pieces.append(text)
                if linked:
                    blocks[owner].link_pieces.append(text)
            continue
        el, owner, depth, contexts, classes, linked = item
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in HIDDEN:
            continue
        mine = class_tokens(el)
        inner_contexts = contexts | {tag} if tag in CONTEXTS else contexts
        if tag in BLOCK_LEVEL:  # a <nav> or <footer> block is in a nav or footer itself
            around = frozenset().union(*classes[-ANCESTOR_LEVELS:])
            blocks.append(Block(el, tag, depth, inner_contexts, mine, around, parent=owner))
            owner = len(blocks) - 1
        linked = linked or tag == "a"
        if el.text and owner >= 0:
            blocks[owner].pieces.append(el.text)
            if linked:
                blocks[owner].link_pieces.append(el.text)
        inner_classes = (*classes, mine) if mine else classes
        for child in reversed(el):
            if child.tail and child.tail.strip():
                stack.append(("tail", child.tail, owner, linked))
            stack.append((child, owner, depth + 1, inner_contexts, inner_classes, linked))
    kept = [b for b in blocks if _TOKEN.search(b.text)]
    for b in kept:
        b.parent_words = len(tokens(blocks[b.parent].text)) if b.parent >= 0 else 0
    return kept


def block_tag(tag: str) -> str:
    """The block's tag as one of :data:`TAGS`."""
    if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
        return "h"
    if tag in {"td", "th"}:
        return "td"
    if tag in {"div", "section"}:
        return "div"
    return tag if tag in TAGS else "other"


def held_share(block_shingles: set[tuple[str, ...]], text_shingles: set[tuple[str, ...]]) -> float:
    """Share of a block's shingles found in a text (its label against the ground truth, its
    "ours" feature against our body)."""
    if not block_shingles:
        return 0.0
    return len(block_shingles & text_shingles) / len(block_shingles)


@dataclass
class PageBlocks:
    """A page's blocks with their texts, shingles and numeric features (one row a block)."""

    texts: list[str]
    shingles: list[set[tuple[str, ...]]]
    words: list[int]
    rows: list[list[float]]
    classes: list[tuple[frozenset[str], frozenset[str]]]


NUMERIC = (
    "log_words", "log_chars", "link_density", "words_per_sentence", "sentence_ends", "commas",
    "ends_with_stop", "capitalised", "digits", "log_depth", "position", "words_before",
    *(f"tag_{t}" for t in TAGS), *(f"in_{c}" for c in CONTEXTS),
    "after_headline", "from_headline", "no_headline", "is_headline",
    "page_log_words", "share_of_page", "parent_log_words", "log_siblings",
    *(f"{side}{k}_{what}" for side in ("prev", "next") for k in range(1, WINDOW + 1)
      for what in ("log_words", "link_density", "ours")),
    "ours", "ours_page_share", "ours_log_words", "second", "second_page_share",
)  # fmt: skip


def page_blocks(
    root: lxml_html.HtmlElement,
    ours: str,
    second: str | None,
    headlines: Iterable[str] = (),
) -> PageBlocks:
    """Blocks of a parsed page and their features; ``ours``: our body, ``second``:
    readability-lxml's text (None: the features say 0)."""
    blocks = segment(root)
    texts = [b.text for b in blocks]
    toks = [tokens(t) for t in texts]
    words = [len(t) for t in toks]
    shing = [shingles(t) for t in toks]
    ours_sh = text_grams(ours)
    second_sh = text_grams(second)
    ours_share = [held_share(s, ours_sh) for s in shing]
    second_share = [held_share(s, second_sh) for s in shing] if second else [0.0] * len(blocks)
    links = [sum(len(tokens(p)) for p in b.link_pieces) for b in blocks]
    density = [min(1.0, li / w) if w else 0.0 for li, w in zip(links, words, strict=True)]
    heads = {h.casefold() for h in headlines}
    head_at = next((i for i, t in enumerate(toks) if " ".join(t).casefold() in heads), None)
    if head_at is None:
        head_at = next((i for i, b in enumerate(blocks) if b.tag == "h1"), None)
    total = sum(words) or 1
    n = len(blocks) or 1
    ours_words = sum(w * s for w, s in zip(words, ours_share, strict=True))
    second_words = sum(w * s for w, s in zip(words, second_share, strict=True))
    siblings = Counter((id(b.el.getparent()), b.tag) for b in blocks)
    before = 0
    rows = []
    for i, b in enumerate(blocks):
        text, w = texts[i], words[i]
        ends = len(_SENTENCE_END.findall(text)) + (0 if text.rstrip()[-1:] in ".!?…。" else 1)
        caps = sum(1 for t in toks[i] if t[:1].isupper())
        digits = sum(c.isdigit() for c in text)
        tag = block_tag(b.tag)
        row = [
            math.log1p(w), math.log1p(len(text)), density[i], w / ends, ends / (w or 1),
            text.count(",") / (w or 1), float(text.rstrip()[-1:] in ".!?…。\"”'"),
            caps / (w or 1), digits / (len(text) or 1), math.log1p(b.depth), i / n, before / total,
            *(float(tag == t) for t in TAGS), *(float(c in b.contexts) for c in CONTEXTS),
        ]  # fmt: skip
        if head_at is None:
            row += [0.0, 0.0, 1.0, 0.0]
        else:
            row += [float(i > head_at), (i - head_at) / n, 0.0, float(i == head_at)]
        row += [math.log1p(total), w / total, math.log1p(b.parent_words),
                math.log1p(siblings[(id(b.el.getparent()), b.tag)])]  # fmt: skip
        for step in (-1, 1):
            for k in range(1, WINDOW + 1):
                j = i + step * k
                if 0 <= j < len(blocks):
                    row += [math.log1p(words[j]), density[j], ours_share[j]]
                else:
                    row += [0.0, 0.0, 0.0]
        row += [ours_share[i], ours_words / total, math.log1p(ours_words),
                second_share[i], second_words / total]  # fmt: skip
        rows.append(row)
        before += w
    classes = [(b.own_classes, b.around_classes) for b in blocks]
    return PageBlocks(texts, shing, words, rows, classes)


def vocabulary_columns(
    classes: Sequence[tuple[frozenset[str], frozenset[str]]], vocabulary: Sequence[str]
) -> np.ndarray:
    """Per block, one flag per vocabulary token on the block itself and one on its ancestors."""
    column = {t: i for i, t in enumerate(vocabulary)}
    out = np.zeros((len(classes), 2 * len(vocabulary)), dtype=np.float32)
    for row, (own, around) in enumerate(classes):
        for t in own:
            if t in column:
                out[row, column[t]] = 1.0
        for t in around:
            if t in column:
                out[row, len(vocabulary) + column[t]] = 1.0
    return out
