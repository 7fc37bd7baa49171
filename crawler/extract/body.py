"""Article body text: trafilatura finds the main text, then markup signals repair its edges.

trafilatura in precision mode (comments out, tables in) is the base: boilerplate leaking into the
body hurts search and near-duplicate detection more than a lost closing sentence. It fails in a
few general ways, each repaired here by one structural rule that knows no site:

* layouts that split the article into several same-class containers lose all but the first
  (:func:`crawler.extract.blocks.continuation_paragraphs` brings the rest back);
* headline, "Related:" links, share bars and newsletter prompts cling to the edges
  (:func:`drop_boilerplate`, by link density in the page and call-to-action wording);
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

from crawler.extract.blocks import BlockIndex, continuation_paragraphs, norm
from crawler.extract.document import reusable_by_trafilatura
from crawler.extract.focus import story_focus

#: Han, kana and hangul are written without spaces: each character counts as a word there.
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_WORD = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+")
_BLANKS = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\u00a0]+")
_TOKEN = re.compile(r"\w+")
_TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+|\s*[|»]\s*")

#: Wording of prompts that surround articles everywhere (newsletter, follow, share).
CALL_TO_ACTION = re.compile(
    r"\b(?:sign\s+up\b|subscribe\s+(?:to|for|now|today)\b|newsletters?\b"
    r"|follow\s+(?:\S+\s+){0,6}?on\s+(?:twitter|facebook|instagram|linkedin)\b"
    r"|share\s+(?:this|it)\b|like\s+this\s+(?:story|article)\b)",
    re.IGNORECASE,
)
#: A label that introduces links to other pages rather than text of this one.
RELATED_LABEL = re.compile(
    r"^\W*(?:related(?:\s+(?:articles?|stories|content|links?))?|read\s+(?:more|also|next)"
    r"|see\s+also|also\s+(?:on|read)|more\s+(?:from|on)|recommended|you\s+may\s+also\s+like)\b",
    re.IGNORECASE,
)
#: A line at the body's edge with at least this share of link text is a link, not prose.
LINK_DENSE = 0.5
#: Edge lines longer than this are prose even when they match a boilerplate pattern.
EDGE_MAX_WORDS = 50
#: Never trim more than this share of the body's words: a rule misfiring must not gut it.
MAX_TRIM_SHARE = 0.4


def word_count(text: str) -> int:
    """Words as the record counts them: space-separated tokens, CJK characters one each."""
    return len(_WORD.findall(text))


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
    page: str | lxml_html.HtmlElement, url: str | None, favor_recall: bool = False
) -> str:
    """Main text by trafilatura ('' when it finds none); comments excluded, tables kept.

    ``page`` is the page text or its parsed tree (trafilatura works on a copy of a tree, so
    the caller's stays intact). Precision mode by default; recall mode is the second try for
    pages where precision finds too little. Tables stay in: in news they hold data the story
    cites (results, prices). ``fast``: no second opinion from readability and jusText, whose
    comparison cost a third of the extraction time and changed one page of 90 on the
    benchmark (the rules below repair the same edges; docs/benchmarks.md).
    """
    text = trafilatura.extract(
        page,
        url=url,
        fast=True,
        favor_precision=not favor_recall,
        favor_recall=favor_recall,
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


def _is_edge_boilerplate(line: str, index: BlockIndex) -> bool:
    """A line that frames the article rather than tells it: a link, a label, a prompt."""
    words = len(line.split())
    if words > EDGE_MAX_WORDS:
        return False
    density = index.density(line)
    if density is not None and density >= LINK_DENSE and words <= 30:
        return True
    return bool(CALL_TO_ACTION.search(line) or RELATED_LABEL.match(line))


def drop_boilerplate(lines: list[str], index: BlockIndex, titles: Iterable[str] = ()) -> list[str]:
    """Remove headline, link lists and prompts from the edges, and "Related:" links anywhere.

    Inside the body only lines that are both labelled as pointers elsewhere ("Related:",
    "Read more:") and made of link text go, with the link list that follows such a label.
    At either edge, lines go while they are link text, prompts or labels; at the top also
    the headline. Trimming stops before it would take more than ``MAX_TRIM_SHARE`` of the words.
    """
    titles = set(titles)
    kept: list[str] = []
    in_list = False
    for line in lines:
        density = index.density(line)
        linky = density is not None and density >= LINK_DENSE
        if RELATED_LABEL.match(line) and (linky or (density or 0.0) >= 0.3):
            in_list = True
            continue
        if in_list and line.startswith("- ") and linky:
            continue
        in_list = False
        kept.append(line)
    total = sum(len(line.split()) for line in kept)
    budget = MAX_TRIM_SHARE * total
    start, end = 0, len(kept)
    while start < end and budget > 0:
        line = kept[start]
        if norm(line).casefold() in titles or _is_edge_boilerplate(line, index):
            budget -= len(line.split())
            start += 1
        else:
            break
    while end > start and budget > 0:
        line = kept[end - 1]
        if _is_edge_boilerplate(line, index):
            budget -= len(line.split())
            end -= 1
        else:
            break
    if budget < 0:
        return kept  # the rules wanted too much: trust the extractor instead
    return kept[start:end]


def extract_body(
    html_text: str,
    tree: lxml_html.HtmlElement,
    url: str | None,
    jsonld_body: str | None,
    min_words: int,
) -> str:
    """The body: trafilatura's text, completed from split containers, trimmed at the edges.

    Falls back to recall mode on the whole page, then to JSON-LD or ``<article>`` paragraphs,
    when too short. trafilatura gets ``tree`` rather than parsing ``html_text`` again when its
    own parse would give the same tree, and first only the story's container
    (:mod:`crawler.extract.focus`).
    """
    reusable = reusable_by_trafilatura(html_text)
    page: str | lxml_html.HtmlElement = tree if reusable else html_text
    body = trafilatura_body(story_focus(tree) if reusable else html_text, url)
    if word_count(body) < min_words:
        body = max([body, trafilatura_body(page, url, favor_recall=True)], key=word_count)
    ld = tidy(strip_markup(jsonld_body or ""))
    index = BlockIndex.build(tree)
    lines = body.splitlines()
    before, after = continuation_paragraphs(tree, lines, index)
    lines = agree_with_jsonld([*before, *lines, *after], ld)
    body = "\n".join(drop_boilerplate(lines, index, headlines(tree)))
    if word_count(body) >= min_words:
        return body
    return max([body, ld, article_paragraphs(tree)], key=word_count)
