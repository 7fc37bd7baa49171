"""Bytes or text in, one parsed HTML tree out: charset detection happens here and only here.

Charset order: byte-order mark, HTTP ``Content-Type`` charset, ``<meta charset>``, then a
guess (UTF-8 first), exactly as browsers and Scrapy do, via ``w3lib.encoding``.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html
from w3lib.encoding import html_to_unicode

from crawler.extract.errors import NotAnArticle

_PARSER = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


def decode_html(html: str | bytes, content_type: str | None = None) -> str:
    """Text of a page; ``content_type`` is the HTTP header value (``text/html; charset=...``)."""
    if isinstance(html, str):
        return html
    header = content_type
    if header and "charset" not in header.lower() and "/" not in header:
        header = f"text/html; charset={header}"  # a bare charset name
    _encoding, text = html_to_unicode(header, html)
    return text


def parse_html(text: str) -> lxml_html.HtmlElement:
    """Parse page text into an lxml tree (never raises on bad markup, only on an empty page)."""
    data = text.encode("utf-8", "replace")
    if not data.strip():
        raise NotAnArticle("empty page")
    try:
        tree = lxml_html.document_fromstring(data, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise NotAnArticle(f"unparseable HTML: {exc}") from None
    return tree
