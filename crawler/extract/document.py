"""Bytes or text in, one parsed HTML tree out: charset detection happens here and only here.

Charset order: byte-order mark, HTTP ``Content-Type`` charset, ``<meta charset>`` (as browsers
and Scrapy read them, via ``w3lib.encoding``); a page that declares none is UTF-8 if it decodes
as such, else windows-1252, the browsers' fallback (Scrapy would guess by statistics, which on a
mostly-ASCII page with a few accented letters picks Baltic or DOS code pages). A crawl hands the
worker the page's bytes, so a page is decoded once, in the worker, by this one decoder, and
``tidings extract`` reads a file as the crawl reads the same page.

The page is parsed once: the same tree serves metadata, trafilatura (which works on its own
copy) and the body repairs, whenever trafilatura's own loader would have built the very same
tree from the text (:func:`reusable_by_trafilatura`).
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html
from w3lib.encoding import html_to_unicode

from crawler.extract.errors import NotAnArticle

_PARSER = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
# lxml.html's default element class lookup is a Python callback run for every element proxy
# lxml creates (hundreds of thousands per page across trafilatura's passes); this C-level one
# gives the same HtmlElement API. Only <form>/<input>/... lose their form-specific helpers,
# which nothing here or in trafilatura uses.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement,
        comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction,
        entity=lxml_html.HtmlEntity,
    )
)
#: What trafilatura's loader strips before parsing (trafilatura.utils.INVALID_XML_CHARS); our
#: parser turns them into U+FFFD instead, so a page holding any gets trafilatura its own parse.
_INVALID_XML_CHARS = tuple(
    [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))] + ["\ufffe", "\uffff"]
)
#: lxml.html.fromstring returns the whole document only for text that starts like one.
_FULL_HTML = re.compile(r"^\s*<(?:html|!doctype)", re.IGNORECASE)


def decode_html(html: str | bytes, content_type: str | None = None) -> str:
    """Text of a page; ``content_type`` is the HTTP header value (``text/html; charset=...``)."""
    if isinstance(html, str):
        return html
    header = content_type
    if header and "charset" not in header.lower() and "/" not in header:
        header = f"text/html; charset={header}"  # a bare charset name
    _encoding, text = html_to_unicode(header, html, auto_detect_fun=_undeclared_encoding)
    return text


def _undeclared_encoding(body: bytes) -> str:
    """The charset of a page that declares none: UTF-8 if it is valid UTF-8, else windows-1252."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


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


def new_element(tag: str) -> lxml_html.HtmlElement:
    """A new root element made by the page parser, so elements put under it keep its C-level
    class lookup (``lxml.html.Element`` would give them lxml.html's Python callback, run for
    every element proxy trafilatura creates when it reads a document built this way)."""
    return _PARSER.makeelement(tag)


def reusable_by_trafilatura(text: str) -> bool:
    """Whether trafilatura, given ``text``, would parse it into the tree :func:`parse_html` built.

    Its loader (``trafilatura.utils.load_html``) strips XML-invalid control characters, mends a
    self-closing ``<html/>`` and, via ``lxml.html.fromstring``, returns a fragment rather than
    the document for text that does not start with ``<html`` or a doctype. Pages that need
    none of that (nearly all) parse to the same tree, so trafilatura can take ours.
    """
    if not _FULL_HTML.match(text):
        return False
    if any(char in text for char in _INVALID_XML_CHARS):
        return False
    for line in text[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return False
    return True
