"""Sitemaps → article links with hints; sitemap indexes → more sitemaps.

Reads XML sitemaps (gzipped or not), Google News sitemaps (``news:publication_date`` and
``news:title``) and plain-text sitemaps. The XML parser resolves no entities and fetches
nothing, so a hostile sitemap cannot read files or expand into gigabytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from lxml import etree
from scrapy.utils.gz import gunzip

from crawler.extract.dates import parse_date

#: Largest sitemap we decompress (the sitemap protocol caps files at 50 MB uncompressed).
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


class SitemapError(ValueError):
    """The body is not a readable sitemap."""


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    hints: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SitemapDocument:
    kind: Literal["index", "urlset"]
    entries: list[SitemapEntry]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        recover=True,
        resolve_entities=False,
        no_network=True,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *path: str) -> str | None:
    node: etree._Element | None = element
    for name in path:
        node = next((c for c in node if _local(c.tag) == name), None) if node is not None else None
    text = node.text.strip() if node is not None and node.text else ""
    return text or None


def _entry(element: etree._Element) -> SitemapEntry | None:
    loc = _child_text(element, "loc")
    if not loc:
        return None
    hints: dict[str, Any] = {}
    lastmod = parse_date(_child_text(element, "lastmod"))
    news_date = parse_date(_child_text(element, "news", "publication_date"))
    news_title = _child_text(element, "news", "title")
    if lastmod:
        hints["sitemap_lastmod"] = lastmod
    if news_date:
        hints["sitemap_published"] = news_date
    if news_title:
        hints["sitemap_title"] = news_title
    return SitemapEntry(loc, hints)


def _plain_text(body: bytes) -> SitemapDocument | None:
    lines = [ln.strip() for ln in body.decode("utf-8", "replace").splitlines() if ln.strip()]
    if lines and all(ln.startswith(("http://", "https://")) for ln in lines):
        return SitemapDocument("urlset", [SitemapEntry(ln) for ln in lines])
    return None


def parse_sitemap(body: bytes, max_size: int = MAX_SITEMAP_BYTES) -> SitemapDocument:
    """Entries of a sitemap or sitemap index; raises :class:`SitemapError` if unreadable."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=max_size)
        except (OSError, ValueError) as exc:
            raise SitemapError(f"bad gzip data: {exc}") from None
    if not body.strip():
        raise SitemapError("empty sitemap")
    if not body.lstrip().startswith(b"<"):
        found = _plain_text(body)
        if found is None:
            raise SitemapError("neither XML nor a list of URLs")
        return found
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"invalid XML: {exc}") from None
    if root is None:
        raise SitemapError("invalid XML")
    kind = _local(root.tag)
    if kind == "sitemapindex":
        entries = [e for e in (_entry(c) for c in root if _local(c.tag) == "sitemap") if e]
        return SitemapDocument("index", entries)
    if kind == "urlset":
        entries = [e for e in (_entry(c) for c in root if _local(c.tag) == "url") if e]
        return SitemapDocument("urlset", entries)
    raise SitemapError(f"root element <{kind}> is neither <urlset> nor <sitemapindex>")
