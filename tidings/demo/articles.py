"""The demo site's stories as typed records, loaded from ``articles.toml``.

One source of truth for everything the demo site says about an article: the page generator,
the feeds and sitemaps, the server (which path answers 500) and the tests all read these
records, so a page can never disagree with the feed that lists it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("articles.toml")
LAYOUTS = ("standard", "feature", "wire", "partner", "brief", "outlet")


@dataclass(frozen=True)
class Outlet:
    """One publisher on the demo site: Circuit Daily, or another outlet with its own feed.

    Several outlets cover some of the same events in their own words, so ``tidings demo``
    crawls several sources and its stories have more than one source, as real ones do."""

    id: str  # the source id `tidings demo` gives it; other outlets' pages live under /<id>/
    name: str
    description: str


CIRCUIT_DAILY = "circuit-daily"
OUTLETS: dict[str, Outlet] = {
    o.id: o
    for o in (
        Outlet(CIRCUIT_DAILY, "Circuit Daily", "Technology, business and policy news"),
        Outlet("meridian-ledger", "The Meridian Ledger", "Markets, companies and trade"),
        Outlet("lakeside-courier", "Lakeside Courier", "News for the lakes and the world"),
        Outlet("brightwater-tribune", "Brightwater Tribune", "Independent news since 1952"),
    )
}
#: Values of ``special`` and what they mean (README.md has the full table).
SPECIALS = {
    "search-company": "the search company whose quarterly revenue fell 3%",
    "syndicated-a-original": "pair A: the wire original of a syndicated story",
    "syndicated-a-copy": "pair A: the lightly edited copy in the business section",
    "syndicated-b-original": "pair B: the wire original of a syndicated story",
    "syndicated-b-copy": "pair B: the partner-site copy (sitemap only)",
    "shared-boilerplate": "two distinct stories with the same template and boilerplate",
    "no-date": "no date anywhere: markup, feeds or sitemaps",
    "latin-1": "served as ISO-8859-1 bytes, declared in <meta charset> and Content-Type",
    "http-500": "listed in feed.rss, but the server answers HTTP 500",
    "feed-date-only": "no date in the page markup; only feed.rss gives one",
}
#: Specials whose page carries no date in its markup.
UNDATED_PAGES = frozenset({"no-date", "feed-date-only"})


@dataclass(frozen=True)
class DemoArticle:
    """One story of the demo site and where it is listed."""

    path: str  # relative to the site root, e.g. "tech/foo.html"
    layout: str
    title: str
    authors: tuple[str, ...]
    published: str  # ISO 8601 with the offset written in the page; "" when undated
    modified: str | None
    summary: str
    tags: tuple[str, ...]
    rss: bool
    atom: bool
    sitemap: bool
    lastmod: bool
    news: bool
    special: str | None
    body: str
    outlet: str = CIRCUIT_DAILY  # who published it (OUTLETS); others only in their feed.rss
    event: str | None = None  # the real-world event several outlets report (ground truth)

    @property
    def url_path(self) -> str:
        """The path part of the article's URL ("/tech/foo.html")."""
        return "/" + self.path

    @property
    def section(self) -> str:
        """The site section, the first path segment ("tech")."""
        return self.path.split("/", 1)[0]

    @property
    def paragraphs(self) -> list[str]:
        """Body paragraphs, with the hard line breaks of the data file undone."""
        return [" ".join(p.split()) for p in self.body.strip().split("\n\n") if p.strip()]

    @property
    def published_dt(self) -> datetime | None:
        """Publication time as an aware datetime in the page's own offset."""
        return datetime.fromisoformat(self.published) if self.published else None

    @property
    def published_utc(self) -> datetime | None:
        """Publication time in UTC, the form the crawler is expected to store."""
        dt = self.published_dt
        return dt.astimezone(UTC) if dt else None

    @property
    def modified_dt(self) -> datetime | None:
        """Update time in the page's own offset, if the story was updated."""
        return datetime.fromisoformat(self.modified) if self.modified else None

    @property
    def page_has_date(self) -> bool:
        """Whether the HTML page carries a date (JSON-LD, meta and <time>)."""
        return bool(self.published) and self.special not in UNDATED_PAGES

    @property
    def served(self) -> bool:
        """Whether the server answers this article with a page (False: HTTP 500)."""
        return self.special != "http-500"

    @property
    def in_feed(self) -> bool:
        """Listed in feed.rss or feed.atom."""
        return self.rss or self.atom

    @property
    def sitemap_only(self) -> bool:
        """Reachable only through the sitemaps: in no feed and linked from no page."""
        return self.sitemap and not self.in_feed

    @property
    def linkable(self) -> bool:
        """Whether home, section pages and related boxes may link to it (feed articles only)."""
        return self.in_feed

    @property
    def encoding(self) -> str:
        """Character encoding of the page's bytes on disk and on the wire."""
        return "iso-8859-1" if self.special == "latin-1" else "utf-8"


def _check(a: DemoArticle) -> None:
    if a.outlet not in OUTLETS:
        raise ValueError(f"{a.path}: unknown outlet {a.outlet!r}")
    if a.outlet != CIRCUIT_DAILY:
        listed_elsewhere = a.atom or a.sitemap or a.news or a.special
        if a.layout != "outlet" or a.section != a.outlet or not a.rss or listed_elsewhere:
            raise ValueError(f"{a.path}: another outlet's article: layout 'outlet', path under "
                             f"'{a.outlet}/', listed only in that outlet's feed.rss (rss = true)")
    elif a.layout == "outlet":
        raise ValueError(f"{a.path}: layout 'outlet' is for other outlets' articles")
    if a.layout not in LAYOUTS:
        raise ValueError(f"{a.path}: unknown layout {a.layout!r}")
    if a.special is not None and a.special not in SPECIALS:
        raise ValueError(f"{a.path}: unknown special {a.special!r}")
    if not a.path.endswith(".html") or a.path.startswith("/"):
        raise ValueError(f"{a.path}: paths are relative and end in .html")
    if (a.published == "") != (a.special == "no-date"):
        raise ValueError(f"{a.path}: only the no-date page may lack 'published'")
    if a.served:
        words = len(a.body.split())
        if not 250 <= words <= 600:
            raise ValueError(f"{a.path}: body has {words} words, want 250-600")
    if a.news and not a.page_has_date:
        raise ValueError(f"{a.path}: a news sitemap entry needs a publication date")
    if a.encoding != "utf-8":
        text = a.title + a.summary + a.body + "".join(a.authors)
        text.encode(a.encoding)  # raises if the story cannot be written in its charset


@cache
def load_articles() -> tuple[DemoArticle, ...]:
    """All demo articles in data-file order, checked for consistency."""
    with DATA_FILE.open("rb") as fh:
        raw = tomllib.load(fh)["article"]
    articles = tuple(
        DemoArticle(
            path=r["path"],
            layout=r["layout"],
            title=r["title"],
            authors=tuple(r["authors"]),
            published=r["published"],
            modified=r.get("modified"),
            summary=r["summary"],
            tags=tuple(r.get("tags", ())),
            rss=bool(r["rss"]),
            atom=bool(r["atom"]),
            sitemap=bool(r["sitemap"]),
            lastmod=bool(r.get("lastmod", True)),
            news=bool(r["news"]),
            special=r.get("special"),
            body=r["body"],
            outlet=r.get("outlet", CIRCUIT_DAILY),
            event=r.get("event"),
        )
        for r in raw
    )
    paths = [a.path for a in articles]
    if len(set(paths)) != len(paths):
        raise ValueError("duplicate article paths in articles.toml")
    for a in articles:
        _check(a)
    outlets_by_event: dict[str, set[str]] = {}
    for a in articles:
        if a.event:
            outlets_by_event.setdefault(a.event, set()).add(a.outlet)
    lonely = sorted(e for e, outlets in outlets_by_event.items() if len(outlets) < 2)
    if lonely:
        raise ValueError(f"events reported by fewer than two outlets: {lonely}")
    return articles


def published_by(outlet: str = CIRCUIT_DAILY) -> list[DemoArticle]:
    """One outlet's articles (by default Circuit Daily's: its feeds, sitemaps and pages)."""
    return [a for a in load_articles() if a.outlet == outlet]


def events() -> dict[str, list[DemoArticle]]:
    """Each event covered by several outlets, with its articles (the stories they must form)."""
    found: dict[str, list[DemoArticle]] = {}
    for a in load_articles():
        if a.event and a.served:
            found.setdefault(a.event, []).append(a)
    return found


@cache
def same_kind_events() -> list[tuple[str, str]]:
    """Pairs of events of one kind (two earnings reports of one week) that are two stories."""
    with DATA_FILE.open("rb") as fh:
        pairs = tomllib.load(fh).get("same_kind_events", [])
    known = events()
    for pair in pairs:
        if len(pair) != 2 or not set(pair) <= set(known):
            raise ValueError(f"same_kind_events: {pair!r} must name two events of articles")
    return [(first, second) for first, second in pairs]


def by_special(special: str) -> list[DemoArticle]:
    """The articles marked with one ``special`` value."""
    return [a for a in load_articles() if a.special == special]


def broken_paths() -> frozenset[str]:
    """URL paths the server answers with HTTP 500 (listed in a feed, page is broken)."""
    return frozenset(a.url_path for a in load_articles() if not a.served)


def syndicated_pairs() -> list[tuple[DemoArticle, DemoArticle]]:
    """(original, copy) for each syndicated near-duplicate pair."""
    pairs = []
    for tag in ("a", "b"):
        (orig,) = by_special(f"syndicated-{tag}-original")
        (copy,) = by_special(f"syndicated-{tag}-copy")
        pairs.append((orig, copy))
    return pairs
