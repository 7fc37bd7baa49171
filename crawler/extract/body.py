"""Article body text: trafilatura finds the main text, then markup signals repair its edges.

trafilatura in balanced mode (comments out, tables in) is the base. It fails in a few general
ways, each repaired here by one structural rule that knows no site and no language:

* on some pages the first pass reads a menu: when most of its words are menu lines, nothing
  but a link (:func:`link_share`), only its lines that are not link text are kept;
* on some pages the first pass keeps only a fragment: a first pass far shorter than the page's
  story prose gets trafilatura's full, balanced second opinion, which wins only when it is many
  times longer (:func:`referee`);
* what lies between two of the story's kept blocks and was left out (a paragraph written as
  bare text, a ``</div>``'s tail; subheadings and lists when trafilatura read loose paragraphs
  only) is put back (:mod:`crawler.extract.loose`);
* galleries, slideshows and dialogs embedded in the story's container come along with it, and
  lists of other stories' teaser cards, forms, reader discussions and author bios beside a
  short one (:mod:`crawler.extract.widgets` drops lines the page shows only inside them);
* the headline and link lines cling to the edges (:func:`drop_boilerplate`, by the page's
  headlines and link density);
* when the page states its own body in JSON-LD ``articleBody``, that settles disputes
  (:func:`agree_with_jsonld`).
Each rule's effect on the benchmark is logged in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import trafilatura
from lxml import html as lxml_html

from crawler.extract.blocks import LINK_DENSE, BlockIndex, norm
from crawler.extract.captions import with_captions
from crawler.extract.container_text import container_text
from crawler.extract.document import reusable_by_trafilatura
from crawler.extract.focus import prose_words, story_focus
from crawler.extract.loose import loose_prose
from crawler.extract.names import PageNames
from crawler.extract.prose import story_paragraphs
from crawler.extract.widgets import (
    MAX_CARD_SHARE,
    PageText,
    card_texts,
    drop_widget_lines,
    furniture_texts,
    widget_texts,
)
from crawler.extract.words import word_count

_BLANKS = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\u00a0]+")
_TOKEN = re.compile(r"\w+")
_TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+|\s*[|»]\s*")

#: Edge lines longer than this are prose even when most of their text is linked.
EDGE_LINK_WORDS = 30
#: A first pass with less than this share of the page's story-prose words may have lost its way.
#: (Asking at 0.35 gained ~0.001 on WCXB, within noise, for a second pass on 2 of extraction-dev's
#: 90 pages: ~12% more CPU a page, which the whole record's 80 pages/s cannot spare.)
SHORT_SHARE = 0.2
#: On a page with less story prose than :data:`SMALL_PAGE_PROSE` words the second opinion is
#: asked earlier, under this share: there it costs little (trafilatura's time grows with the
#: page), and first passes of 20-35% were fragments there too (wcxb-4715, 4184, 0781; the one
#: extraction-dev page in that band, the 394 CPU-ms that sent :data:`SHORT_SHARE` back to 0.2,
#: has 1,815 prose words: docs/benchmarks.md, Extraction, sixth pass).
SHORT_SHARE_SMALL = 0.35
SMALL_PAGE_PROSE = 1000
#: A second opinion this many times longer than the first pass found a story the first pass only
#: touched; a second opinion 2-4 times longer is, as often as not, the story plus the page's other
#: posts or teasers, prose as good as the story's (docs/benchmarks.md, Extraction).
SECOND_WINS = 5
#: Never trim more than this share of the body's words: a rule misfiring must not gut it.
MAX_TRIM_SHARE = 0.4
#: A balanced first pass with more than this share of its words in menu lines read a menu
#: (0.5 when every link-dense line counted; lines of nothing but a link are fewer, and menus
#: with 40-50% of them were kept whole: docs/benchmarks.md, Extraction).
MOSTLY_LINKS = 0.4
#: A line with this share of its text in links is a menu entry, nothing but a pointer; a list
#: of the story's own (deals, a week's headlines with a word of comment) links less of it.
MENU_LINK = 0.9


def tidy(text: str) -> str:
    """One paragraph per line, single spaces, no empty lines."""
    lines = (_SPACES.sub(" ", line).strip() for line in _BLANKS.sub("\n", text).splitlines())
    return "\n".join(line for line in lines if line)


def strip_markup(text: str) -> str:
    """Plain text of a value that may hold HTML (JSON-LD ``articleBody`` sometimes does)."""
    if "<" not in text:
        return html.unescape(text)
    try:
        root = lxml_html.fragment_fromstring(text, create_parent="div")
    except (ValueError, lxml_html.etree.ParserError):
        return text
    for block in root.iter("p", "br", "div", "li", "h2", "h3"):
        block.tail = "\n" + (block.tail or "")
    return root.text_content()


def trafilatura_body(
    page: str | lxml_html.HtmlElement,
    url: str | None,
    second_opinion: bool = False,
) -> str:
    """Main text by trafilatura ('' when it finds none); comments excluded, tables kept.

    ``page`` is the page text or its parsed tree (trafilatura works on a copy of a tree, so
    the caller's stays intact). First pass: balanced mode, ``fast`` (no comparison with
    readability and jusText, which costs a third of the time). ``second_opinion``: balanced
    mode with that comparison, for pages where the first pass found too little (see
    :func:`extract_body`). Precision mode was the first pass until issue 16: it kept less
    than balanced mode on pages of every set but the one it was chosen on (docs/benchmarks.md).
    Tables stay in: in news they hold data the story cites.
    """
    text = trafilatura.extract(
        page,
        url=url,
        fast=not second_opinion,
        favor_precision=False,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        with_metadata=False,
        deduplicate=False,
    )
    return tidy(text or "")


def article_paragraphs(tree: lxml_html.HtmlElement) -> str:
    """Text of the ``<p>`` elements inside the page's largest ``<article>`` ('' if none)."""
    best = ""
    for article in tree.iterfind(".//article"):
        paragraphs = (p.text_content() for p in article.iterfind(".//p"))
        text = tidy("\n".join(paragraphs))
        if word_count(text) > word_count(best):
            best = text
    return best


def headlines(tree: lxml_html.HtmlElement) -> set[str]:
    """Normalised, case-folded headline variants: ``<h1>``s, ``og:title``, ``<title>`` parts."""
    found = ["".join(h.itertext()) for h in tree.iter("h1")]
    found += [m.get("content") or "" for m in tree.iterfind(".//meta[@property='og:title']")]
    title = tree.findtext(".//title") or ""
    found += [title, *_TITLE_SEPARATORS.split(title)]
    return {n for n in (norm(t).casefold() for t in found) if n}


def _shingles(tokens: list[str], n: int = 4) -> set[tuple[str, ...]]:
    if len(tokens) < n:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def agree_with_jsonld(lines: list[str], jsonld_body: str) -> list[str]:
    """Use the publisher's own ``articleBody`` to settle what the body is, when it is whole.

    A JSON-LD body shorter than half the extraction is a teaser and says nothing. Otherwise:
    if most of what we extracted is in it but we found under half of it, extraction lost its
    way inside the right article, so the JSON-LD text wins; if it covers our text, lines it
    does not contain (captions, link lists, prompts) go.
    """
    ld_tokens = _TOKEN.findall(jsonld_body)
    body_tokens = _TOKEN.findall(" ".join(lines))
    if not ld_tokens or len(ld_tokens) < 0.5 * len(body_tokens):
        return lines
    ld = _shingles(ld_tokens)
    body = _shingles(body_tokens)
    shared = len(ld & body)
    contained = shared / len(body) if body else 1.0
    covered = shared / len(ld)
    if contained < 0.5:
        return lines  # a different text (another item, a transcript): no verdict
    if covered < 0.5:
        return jsonld_body.splitlines()
    kept = []
    for line in lines:
        tokens = _TOKEN.findall(line)
        own = _shingles(tokens)
        if len(tokens) < 4 or len(own & ld) >= 0.5 * len(own):
            kept.append(line)
    return kept


def _is_edge_link(line: str, index: BlockIndex) -> bool:
    """A short line at the body's edge made mostly of link text: a pointer elsewhere."""
    if len(line.split()) > EDGE_LINK_WORDS:
        return False
    density = index.density(line)
    return density is not None and density >= LINK_DENSE


def drop_boilerplate(lines: list[str], index: BlockIndex, titles: Iterable[str] = ()) -> list[str]:
    """Remove the headline and link lines from the body's edges.

    At the top, lines go while they are the headline or short lines of link text; at the
    bottom, while they are link text. Trimming stops before it would take more than
    ``MAX_TRIM_SHARE`` of the words. No wording is consulted: link density and the page's own
    headline mean the same on every site and in every language.
    """
    titles = set(titles)
    kept = list(lines)
    total = sum(len(line.split()) for line in kept)
    budget = MAX_TRIM_SHARE * total
    start, end = 0, len(kept)
    while start < end and budget > 0:
        line = kept[start]
        if norm(line).casefold() in titles or _is_edge_link(line, index):
            budget -= len(line.split())
            start += 1
        else:
            break
    while end > start and budget > 0:
        line = kept[end - 1]
        if _is_edge_link(line, index):
            budget -= len(line.split())
            end -= 1
        else:
            break
    if budget < 0:
        return kept  # the rules wanted too much: trust the extractor instead
    return kept[start:end]


def link_share(lines: list[str], index: BlockIndex, *, upper_bound: bool = False) -> float:
    """Share of the words of ``lines`` in menu lines: blocks (or bare links) that are nothing
    but link text (``MENU_LINK``).

    Only those, not every link-dense line: a story told as a list of linked items (a deals
    post, a weekly round-up) has link-dense lines too, but its items say something beside
    their link; a menu's or a "related" box's entries do not.

    ``upper_bound``: a line that matches no block counts as a menu line, instead of asking
    whether it is one link's text (which collects the text of every link on the page, ~0.75 ms
    on a page of 600 links): a share never under the true one, from the lines' blocks alone.
    """
    total = linked = 0
    for line in lines:
        words = len(line.split())
        total += words
        density = index.density(line)
        if density is None:
            menu = upper_bound or index.is_link(line, MENU_LINK)
        else:
            menu = density >= MENU_LINK
        linked += words if menu else 0
    return linked / total if total else 0.0


def found_too_little(
    body: str,
    tree: lxml_html.HtmlElement,
    min_words: int,
    paragraphs: list[lxml_html.HtmlElement] | None = None,
) -> bool:
    """Whether a first pass may have kept only a fragment: under ``min_words``, or under
    ``SHORT_SHARE`` of the words in the page's story-prose paragraphs
    (:func:`crawler.extract.focus.prose_words`; ``SHORT_SHARE_SMALL`` on a page with less
    than ``SMALL_PAGE_PROSE`` of them, where a second pass is cheap).

    A ratio, not a length: it means the same on a 300-word brief and a 5,000-word guide. Pages
    with no paragraph prose to measure by are not asked about: on WCXB two of them gained from
    a second opinion, but asking costs a second pass on one Dragnet page in five
    (docs/benchmarks.md, Extraction).
    """
    prose = prose_words(tree, paragraphs)
    share = SHORT_SHARE_SMALL if prose < SMALL_PAGE_PROSE else SHORT_SHARE
    return word_count(body) < max(min_words, share * prose)


def referee(first: str, second: str, min_words: int) -> str:
    """The first pass or the second opinion: the second only when the first is too short to be
    an article (then the longer), or when the second is ``SECOND_WINS`` times as long.

    Not "the longer wins": a second opinion a few times longer is as often the story with the
    page's other posts as the whole of a story the first pass cut short, and both read as prose
    (link density, line length and overlap did not tell them apart); a first pass that holds a
    fifth of the second or less is a fragment.
    """
    words, second_words = word_count(first), word_count(second)
    if words < min_words:
        return second if second_words > words else first
    return second if second_words >= SECOND_WINS * words else first


def extract_body(
    html_text: str,
    tree: lxml_html.HtmlElement,
    url: str | None,
    jsonld_body: str | None,
    min_words: int,
    captions: bool = False,
) -> str:
    """The body: trafilatura's text, completed from split containers, trimmed at the edges.

    A first pass that may have found too little (:func:`found_too_little`) gets a second
    opinion on the whole page (:func:`trafilatura_body`), and :func:`referee` picks one; a body
    still too short falls back to JSON-LD or ``<article>``
    paragraphs. trafilatura gets ``tree`` rather than parsing ``html_text`` again when its own
    parse would give the same tree, and first only the story's container
    (:mod:`crawler.extract.focus`). ``captions``: the story's figure captions are put back
    (:mod:`crawler.extract.captions`; a convention some ground truths follow, off by default).
    """
    reusable = reusable_by_trafilatura(html_text)
    page: str | lxml_html.HtmlElement = tree if reusable else html_text
    names = PageNames(tree)  # read once: the prose and widget rules both search them
    paragraphs = story_paragraphs(tree, names)  # found once: the focus and the retry count them
    first = story_focus(tree, paragraphs) if reusable else html_text
    # a focused page's container is read directly when its text is the story's prose
    walked = container_text(first) if first is not page else None
    body = walked if walked is not None else trafilatura_body(first, url)
    index = BlockIndex.build(tree)
    lines = body.splitlines()
    bound = link_share(lines, index, upper_bound=True)  # the page's link texts only if needed
    if bound > MOSTLY_LINKS and link_share(lines, index) > MOSTLY_LINKS:  # read a menu
        body = "\n".join(line for line in lines if not index.is_link(line))
    if found_too_little(body, tree, min_words, paragraphs):
        body = referee(body, trafilatura_body(page, url, second_opinion=True), min_words)
    ld = tidy(strip_markup(jsonld_body or ""))
    lines = agree_with_jsonld(loose_prose(body.splitlines(), index), ld)
    page_text = PageText(tree)  # made once, if a line is inside a widget at all
    lines = drop_widget_lines(lines, widget_texts(tree, index.elements(lines), names), page_text)
    # forms, discussions and bio boxes kept beside a short post
    lines = drop_widget_lines(lines, furniture_texts(index.elements(lines)), page_text)
    cards = card_texts(tree, index.elements(lines))  # other stories' teasers beside a short one
    lines = drop_widget_lines(lines, cards, page_text, MAX_CARD_SHARE)
    lines = drop_boilerplate(lines, index, headlines(tree))
    body = "\n".join(with_captions(lines, index) if captions else lines)
    if word_count(body) >= min_words:
        return body
    return max([body, ld, article_paragraphs(tree)], key=word_count)
