"""Is a page reached by following links an article, a listing, or unclear? Structural signals.

``og:type`` alone is a poor guide: many article pages omit it or say ``website``. The signals:

* ``article`` — JSON-LD of an article type or ``og:type=article``; or one dominant ``<article>``
  element with real prose; or a publication date (meta, ``<time>``, URL) with long prose.
* ``listing`` — only on positive evidence of a list and no article signal: several
  ``<article>`` cards none of which dominates, or a page that is mostly links with little prose.
* ``unsure`` — anything else.

The spider extracts ``article`` and ``unsure`` pages (extraction has the last word), and follows
the links of listings and of pages extraction rejects. So a page is never dropped as a
non-article on a guess: only extraction or clear list structure decides that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lxml import html as lxml_html

from crawler.extract.metadata import read_metadata
from crawler.extract.words import word_count

Kind = Literal["article", "listing", "unsure"]

#: Prose words (in ``<p>``, outside links) that make a page's text "real prose".
PROSE_WORDS = 150
#: With a date, this much prose makes a page an article.
DATED_PROSE_WORDS = 250
#: A listing made of cards: at least this many ``<article>`` elements ...
MIN_CARDS = 3
#: ... none holding this share of the page's prose.
DOMINANT_SHARE = 0.6
#: A page with fewer prose words than this and at least MIN_LINKS links is a list of links.
THIN_PROSE_WORDS = 60
MIN_LINKS = 15


@dataclass(frozen=True)
class PageKind:
    """The decision and the signal it rests on (for logs and counters)."""

    kind: Kind
    reason: str


def _prose_words(element: lxml_html.HtmlElement) -> int:
    """Words of ``<p>`` text under ``element``, not counting link text."""
    total = 0
    for para in element.iter("p"):
        text = para.text_content()
        links = " ".join(a.text_content() for a in para.iter("a"))
        total += max(0, word_count(text) - word_count(links))
    return total


def classify_page(tree: lxml_html.HtmlElement, url: str) -> PageKind:
    """Decide from the parsed page (see the module docstring)."""
    meta = read_metadata(tree, url)
    if meta.is_article:
        return PageKind("article", "JSON-LD or og:type says article")
    prose = _prose_words(tree)
    cards = [_prose_words(a) for a in tree.iter("article")]
    biggest = max(cards, default=0)
    dominant = prose > 0 and biggest >= DOMINANT_SHARE * prose
    if len(cards) >= MIN_CARDS and not dominant:
        return PageKind("listing", f"{len(cards)} <article> cards, none dominant")
    if cards and dominant and biggest >= PROSE_WORDS:
        return PageKind("article", "one dominant <article> element with prose")
    if meta.dates and prose >= DATED_PROSE_WORDS:
        return PageKind("article", "dated page with long prose")
    links = sum(1 for _ in tree.iterfind(".//a[@href]"))
    if prose < THIN_PROSE_WORDS and links >= MIN_LINKS:
        return PageKind("listing", f"{links} links and {prose} words of prose")
    return PageKind("unsure", "no clear signal")
