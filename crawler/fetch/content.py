"""Turn a response body into page text safely: refuse binary, decode undeclared charsets.

Servers label images, archives and PDFs ``text/html``; decoded as text they turn into
replacement characters and control codes that no record should hold.
"""

from __future__ import annotations

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

SAMPLE_BYTES = 4096
#: Share of control bytes (other than tab, newline, form feed, return) above which it is binary.
MAX_CONTROL_SHARE = 0.05
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CONTROL_BYTES = bytes([*range(9), *range(14, 32), 127])


def looks_binary(body: bytes) -> bool:
    """True if the start of ``body`` holds NUL bytes or many control bytes."""
    head = body[:SAMPLE_BYTES]
    if not head or head.startswith(_UTF16_BOMS):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # counted in C
    return controls / len(head) > MAX_CONTROL_SHARE


def page_text(body: bytes, content_type: str, scrapy_text: str) -> str:
    """The page as text: as declared (header, BOM or ``<meta>``), else UTF-8, else cp1252.

    Scrapy guesses undeclared charsets by statistics, which on a mostly-ASCII page with a few
    accented letters picks Baltic or DOS code pages; browsers fall back to windows-1252.
    """
    if (
        http_content_type_encoding(content_type)
        or read_bom(body)[0]
        or html_body_declared_encoding(body)
    ):
        return scrapy_text
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")
