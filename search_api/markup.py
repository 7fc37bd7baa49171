"""The one place highlights become HTML, and crawled links become safe hrefs.

The index says what matched (:class:`~tidings.core.index.base.Highlight`: plain text and the
character spans of the matches); here that is rendered once: every piece of the article's
text is escaped, and only the matches are wrapped in ``<b>``. No HTML is taken from the index,
so nothing is unescaped or sanitised: a crawled title like ``<img src=x onerror=...>`` can only
ever come out as text, whichever backend found it.
"""

from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

from tidings.core.index.base import Highlight

#: The fields a hit's ``highlights`` always carries in API responses (empty when unmatched).
HIGHLIGHTED_FIELDS = ("title", "body")
#: What :func:`html.escape` changes; a text without any is its own escape.
_ESCAPED = re.compile("[&<>\"']")


def render(highlight: Highlight) -> str:
    """``highlight`` as HTML: its text escaped, each match wrapped in ``<b>``.

    Spans that are out of order, overlapping or outside the text are skipped, never trusted.
    """
    text = highlight.text
    # most texts have nothing to escape: one scan instead of five replaces per piece
    esc = escape if _ESCAPED.search(text) else str
    out: list[str] = []
    pos = 0
    for start, end in highlight.spans:
        if start < pos or end <= start or end > len(text):
            continue
        out += (esc(text[pos:start]), "<b>", esc(text[start:end]), "</b>")
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def render_highlights(highlights: dict[str, Highlight]) -> dict[str, list[str]]:
    """A hit's highlights as the API returns them: title and body, each [] or [one fragment]."""
    out = {name: [] for name in HIGHLIGHTED_FIELDS} | {name: [] for name in highlights}
    for name, highlight in highlights.items():
        out[name] = [render(highlight)]
    return out


def markup(highlight: Highlight) -> Markup:
    """``highlight`` rendered for a Jinja template (safe: :func:`render` escapes all text)."""
    return Markup(render(highlight))  # noqa: S704 - every piece of text escaped in render()


def safe_url(url: object) -> str:
    """``url`` if it is http(s), else ``#``: a crawled ``javascript:`` link must never run."""
    if isinstance(url, str) and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return "#"
