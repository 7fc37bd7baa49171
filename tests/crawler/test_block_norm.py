"""``norm`` on ASCII text goes through a byte table, and ``norms`` does many texts at once: the
tokens must be the pattern's; the block index built from them must be the one built element by
element."""

from __future__ import annotations

import random
import re

from lxml import html as lxml_html

from crawler.extract.blocks import (
    _BLOCKISH,
    _WRAPPERS,
    BLOCK_TAGS,
    MAX_BLOCK_CHARS,
    BlockIndex,
    norm,
    norms,
    text_of,
)
from crawler.extract.document import parse_html

WORDS = re.compile(r"\w+")


def test_ascii_text_gives_the_patterns_tokens() -> None:
    rng = random.Random(7)
    every_ascii = "".join(map(chr, range(128)))
    texts = [every_ascii, "", "  \t\n ", "a_b-c d.e", "Don't stop: 3.5% (up)!"]
    for _ in range(500):
        texts.append("".join(rng.choice(every_ascii) for _ in range(rng.randint(0, 80))))
    for text in texts:
        assert norm(text) == " ".join(WORDS.findall(text)), repr(text)


def test_other_text_gives_the_patterns_tokens() -> None:
    for text in ["Café — “naïve” déjà-vu", "Zürich\u00a0FC 2\u20133", "東京 2026年"]:
        assert norm(text) == " ".join(WORDS.findall(text))


def test_norms_of_many_texts_are_each_texts_norm() -> None:
    rng = random.Random(11)
    every_ascii = "".join(map(chr, range(128)))
    for _ in range(300):
        texts = [
            "".join(rng.choice(every_ascii) for _ in range(rng.randint(0, 40)))
            for _ in range(rng.randint(0, 12))
        ]
        if rng.random() < 0.2:
            texts.append(rng.choice(["Café déjà-vu", "東京 2026年", "a\u00a0b"]))
        assert norms(texts) == [norm(text) for text in texts], texts
    for texts in ([], [""], ["", ""], [" x ", "\0", "y\0z", ""], ["a b", "-", " c  d "]):
        assert norms(texts) == [norm(text) for text in texts], texts


def _reference_blocks(tree: lxml_html.HtmlElement) -> dict[str, lxml_html.HtmlElement]:
    """The block index as first written: one element at a time, its children tested each."""
    blocks = {}
    for el in tree.iter(*BLOCK_TAGS):
        if el.tag in _WRAPPERS:
            direct = el.text
            if not (direct and direct.strip()) and any(c.tag in _BLOCKISH for c in el):
                continue
        text = norm(text_of(el))
        if text and len(text) <= MAX_BLOCK_CHARS:
            blocks[text] = el
    return blocks


def test_block_index_is_the_element_by_element_index() -> None:
    page = """<html><body><div><p>First paragraph, with <a href="/x">a link</a>.</p>
    <div>  <section><p>Inner para</p></section></div><div>Own text<p>and a para</p></div>
    <ul><li><a href="/a">Menu one</a></li><li>Item <b>two</b></li><li><p>Para in item</p></li>
    </ul><table><tr><td>cell <i>one</i></td><td><div>cell div</div></td></tr></table>
    <blockquote><p>Quoted</p></blockquote><blockquote>Said <!-- c --> so</blockquote>
    <div><span>only inline</span></div><div><!-- a comment --><p>after comment</p></div>
    <h2>Caf\u00e9 d\u00e9j\u00e0</h2><p>Inner para</p><dl><dt>term</dt><dd>def</dd></dl>
    <figure><figcaption>A caption</figcaption></figure><div></div><p>   </p></div></body></html>"""
    for text in (page, page.replace("\u00e9", "e").replace("\u00e0", "a")):  # with and without
        tree = parse_html(text)
        index = BlockIndex.build(tree)
        assert list(index.blocks.items()) == list(_reference_blocks(tree).items())
        assert "Inner para" in index.blocks and "Own textand a para" in index.blocks  # text_of
