"""The sources model: which sites to crawl, through which feeds and sitemaps.

One module parses, validates and writes the sources file (TOML), so the CLI (``tidings crawl
--sources``, ``tidings sources ...``) and the API (``POST /api/v1/sources``, ``/api/v1/sources``)
can never disagree on what a valid source is. Writers append under an exclusive lock and
validate the whole resulting file before it atomically replaces the old one.

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

import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tidings.core.files import locked, write_atomically
from tidings.core.hosts import within_domain

KNOWN_KEYS = frozenset(
    {"id", "name", "home", "feeds", "sitemaps", "sections", "allowed_domains", "follow_links",
     "depth", "interval", "language", "topics"}
)  # fmt: skip
DEFAULT_INTERVAL = 3600
#: ``allowed_domains = ["*"]``: links to any host are followed from feeds and sitemaps
#: (aggregator feeds such as Hacker News link to other sites).
ANY_DOMAIN = "*"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_INTERVAL = re.compile(r"^([0-9]+)\s*([smhd]?)$")  # ASCII digits: int() reads others too
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: The sources file the API writes and ``POST /api/v1/crawl`` crawls: ``<home>/sources.toml``.
HOME_FILE_NAME = "sources.toml"
#: Keys in the order they are written.
KEY_ORDER = (
    "id", "name", "home", "feeds", "sitemaps", "sections", "allowed_domains", "follow_links",
    "depth", "interval", "language", "topics",
)  # fmt: skip
#: Lists longer than this (or with long items) go one item per line.
INLINE_ITEMS = 2


#: Why a URL with ``user:password@`` is refused (the message never repeats the URL).
CREDENTIALS = (
    "has a user name or password in it (user:password@host): not accepted, since the "
    "crawler cannot fetch such a URL and every list and log would show them"
)


class SourcesError(ValueError):
    """The sources file (or an ad-hoc URL) is invalid; the message says where and why, and
    ``key`` names the source's field at fault (when one is), e.g. for an API's 400."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class SourceExists(SourcesError):
    """A source with this id is already in the file."""


def host_of(url: str) -> str:
    """Lowercase hostname of ``url`` without port ('' when there is none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


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
        return any(within_domain(host, d) for d in self.allowed_domains)


def is_http_url(value: object) -> bool:
    """True for an absolute http(s) URL with a host (and a valid port, if any), without
    control characters (a NUL in a feed URL was stored, then failed every crawl)."""
    if not isinstance(value, str) or _CONTROL.search(value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def has_credentials(url: str) -> bool:
    """Whether ``url`` names a user or password (``https://user:pass@host/``). Such URLs are
    refused: Scrapy's downloader fails on them ("invalid hostname: user:pass@host"), and every
    sources list, log line and error that shows the URL would show the password."""
    parts = urlsplit(url)
    return parts.username is not None or parts.password is not None


def check_url(url: object, what: str, key: str | None = None) -> None:
    """:class:`SourcesError` unless ``url`` is an http(s) URL without credentials; ``what``
    starts the message (which never repeats a URL that holds a password)."""
    if not is_http_url(url):
        raise SourcesError(f"{what} is not an http(s) URL: {url!r}", key)
    if has_credentials(str(url)):
        raise SourcesError(f"{what} {CREDENTIALS}", key)


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


def interval_entry(text: str) -> int | str:
    """``text`` as a sources file stores an interval: whole seconds (ASCII digits) as a
    number, anything else as given, for :func:`parse_interval` to judge (``'²'`` is a digit
    to ``str.isdigit`` but not to ``int``)."""
    stripped = text.strip()
    return int(stripped) if stripped.isascii() and stripped.isdigit() else text


def _strings(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SourcesError(f"{where}: '{key}' must be a list of strings", key)
    return tuple(v.strip() for v in value)


def _urls(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _strings(raw, key, where)
    for i, url in enumerate(values):
        check_url(url, f"{where}: {key}[{i}]", key)
    return values


def _follow_depth(raw: dict[str, Any], where: str) -> int:
    follow = raw.get("follow_links", False)
    depth = raw.get("depth", 1)
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 0:
        raise SourcesError(f"{where}: 'depth' must be a whole number >= 0", "depth")
    if isinstance(follow, bool):
        return depth if follow else 0
    if isinstance(follow, int) and follow >= 0:
        return follow
    raise SourcesError(f"{where}: 'follow_links' must be true, false or a depth", "follow_links")


def source_from_dict(raw: object, where: str) -> Source:
    """Validate one ``[[sources]]`` table; ``where`` prefixes error messages."""
    if not isinstance(raw, dict):
        raise SourcesError(f"{where}: a source must be a table", "sources")
    sid = raw.get("id")
    if not isinstance(sid, str) or not ID_PATTERN.match(sid):
        raise SourcesError(f"{where}: 'id' must match [a-z0-9][a-z0-9._-]* (got {sid!r})", "id")
    where = f"{where} (id {sid!r})"
    unknown = sorted(set(raw) - KNOWN_KEYS)
    if unknown:
        raise SourcesError(f"{where}: unknown key(s): {', '.join(unknown)}", unknown[0])
    name = raw.get("name", sid)
    if not isinstance(name, str) or not name.strip():
        raise SourcesError(f"{where}: 'name' must be a non-empty string", "name")
    home = raw.get("home")
    if home is not None:
        check_url(home, f"{where}: 'home'", "home")
    feeds, sitemaps = _urls(raw, "feeds", where), _urls(raw, "sitemaps", where)
    sections = _urls(raw, "sections", where)
    if not (feeds or sitemaps or home):
        raise SourcesError(f"{where}: give at least one of 'feeds', 'sitemaps' or 'home'", "feeds")
    domains = tuple(d.lower().strip(".") for d in _strings(raw, "allowed_domains", where))
    bad = [d for d in domains if "/" in d or ":" in d or ("*" in d and d != ANY_DOMAIN)]
    if bad:
        raise SourcesError(
            f'{where}: allowed_domains holds hostnames (or "*" alone), not URLs: {bad[0]!r}',
            "allowed_domains",
        )
    if not domains:
        hosts = (host_of(u) for u in (home or "", *feeds, *sitemaps, *sections))
        domains = tuple(dict.fromkeys(h.removeprefix("www.") for h in hosts if h))
    follow_depth = _follow_depth(raw, where)
    if follow_depth and not (home or sections):
        raise SourcesError(
            f"{where}: 'follow_links' needs a 'home' or 'sections' to start from", "follow_links"
        )
    try:
        interval = parse_interval(raw.get("interval", DEFAULT_INTERVAL))
    except ValueError:
        raise SourcesError(
            f"{where}: 'interval' must be seconds or like '30m', '2h'", "interval"
        ) from None
    language = raw.get("language")
    if language is not None and not isinstance(language, str):
        raise SourcesError(f"{where}: 'language' must be a string", "language")
    return Source(
        id=sid, name=name.strip(), home=home, feeds=feeds, sitemaps=sitemaps,
        allowed_domains=domains, follow_depth=follow_depth, interval=interval,
        language=language, topics=_strings(raw, "topics", where), sections=sections,
    )  # fmt: skip


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file; raises :class:`SourcesError` (or OSError if unreadable)."""
    path = Path(path)
    return parse_sources(_read_text(path), str(path))


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SourcesError(f"{path}: not UTF-8 text") from None


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
            check_url(url, f"--{kind[:-1]}")
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


# -- writing -------------------------------------------------------------------------------


def home_sources_path(home: str | Path) -> Path:
    """The sources file under a Tidings home directory."""
    return Path(home) / HOME_FILE_NAME


def load_home_sources(home: str | Path) -> list[Source]:
    """The sources of ``<home>/sources.toml``: [] if there is no such file (nothing added yet);
    :class:`SourcesError` if it is invalid."""
    path = home_sources_path(home)
    try:
        return load_sources(path)
    except FileNotFoundError:
        return []


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are TOML basic-string ones
    if isinstance(value, list | tuple):
        items = [_value(v) for v in value]
        if len(items) <= INLINE_ITEMS and sum(map(len, items)) < 70:
            return f"[{', '.join(items)}]"
        return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to a sources file")


def source_table(raw: dict[str, Any], comment: str | None = None) -> str:
    """One ``[[sources]]`` table; empty values are left out, keys in the documented order."""
    lines = [f"# {line}".rstrip() for line in (comment or "").splitlines()]
    lines.append("[[sources]]")
    keys = [k for k in KEY_ORDER if k in raw] + sorted(set(raw) - set(KEY_ORDER))
    for key in keys:
        value = raw[key]
        if value is None or value == [] or value == ():
            continue
        lines.append(f"{key} = {_value(value)}")
    return "\n".join(lines) + "\n"


def dump_sources(raws: Iterable[dict[str, Any]], header: str | None = None) -> str:
    """A whole sources file."""
    parts = [f"# {line}".rstrip() for line in (header or "").splitlines()]
    text = "\n".join(parts) + ("\n\n" if parts else "")
    return text + "\n".join(source_table(raw) for raw in raws)


def append_source(path: str | Path, raw: dict[str, Any]) -> Source:
    """Append a source to ``path`` (created if missing) after validating the whole result.

    Holds an exclusive lock from reading to replacing, so concurrent writers (two API workers,
    the CLI) never lose each other's sources. Raises :class:`SourceExists` if the id is taken
    and :class:`SourcesError` if the source is invalid or the file cannot be read or replaced
    (a directory, not UTF-8, no permission); nothing is written then.
    """
    path = Path(path)
    try:
        return _append(path, raw)
    except OSError as exc:  # the file, not the new source: no field to name
        raise SourcesError(f"{path}: cannot be updated: {exc.strerror or exc}") from None


def _append(path: Path, raw: dict[str, Any]) -> Source:
    with locked(path):
        old = _read_text(path) if path.exists() else ""
        try:
            existing = parse_sources(old, str(path)) if old.strip() else []
        except SourcesError as exc:  # the file is broken, not the new source: no field to name
            raise SourcesError(str(exc)) from None
        if any(s.id == raw.get("id") for s in existing):
            raise SourceExists(f"{path}: duplicate source id {raw.get('id')!r}")
        new = (old.rstrip() + "\n\n" if old.strip() else "") + source_table(raw)
        sources = parse_sources(new, str(path))
        added = sources[-1]
        if len(sources) != len(existing) + 1 or added.id != raw.get("id"):
            raise SourcesError(f"{path}: cannot append: the file's tables are not [[sources]]")
        write_atomically(path, new)
    return added
