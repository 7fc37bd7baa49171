"""Refuse binary response bodies before anything reads them as a page.

Servers label images, archives and PDFs ``text/html``; decoded as text they turn into
replacement characters and control codes that no record should hold. (A page's text is
decoded in one place, :func:`crawler.extract.document.decode_html`.)
"""

from __future__ import annotations

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

