"""The story's lead (standfirst, dek, "perex"): a paragraph of prose between headline and body.

Many layouts set the lead apart from the body: a ``<div>`` or ``<h2>`` of its own between the
``<h1>`` and the first body paragraph, styled larger. Extractors that score paragraphs drop it
(it is not a ``<p>`` and has no paragraph siblings), yet it is the story's first statement. It is
found by position and shape only, never by its class or wording: the last block before the
body's first line and after the headline above it that reads as prose (at least
:data:`MIN_WORDS` words, a sentence end, not link text, not a caption, not outside story prose).
"""

from __future__ import annotations

from lxml import html as lxml_html

from crawler.extract.blocks import LINK_DENSE, BlockIndex, norm, text_of
from crawler.extract.prose import outside_prose
from crawler.extract.sentences import sentence_ends

#: Shorter blocks between headline and body are bylines, datelines, labels and captions.
MIN_WORDS = 20
#: Longer blocks are not a lead but a body part the extractor chose to leave out.
MAX_WORDS = 120
_HEADINGS = frozenset({"h1"})
_CAPTIONS = frozenset({"figure", "figcaption", "a"})


def _reads_as_lead(el: lxml_html.HtmlElement, index: BlockIndex, text: str) -> bool:
    words = len(text.split())
    if not MIN_WORDS <= words <= MAX_WORDS or not sentence_ends(text):
        return False
    if el.tag in _CAPTIONS or any(a.tag in _CAPTIONS for a in el.iterancestors()):
        return False
    density = index.density(text)
    return (density is None or density < LINK_DENSE) and not outside_prose(el)


def lead_line(tree: lxml_html.HtmlElement, lines: list[str], index: BlockIndex) -> str | None:
    """The lead to put before ``lines`` (the body so far), or None when the page shows none.

    Only a block after an ``<h1>`` counts: without a headline above, a block before the body
    is as likely a teaser of another story.
    """
    first = next((index.blocks.get(n) for n in map(norm, lines[:3]) if n in index.blocks), None)
    if first is None:
        return None
    seen = {norm(line) for line in lines}
    candidate: str | None = None
    after_headline = False
    for el in tree.iter():
        if el is first:
            break
        if el.tag in _HEADINGS:
            after_headline, candidate = True, None
            continue
        if not after_headline or not isinstance(el.tag, str):
            continue
        key = norm(text_of(el))
        if index.blocks.get(key) is not el or key in seen:
            continue
        text = " ".join(text_of(el).split())
        if _reads_as_lead(el, index, text):
            candidate = text
    return candidate
