"""Signals for a learned referee between our body and readability-lxml's: measured, not shipped.

Our body (trafilatura plus the repairs in :mod:`crawler.extract.body`) and readability-lxml fail
on different pages: trafilatura keeps a sidebar link list where the post is two lines, or only
the first sections of a long guide; readability scores containers by their paragraphs and
keeps the whole one. The experiment (``bench/train_referee.py``): a gate over signals of our
body against the page's story prose decides when to ask readability too, and a referee over
signals of both texts (shares of the page's prose, link share, how much of each text the other
holds) decides which to keep. Trained on WCXB pages, it did not hold on the sets it did not see
(docs/benchmarks.md, Extraction), so nothing in the crawler uses it.
"""

from __future__ import annotations

import json
import math
import re
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path

from lxml import html as lxml_html

from crawler.extract.blocks import BlockIndex, norm, text_of
from crawler.extract.body import tidy

_TOKEN = re.compile(r"\w+")
#: Elements readability-lxml's output breaks lines at.
_LINE_TAGS = ("p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote")


def readability_text(tree: lxml_html.HtmlElement) -> str:
    """readability-lxml's main text of the page, one block per line ('' when it finds none).

    It works on a copy: readability drops and rewrites elements of the tree it is given.
    """
    from readability import Document  # imported on first use: most pages never need it
    from readability.readability import Unparseable

    try:
        summary = Document(deepcopy(tree)).summary(html_partial=True)
        root = lxml_html.fragment_fromstring(summary, create_parent="div")
    except (Unparseable, ValueError, lxml_html.etree.ParserError):
        return ""
    for block in root.iter(*_LINE_TAGS):
        block.tail = "\n" + (block.tail or "")
    return tidy(text_of(root))


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    if len(tokens) < 4:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)}


def _log_ratio(a: float, b: float) -> float:
    """log((a + 1) / (b + 1)), clipped: how many times longer ``a`` is than ``b``."""
    return max(-4.0, min(4.0, math.log((a + 1) / (b + 1))))


@dataclass(frozen=True)
class TextSignals:
    """What the page's markup says about one extracted text."""

    words: int
    link_share: float  # share of its words in link-dense blocks (menus, link lists)
    prose_share: float  # share of its words in the page's story-prose paragraphs
    prose_cover: float  # share of the page's story-prose words that it holds

    @classmethod
    def of(cls, text: str, index: BlockIndex, prose: dict[str, int]) -> TextSignals:
        """``prose``: the page's story-prose paragraphs, normalised text → words."""
        total = linked = in_prose = 0
        held: set[str] = set()
        for line in text.splitlines():
            words = len(line.split())
            total += words
            if index.is_link(line):
                linked += words
            key = norm(line.removeprefix("- "))
            if key in prose:
                in_prose += words
                held.add(key)
        prose_total = sum(prose.values())
        covered = sum(prose[k] for k in held)
        return cls(
            words=total,
            link_share=linked / total if total else 0.0,
            prose_share=in_prose / total if total else 0.0,
            prose_cover=covered / prose_total if prose_total else 0.0,
        )


def prose_by_text(paragraphs: list[lxml_html.HtmlElement]) -> dict[str, int]:
    """The page's story-prose paragraphs as normalised text → word count."""
    out: dict[str, int] = {}
    for p in paragraphs:
        text = text_of(p)
        key = norm(text)
        if key:
            out[key] = len(text.split())
    return out


def page_signals(ours: TextSignals, prose_words: int) -> list[float]:
    """The gate's inputs: our body against the page's story prose (no second extractor run)."""
    return [
        math.log1p(ours.words),
        _log_ratio(ours.words, prose_words),
        ours.link_share,
        ours.prose_share,
        ours.prose_cover,
    ]


def pair_signals(
    ours_text: str, ours: TextSignals, theirs_text: str, theirs: TextSignals, prose_words: int
) -> list[float]:
    """The referee's inputs: both texts against the page and against each other."""
    a, b = _shingles(ours_text), _shingles(theirs_text)
    shared = len(a & b)
    return [
        *page_signals(ours, prose_words),
        _log_ratio(theirs.words, prose_words),
        _log_ratio(theirs.words, ours.words),
        theirs.link_share,
        theirs.prose_share,
        theirs.prose_cover,
        shared / len(a) if a else 0.0,  # how much of ours readability also keeps
        shared / len(b) if b else 0.0,  # how much of readability's we also keep
    ]


@dataclass(frozen=True)
class Logistic:
    """A fitted logistic regression, stored as plain numbers (standardisation folded in)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, x: list[float]) -> float:
        z = self.intercept + sum(
            c * (v - m) / s for c, v, m, s in zip(self.coef, x, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))

    def says_yes(self, x: list[float]) -> bool:
        return self.probability(x) >= self.threshold

    @classmethod
    def load(cls, path: Path) -> Logistic:
        return cls.of(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def of(cls, data: dict) -> Logistic:
        """From the stored form: ``mean``, ``scale``, ``coef``, ``intercept``, ``threshold``."""
        return cls(
            tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]),
            float(data["intercept"]), float(data["threshold"]),
        )  # fmt: skip
