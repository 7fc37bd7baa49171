"""Which part of a page trafilatura reads: the one ``<article>`` that holds the page's prose.

trafilatura copies and prunes the whole tree several times (about 6 ms on a 100 KB page), and on
most news pages the menus, widgets and reader comments around the story are most of that tree.
When a page has exactly one ``<article>`` and it holds nearly all the paragraph text outside
comment threads, asides, navigation and footers, trafilatura is handed a small document made of
a copy of that article instead. Every other rule still sees the whole page (metadata,
same-role continuations, edge trimming), and the recall-mode retry reads the whole page.
"""

from __future__ import annotations

from copy import deepcopy

from lxml import etree
from lxml import html as lxml_html

from crawler.extract.blocks import text_of

#: The article must hold at least this share of the page's prose words.
PROSE_SHARE = 0.9
_OUTSIDE_PROSE = (
    "ancestor::*[self::aside or self::nav or self::footer"
    " or contains(@class, 'comment') or contains(@id, 'comment')]"
)
_PAGE_PROSE = etree.XPath(f"//p[not({_OUTSIDE_PROSE})]")
_ARTICLE_PROSE = etree.XPath(f".//p[not({_OUTSIDE_PROSE})]")


def _words(paragraphs: list[lxml_html.HtmlElement]) -> int:
    return sum(len(text_of(p).split()) for p in paragraphs)


def article_focus(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """A document of the page's one prose-holding ``<article>``, else ``tree`` itself."""
    articles = tree.findall(".//article")
    if len(articles) != 1:
        return tree
    total = _words(_PAGE_PROSE(tree))
    if not total or _words(_ARTICLE_PROSE(articles[0])) < PROSE_SHARE * total:
        return tree
    root = lxml_html.Element("html")
    body = etree.SubElement(root, "body")
    article = deepcopy(articles[0])
    article.tail = None
    body.append(article)
    return root
