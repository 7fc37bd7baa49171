"""Highlight fragments as HTML that is safe to insert into a page.

The index returns highlights as HTML fragments (matched terms wrapped in ``<b>``) and escapes
the article text around them. We do not rely on that alone: every fragment is re-built here so
that only the highlight tag ``<b>`` survives and all other text is escaped exactly once. A
crawled title like ``<img src=x onerror=...>`` therefore always ends up as text, whichever
backend produced it.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup, escape

#: Highlight tags the index may use, mapped to the one we emit (``<b>``, as the index does).
_ALLOWED = {
    "<b>": "<b>",
    "</b>": "</b>",
    "<em>": "<b>",
    "</em>": "</b>",
    "<mark>": "<b>",
    "</mark>": "</b>",
}
_TAG_RE = re.compile(r"(</?(?:b|em|mark)>)", re.IGNORECASE)
_MARKED_RE = re.compile(r"<b>(.*?)</b>", re.DOTALL)
_B_TAGS = re.compile(r"</?b>")
#: Characters that escaping or unescaping would change.
_SPECIAL = re.compile(r"[&<>\"']")
#: Text with no raw markup characters, the references escapers write, and bare <b> tags.
_ALREADY_SAFE = re.compile(r"(?:[^<>&\"']+|&(?:amp|lt|gt|quot|#34|#39|#x27);|</?b>)*")


def _balanced(fragment: str) -> bool:
    """``<b>`` and ``</b>`` alternate, starting with ``<b>`` and ending closed."""
    depth = 0
    for tag in _B_TAGS.findall(fragment):
        depth += 1 if tag == "<b>" else -1
        if depth not in (0, 1):
            return False
    return depth == 0


def safe_fragment(fragment: str) -> str:
    """One highlight fragment as HTML in which only ``<b>`` tags are markup.

    Text between highlight tags is unescaped and escaped again, so input that was already
    escaped by the index is not double-escaped and input that was not is escaped now. A
    fragment that is already in that form (only ``<b>``/``</b>``, alternating, and only the
    character references an escaper writes) is returned as it is, checked by one regex.
    """
    if _ALREADY_SAFE.fullmatch(fragment) and _balanced(fragment):
        return fragment
    out: list[str] = []
    depth = 0
    for part in _TAG_RE.split(fragment):
        tag = _ALLOWED.get(part.lower())
        if tag is None:
            # most parts are plain words: nothing to unescape or escape (checked in C)
            out.append(str(escape(html.unescape(part))) if _SPECIAL.search(part) else part)
        elif tag == "<b>" and depth == 0:
            depth = 1
            out.append(tag)
        elif tag == "</b>" and depth == 1:
            depth = 0
            out.append(tag)
    if depth:
        out.append("</b>")
    return "".join(out)


def marked_terms(fragments: list[str]) -> set[str]:
    """The words the index marked as matches in ``fragments`` (lower-cased)."""
    out: set[str] = set()
    for fragment in fragments:
        for term in _MARKED_RE.findall(safe_fragment(fragment)):
            term = html.unescape(term).strip().lower()
            if term:
                out.add(term)
    return out


def mark_terms(text: str, terms: set[str]) -> str:
    """``text`` escaped, with whole-word occurrences of ``terms`` wrapped in ``<b>``.

    Used for titles: the index's snippet of a title may be cut at a word boundary, but a title
    should always be shown whole, so its matched words are marked in the full text instead.
    """
    if not terms:
        return str(escape(text))
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    out, pos = [], 0
    for match in pattern.finditer(text):
        out.append(str(escape(text[pos : match.start()])))
        out.append(f"<b>{escape(match.group(0))}</b>")
        pos = match.end()
    out.append(str(escape(text[pos:])))
    return "".join(out)


def safe_highlights(
    highlights: dict[str, list[str]] | None, title: str | None = None
) -> dict[str, list[str]]:
    """All fields' fragments through :func:`safe_fragment` (title and body always present).

    With ``title`` given, the title highlight is the whole title with the matched words marked.
    """
    highlights = highlights or {}
    result: dict[str, list[str]] = {"title": [], "body": []}
    for name, fragments in highlights.items():
        result[name] = [safe_fragment(f) for f in fragments or [] if f]
    if title and result["title"]:
        terms = marked_terms(result["title"])
        result["title"] = [mark_terms(title, terms)] if terms else []
    return result


def trusted(fragment: str) -> Markup:
    """A highlight fragment as Jinja markup, re-sanitised by :func:`safe_fragment` first.

    Idempotent on output of :func:`safe_fragment` and :func:`mark_terms`, so fragments that
    went through :func:`safe_highlights` can be passed again without double escaping.
    """
    return Markup(safe_fragment(fragment))  # noqa: S704 - sanitised just above


def safe_url(url: object) -> str:
    """``url`` if it is http(s), else ``#``: a crawled ``javascript:`` link must never run."""
    if isinstance(url, str) and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return "#"
