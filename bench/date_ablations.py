"""The date stage's rules and sources, each switchable off for an ablation (bench only).

Every entry names one source or rule of :mod:`crawler.extract.pubdate` and its helpers and
the stand-in that switches it off (a module attribute replaced for the duration of a run).
``bench/dates.py --without NAME`` and ``bench/date_audit.py`` use them, so a rule that helps
only the half it was written from shows as such. Feed and sitemap hints are not in
``dates-dev`` (no crawl), so they cannot be ablated there; their tests are hand-made pages.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

#: A pattern that matches nothing: a vocabulary or label rule switched off.
_NOTHING = re.compile(r"(?!x)x")
#: The byline vocabulary before BEM compounds and WordPress's ``postmetadata`` were added.
_MARKS_PLAIN = re.compile(
    r"date|datum|time|byline|dateline|publish|posted|pubdate|fecha|zeit"
    r"|meta-info|(?:article|post)-(?:info|meta)|entry-meta"
)
_MARKS_NO_POSTMETA = re.compile(
    r"date|datum|time|byline|dateline|publish|posted|pubdate|fecha|zeit"
    r"|meta(?:-|__)info|(?:article|post)(?:-|__)(?:info|meta)|entry(?:-|__)meta"
)


def _drop_source(source: str) -> Callable[[Any], Any]:
    """A ``read_metadata`` stand-in without one markup source's dates."""
    from crawler.extract import pubdate

    real = pubdate.read_metadata

    def read_metadata(tree: Any, url: str) -> Any:
        meta = real(tree, url)
        meta.dates.pop(source, None)
        return meta

    return read_metadata


def _short_texts_only() -> Callable[[Any], Iterator[str]]:
    """``bylines._texts`` without texts over ``MAX_TEXT`` (skipped before the long-text rule)."""
    from crawler.extract import bylines

    real = bylines._texts
    return lambda tree: (t for t in real(tree) if len(t) <= bylines.MAX_TEXT)


def _without_microdata() -> Callable[[Any], tuple[None, None]]:
    return lambda tree: (None, None)


class _WholeJson:
    """A JSON decoder that reads only a whole text (no trailing junk after the value)."""

    def raw_decode(self, text: str) -> tuple[Any, int]:
        return json.loads(text, strict=False), len(text)


def _whole_json_only() -> _WholeJson:
    return _WholeJson()


def _h1_following_only() -> Any:
    from lxml import etree

    return etree.XPath("(//h1)[1]/following::text()[position() <= 40]")


#: name -> (what it switches off, [(module, attribute, factory of the stand-in)])
ABLATIONS: dict[str, tuple[str, list[tuple[str, str, Callable[[], Any]]]]] = {
    "jsonld": (
        "JSON-LD dates (published and modified)",
        [("pubdate", "read_metadata", lambda: _drop_source("jsonld"))],
    ),
    "meta": (
        "meta-tag and microdata dates",
        [("pubdate", "read_metadata", lambda: _drop_source("meta"))],
    ),
    "microdata": (
        "body microdata itemprop=datePublished content=... (part of meta)",
        [("metadata", "_microdata_dates", _without_microdata)],
    ),
    "time-tag": (
        "<time datetime> dates",
        [("pubdate", "read_metadata", lambda: _drop_source("time-tag"))],
    ),
    "url": ("the URL's day", [("pubdate", "read_metadata", lambda: _drop_source("url"))]),
    "url-compact": (
        "/20220127-title as the URL's day (the 8 digits as a segment stay)",
        [
            (
                "dates",
                "_COMPACT_URL_DATE",
                lambda: re.compile(
                    r"/(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])"
                    r"(?=/)"
                ),
            )
        ],
    ),
    "byline": (
        "the visible byline, all of it",
        [("pubdate", "byline_dates", lambda: lambda *a, **k: _byline())],
    ),
    "byline-long-text": (
        "dates opening a marked text over 200 characters",
        [("bylines", "_texts", _short_texts_only)],
    ),
    "byline-bem-postmeta": (
        "BEM compounds and postmetadata in the byline vocabulary",
        [("bylines", "_MARKS", lambda: _MARKS_PLAIN)],
    ),
    "byline-postmeta": (
        "postmetadata / postmeta in the byline vocabulary",
        [("bylines", "_MARKS", lambda: _MARKS_NO_POSTMETA)],
    ),
    "time-echo": (
        "reading a <time> whose text is its own datetime value as a byline too",
        [("bylines", "echoes_datetime", lambda: lambda el, text: False)],
    ),
    "jsonld-trailing": (
        "JSON-LD read up to its first whole value when junk follows it",
        [("jsonld", "_DECODER", _whole_json_only)],
    ),
    "byline-skip-marks": (
        "skipping comment / related / teaser ... elements",
        [("bylines", "_SKIP_MARKS", lambda: _NOTHING)],
    ),
    "near-headline": (
        "the text around the <h1>",
        [("bylines", "_near_headline", lambda: lambda tree: "")],
    ),
    "h1-preceding": (
        "the two elements before the <h1> (its following text stays)",
        [("bylines", "_AROUND_H1", _h1_following_only)],
    ),
    "label-search": (
        'a date after a label ("Datum:") anywhere in the body',
        [("bylines", "_LABEL", lambda: _NOTHING)],
    ),
    "relative": (
        'relative bylines ("2 hours ago", "today")',
        [("bylines", "_relative", lambda: lambda text, fetched: None)],
    ),
    "page-offset": (
        "UTC times re-expressed in the offset the page states",
        [("pubdate", "in_page_offset", lambda: lambda signals: signals)],
    ),
    "reader-day": (
        "a UTC time voting for the neighbouring day a local date names",
        [("pubdate", "_reader_day", lambda: lambda moment, local: moment.date())],
    ),
    "htmldate-vote": (
        "htmldate's half vote on ties and UTC times",
        [("pubdate", "_undecided", lambda: lambda signals: False)],
    ),
    "text-search": (
        "the last resort, htmldate's extensive text search",
        [("pubdate", "text_date", lambda: lambda *a, **k: None)],
    ),
    "markup-decides": (
        "the shortcut that skips the byline when markup decides (speed only)",
        [("pubdate", "markup_decides", lambda: lambda *a, **k: False)],
    ),
}


def _byline() -> Any:
    from crawler.extract.bylines import Byline

    return Byline()


@contextlib.contextmanager
def ablated(names: Iterable[str]) -> Iterator[None]:
    """Run the body with each named rule or source switched off (restored afterwards)."""
    saved: list[tuple[Any, str, Any]] = []
    try:
        for name in names:
            if name not in ABLATIONS:
                raise SystemExit(f"unknown ablation {name!r}; known: {', '.join(ABLATIONS)}")
            for module_name, attr, stand_in in ABLATIONS[name][1]:
                module = importlib.import_module(f"crawler.extract.{module_name}")
                saved.append((module, attr, getattr(module, attr)))
                setattr(module, attr, stand_in())
        yield
    finally:
        for module, attr, value in reversed(saved):
            setattr(module, attr, value)
