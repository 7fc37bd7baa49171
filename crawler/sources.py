"""The sources file (TOML): which sites to crawl, through which feeds and sitemaps.

Example::

    [[sources]]
    id = "example"                      # required: [a-z0-9][a-z0-9._-]*
    name = "Example News"               # default: id
    home = "https://example.com/"
    feeds = ["https://example.com/feed.rss"]
    sitemaps = ["https://example.com/sitemap.xml"]
    sections = ["https://example.com/tech/"]  # more start pages for follow_links
    allowed_domains = ["example.com"]   # default: hosts of the URLs above; "*" = any host
    follow_links = false                # or a depth: follow links from home and sections
    interval = "30m"                    # seconds or "90s" / "30m" / "2h" / "1d"
    language = "en"
    topics = ["business"]

Validation errors name the file and the source, so a typo is fixed in one go.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.urls import host_of

KNOWN_KEYS = frozenset(
    {"id", "name", "home", "feeds", "sitemaps", "sections", "allowed_domains", "follow_links",
     "depth", "interval", "language", "topics"}
)  # fmt: skip
DEFAULT_INTERVAL = 3600
#: ``allowed_domains = ["*"]``: links to any host are followed from feeds and sitemaps
#: (aggregator feeds such as Hacker News link to other sites).
ANY_DOMAIN = "*"
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_INTERVAL = re.compile(r"^(\d+)\s*([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class SourcesError(ValueError):
    """The sources file (or an ad-hoc URL) is invalid; the message says where and why."""


@dataclass(frozen=True)
class Source:
    """One publisher to crawl."""

    id: str
    name: str
    home: str | None = None
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    follow_depth: int = 0
    interval: int = DEFAULT_INTERVAL
    language: str | None = None
    topics: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()

    @property
    def domain(self) -> str:
        """Main hostname of the source (home's, else the first feed's or sitemap's)."""
        for url in (self.home, *self.feeds, *self.sitemaps, *self.sections):
            if url and host_of(url):
                return host_of(url)
        named = [d for d in self.allowed_domains if d != ANY_DOMAIN]
        return named[0] if named else ""

    @property
    def any_domain(self) -> bool:
        """True if article links may lead to any host (``allowed_domains = ["*"]``)."""
        return ANY_DOMAIN in self.allowed_domains

    @property
    def start_pages(self) -> tuple[str, ...]:
        """Pages whose links are followed (home, then sections), if ``follow_links`` is on."""
        if not self.follow_depth:
            return ()
        return tuple(dict.fromkeys(u for u in (self.home, *self.sections) if u))

    def record_source(self) -> dict[str, str]:
        """The ``source`` field of article records from this source."""
        return {"id": self.id, "name": self.name, "domain": self.domain}

    def allows(self, url: str) -> bool:
        """True if ``url``'s host is one of the allowed domains or a subdomain of one."""
        host = host_of(url)
        if self.any_domain:
            return bool(host)
        return any(host == d or host.endswith(f".{d}") for d in self.allowed_domains)


def is_http_url(value: object) -> bool:
    """True for an absolute http(s) URL with a host (and a valid port, if any)."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def parse_interval(value: object) -> int:
    """Seconds from ``900`` or ``"900s"`` / ``"15m"`` / ``"2h"`` / ``"1d"``; ValueError if not."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int) and value > 0:
        return value
    match = _INTERVAL.match(str(value).strip().lower())
    if not match or int(match[1]) <= 0:
        raise ValueError(value)
    return int(match[1]) * _UNITS[match[2]]


def _strings(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SourcesError(f"{where}: '{key}' must be a list of strings")
    return tuple(v.strip() for v in value)


def _urls(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _strings(raw, key, where)
    for i, url in enumerate(values):
        if not is_http_url(url):
            raise SourcesError(f"{where}: {key}[{i}] is not an http(s) URL: {url!r}")
    return values


def _follow_depth(raw: dict[str, Any], where: str) -> int:
    follow = raw.get("follow_links", False)
    depth = raw.get("depth", 1)
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 0:
        raise SourcesError(f"{where}: 'depth' must be a whole number >= 0")
    if isinstance(follow, bool):
        return depth if follow else 0
    if isinstance(follow, int) and follow >= 0:
        return follow
    raise SourcesError(f"{where}: 'follow_links' must be true, false or a depth")


def source_from_dict(raw: object, where: str) -> Source:
    """Validate one ``[[sources]]`` table; ``where`` prefixes error messages."""
    if not isinstance(raw, dict):
        raise SourcesError(f"{where}: a source must be a table")
    sid = raw.get("id")
    if not isinstance(sid, str) or not _ID.match(sid):
        raise SourcesError(f"{where}: 'id' must match [a-z0-9][a-z0-9._-]* (got {sid!r})")
    where = f"{where} (id {sid!r})"
    unknown = sorted(set(raw) - KNOWN_KEYS)
    if unknown:
        raise SourcesError(f"{where}: unknown key(s): {', '.join(unknown)}")
    name = raw.get("name", sid)
    if not isinstance(name, str) or not name.strip():
        raise SourcesError(f"{where}: 'name' must be a non-empty string")
    home = raw.get("home")
    if home is not None and not is_http_url(home):
        raise SourcesError(f"{where}: 'home' is not an http(s) URL: {home!r}")
    feeds, sitemaps = _urls(raw, "feeds", where), _urls(raw, "sitemaps", where)
    sections = _urls(raw, "sections", where)
    if not (feeds or sitemaps or home):
        raise SourcesError(f"{where}: give at least one of 'feeds', 'sitemaps' or 'home'")
    domains = tuple(d.lower().strip(".") for d in _strings(raw, "allowed_domains", where))
    bad = [d for d in domains if "/" in d or ":" in d or ("*" in d and d != ANY_DOMAIN)]
    if bad:
        raise SourcesError(
            f'{where}: allowed_domains holds hostnames (or "*" alone), not URLs: {bad[0]!r}'
        )
    if not domains:
        hosts = (host_of(u) for u in (home or "", *feeds, *sitemaps, *sections))
        domains = tuple(dict.fromkeys(h.removeprefix("www.") for h in hosts if h))
    follow_depth = _follow_depth(raw, where)
    if follow_depth and not (home or sections):
        raise SourcesError(f"{where}: 'follow_links' needs a 'home' or 'sections' to start from")
    try:
        interval = parse_interval(raw.get("interval", DEFAULT_INTERVAL))
    except ValueError:
        raise SourcesError(f"{where}: 'interval' must be seconds or like '30m', '2h'") from None
    language = raw.get("language")
    if language is not None and not isinstance(language, str):
        raise SourcesError(f"{where}: 'language' must be a string")
    return Source(
        id=sid, name=name.strip(), home=home, feeds=feeds, sitemaps=sitemaps,
        allowed_domains=domains, follow_depth=follow_depth, interval=interval,
        language=language, topics=_strings(raw, "topics", where), sections=sections,
    )  # fmt: skip


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file; raises :class:`SourcesError` (or OSError if unreadable)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SourcesError(f"{path}: not UTF-8 text") from None
    return parse_sources(text, str(path))


def parse_sources(text: str, where: str = "<sources>") -> list[Source]:
    """Validate the text of a sources file; ``where`` (its path) prefixes error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{where}: not valid TOML: {exc}") from None
    tables = data.get("sources", data.get("source"))
    if not isinstance(tables, list) or not tables:
        raise SourcesError(f"{where}: no [[sources]] tables")
    sources = [source_from_dict(raw, f"{where}: sources[{i}]") for i, raw in enumerate(tables)]
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise SourcesError(f"{where}: duplicate source id {source.id!r}")
        seen.add(source.id)
    return sources


def id_for_url(url: str) -> str:
    """A source id from a URL's host (``www.`` dropped; a non-default port appended)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host if parts.port in (None, default) else f"{host}-{parts.port}"


def adhoc_sources(feeds: Iterable[str], sitemaps: Iterable[str]) -> list[Source]:
    """One source per host (and port) for ``tidings crawl --feed URL --sitemap URL``."""
    grouped: dict[str, dict[str, list[str]]] = {}
    for kind, urls in (("feeds", feeds), ("sitemaps", sitemaps)):
        for url in urls:
            if not is_http_url(url):
                raise SourcesError(f"--{kind[:-1]}: not an http(s) URL: {url!r}")
            group = grouped.setdefault(id_for_url(url), {"feeds": [], "sitemaps": []})
            if url not in group[kind]:
                group[kind].append(url)
    return [
        Source(
            id=sid,
            name=sid,
            feeds=tuple(g["feeds"]),
            sitemaps=tuple(g["sitemaps"]),
            allowed_domains=tuple(dict.fromkeys(host_of(u) for u in g["feeds"] + g["sitemaps"])),
        )  # fmt: skip
        for sid, g in grouped.items()
    ]
