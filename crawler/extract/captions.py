"""Figure captions of the story, put back where they stand: an explicit option, off by default.

trafilatura drops ``<figure>`` elements whole (``MANUALLY_CLEANED``) and renders an image, with
``include_images``, as its ``alt`` text, never its ``<figcaption>``; our container walk drops
figures too. Whether a caption is body text is a convention, not a fact: Readability's ground
truth (readability.js's output) keeps the captions of the story's figures, WCXB's rarely and
extraction-dev's never do (``../shared/data/extraction-dev2/README.md``). So captions are an
option of the record (``extract_article(..., captions=True)``, ``tidings extract --captions``)
and of the bench (``--with-captions``), measured per source in docs/benchmarks.md (Extraction,
ninth pass).

A caption is the story's when it sits inside the story's container: the deepest element that
holds nearly all (:data:`CONTAINER_SHARE`) of the body's lines. A caption in a sidebar, a teaser or
a gallery (:func:`crawler.extract.widgets.names_widget`) is not kept; one whose text the body
already holds is not repeated. Each goes in front of the first body line that follows it in the
page, so a lead photo's caption comes before the first paragraph, as readers see it.
"""

from __future__ import annotations

from collections import Counter

from lxml import html as lxml_html

from crawler.extract.blocks import BlockIndex, norm, text_of
from crawler.extract.widgets import names_widget

#: The story's container holds at least this share of the body lines found in the page.
CONTAINER_SHARE = 0.8


def story_container(elements: list[lxml_html.HtmlElement]) -> lxml_html.HtmlElement | None:
    """The deepest element holding :data:`CONTAINER_SHARE` of ``elements`` (None when there are
    none): one stray line from elsewhere in the page does not widen it to ``<body>``."""
    held: Counter[lxml_html.HtmlElement] = Counter()
    depth: dict[lxml_html.HtmlElement, int] = {}
    for el in elements:
        ancestors = list(el.iterancestors())
        for level, ancestor in enumerate(reversed(ancestors)):
            held[ancestor] += 1
            depth[ancestor] = level
    enough = [el for el, count in held.items() if count >= CONTAINER_SHARE * len(elements)]
    return max(enough, key=depth.__getitem__, default=None)


def _in_widget(el: lxml_html.HtmlElement, container: lxml_html.HtmlElement) -> bool:
    """Whether a widget (a gallery, slideshow, dialog) inside the container holds ``el``."""
    for ancestor in el.iterancestors():
        if ancestor is container:
            return False
        if names_widget(ancestor):
            return True
    return False


def with_captions(lines: list[str], index: BlockIndex) -> list[str]:
    """``lines`` with the ``<figcaption>`` texts of the story's container, each before the
    first line that follows it in the page (after the last line when none does)."""
    found = [(line, index.element(line)) for line in lines]
    container = story_container([el for _, el in found if el is not None])
    if container is None or next(container.iter("figcaption"), None) is None:
        return lines
    order = {el: position for position, el in enumerate(container.iter())}
    have = {norm(line) for line in lines}
    captions = []
    for caption in container.iter("figcaption"):
        text = " ".join(text_of(caption).split())
        if text and norm(text) not in have and not _in_widget(caption, container):
            have.add(norm(text))
            captions.append((order[caption], text))
    if not captions:
        return lines
    out: list[str] = []
    waiting = iter(captions)
    pending = next(waiting, None)
    for line, el in found:
        position = order.get(el) if el is not None else None
        while pending is not None and position is not None and pending[0] < position:
            out.append(pending[1])
            pending = next(waiting, None)
        out.append(line)
    while pending is not None:
        out.append(pending[1])
        pending = next(waiting, None)
    return out
