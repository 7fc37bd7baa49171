"""Links on a home or section page, and what a link's URL alone says about its target.

URL shape is only a first sort: ``skip`` (files, accounts, sharing, feeds) is never fetched;
``article`` and ``unsure`` are fetched and judged by their content; ``section`` (the site root,
``/tag/...``, ``/page/2``, a lone word like ``/technology``) is fetched only while there is
depth left to follow its links. Nothing that may be an article is dropped on its URL.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html

from crawler.extract.dates import date_from_url

UrlShape = Literal["skip", "article", "section", "unsure"]

#: Most links taken from one page (a mega-menu or an archive can hold thousands).
MAX_LINKS_PER_PAGE = 500
_FILE_EXT = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|bmp|tiff?|avif|css|js|mjs|json|xml|rss|atom|pdf|zip|gz|"
    r"tgz|rar|7z|mp[34]|m4a|wav|ogg|webm|mov|avi|woff2?|ttf|eot|exe|dmg|apk|docx?|xlsx?|pptx?)$",
    re.IGNORECASE,
)
#: Path segments that lead to accounts, searches, sharing or feeds, never to an article.
_SKIP_SEGMENTS = frozenset(
    {
        "login", "logout", "signin", "sign-in", "signup", "sign-up", "register", "account",
        "subscribe", "subscription", "newsletter", "newsletters", "search", "share", "print",
        "feed", "feeds", "rss", "wp-admin", "wp-login.php", "wp-json", "cdn-cgi", "cart",
        "checkout", "privacy", "privacy-policy", "terms", "cookies", "cookie-policy", "contact",
        "advertise", "careers", "jobs", "amp-iframe",
    }
)  # fmt: skip
#: Path segments of listing pages (their links lead to articles).
_SECTION_SEGMENTS = frozenset(
    {
        "tag", "tags", "topic", "topics", "category", "categories", "section", "sections",
        "author", "authors", "page", "archive", "archives", "series", "hub", "latest", "index",
    }
)  # fmt: skip
_SLUG_WORD = re.compile(r"[a-z0-9]+", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"\d{5,}")
_PAGE_EXT = re.compile(r"\.(?:s?html?|php|aspx?|jsp|cms)$", re.IGNORECASE)
_INDEX_NAME = re.compile(r"^(?:index|default|home|main)$", re.IGNORECASE)


def page_links(tree: lxml_html.HtmlElement, page_url: str) -> list[str]:
    """Absolute http(s) links of a page (``<base href>`` honoured), fragments cut, in order."""
    base_el = tree.find(".//base[@href]")
    base = urljoin(page_url, base_el.get("href", "").strip()) if base_el is not None else page_url
    found: dict[str, None] = {}
    for anchor in tree.iterfind(".//a[@href]"):
        rel = (anchor.get("rel") or "").lower().split()
        if "nofollow" in rel or "sponsored" in rel:
            continue
        url = _absolute(anchor.get("href", ""), base)
        if url and url not in found:
            found[url] = None
            if len(found) >= MAX_LINKS_PER_PAGE:
                break
    return list(found)


def _absolute(href: str, base: str) -> str | None:
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        parts = urlsplit(urljoin(base, href))
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def url_shape(url: str) -> UrlShape:
    """What the URL alone suggests: see the module docstring."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    lowered = [s.lower() for s in segments]
    if _FILE_EXT.search(parts.path) or any(s in _SKIP_SEGMENTS for s in lowered):
        return "skip"
    if "replytocom=" in parts.query or "share=" in parts.query:
        return "skip"
    if not segments:
        return "section"
    last = segments[-1]
    stem = _PAGE_EXT.sub("", last)
    words = _SLUG_WORD.findall(stem)
    if date_from_url(url) and not _INDEX_NAME.match(stem):
        return "article"
    if lowered[-1] in _SECTION_SEGMENTS or (len(lowered) > 1 and lowered[-2] in _SECTION_SEGMENTS):
        return "section"
    if _LONG_NUMBER.search(last) or len(words) >= 4:
        return "article"
    if _INDEX_NAME.match(stem) or (len(segments) == 1 and len(words) <= 2 and stem == last):
        return "section"
    if _PAGE_EXT.search(last) and len(words) >= 2:
        return "article"
    return "unsure"
