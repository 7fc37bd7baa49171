"""OPML (feed-reader subscription lists) → sources: one source per subscribed feed.

Each ``<outline xmlUrl=...>`` becomes a source named after its ``title`` (or ``text``), with
the feed, the site's ``htmlUrl`` as ``home``, and an id made from the name (made unique).
Folders (outlines without ``xmlUrl``) only group feeds; their names are not topics. The XML
parser resolves no entities and fetches nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from tidings.core.sources import (
    CREDENTIALS,
    Source,
    SourcesError,
    has_credentials,
    id_for_url,
    is_http_url,
    source_from_dict,
)

_NOT_ID = re.compile(r"[^a-z0-9]+")
MAX_ID = 48


@dataclass
class OpmlImport:
    """Source tables read from an OPML file, and the outlines that could not be used."""

    sources: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _attr(outline: etree._Element, name: str) -> str | None:
    """An attribute, matched case-insensitively (exports spell ``xmlUrl`` many ways)."""
    low = name.lower()
    for key, value in outline.attrib.items():
        if str(key).lower() == low and str(value).strip():
            return str(value).strip()
    return None


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _NOT_ID.sub("-", ascii_name.lower()).strip("-")[:MAX_ID].strip("-")


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def read_opml(data: bytes, where: str = "<opml>") -> OpmlImport:
    """Source tables of an OPML document; raises :class:`SourcesError` if it is not OPML."""
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, remove_comments=True
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise SourcesError(f"{where}: not valid XML: {exc}") from None
    if root is None or str(root.tag).lower() != "opml":
        raise SourcesError(f"{where}: not an OPML document (no <opml> root)")
    result = OpmlImport()
    taken: set[str] = set()
    for outline in root.iter("outline"):
        feed = _attr(outline, "xmlUrl")
        if feed is None:
            continue
        name = _attr(outline, "title") or _attr(outline, "text") or feed
        if not is_http_url(feed):
            result.skipped.append(f"{name}: feed is not an http(s) URL: {feed}")
            continue
        if has_credentials(feed):
            result.skipped.append(f"{name}: feed {CREDENTIALS}")
            continue
        home = _attr(outline, "htmlUrl")
        base = _slug(name) or id_for_url(home or feed)
        if not base[:1].isalnum():
            base = id_for_url(home or feed)
        raw: dict[str, Any] = {"id": _unique(base, taken), "name": name, "feeds": [feed]}
        if home and is_http_url(home) and not has_credentials(home):
            raw["home"] = home
        language = _attr(outline, "language")
        if language:
            raw["language"] = language
        result.sources.append(raw)
    if not result.sources and not result.skipped:
        raise SourcesError(f"{where}: no feeds (no <outline xmlUrl=...>)")
    return result


def load_opml(path: str | Path) -> list[Source]:
    """The sources of an OPML file, validated as a sources file's would be."""
    path = Path(path)
    imported = read_opml(path.read_bytes(), str(path))
    return [source_from_dict(raw, f"{path}: {raw['name']!r}") for raw in imported.sources]
