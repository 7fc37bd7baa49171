"""Article body text: trafilatura does the work; markup fallbacks catch what it misses.

``favor_precision`` scored best of trafilatura's modes on the extraction benchmark here (F1 0.970
vs 0.967 default, 0.966 recall-favouring): boilerplate leaking into the body hurts search and
near-duplicate detection more than a lost closing sentence.
"""

from __future__ import annotations

import re

import trafilatura
from lxml import html as lxml_html

#: Han, kana and hangul are written without spaces: each character counts as a word there.
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_WORD = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+")
_BLANKS = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\u00a0]+")


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
        return text
    try:
        root = lxml_html.fragment_fromstring(text, create_parent="div")
    except (ValueError, lxml_html.etree.ParserError):
        return text
    for block in root.iter("p", "br", "div", "li", "h2", "h3"):
        block.tail = "\n" + (block.tail or "")
    return root.text_content()


def trafilatura_body(html_text: str, url: str | None) -> str:
    """Main text by trafilatura ('' when it finds none); comments and tables excluded."""
    text = trafilatura.extract(
        html_text,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
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


def extract_body(
    html_text: str,
    tree: lxml_html.HtmlElement,
    url: str | None,
    jsonld_body: str | None,
    min_words: int,
) -> str:
    """The body: trafilatura's, unless it is short and a fallback has more words."""
    body = trafilatura_body(html_text, url)
    if word_count(body) >= min_words:
        return body
    fallbacks = [tidy(strip_markup(jsonld_body or "")), article_paragraphs(tree)]
    return max([body, *fallbacks], key=word_count)
