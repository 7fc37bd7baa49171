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


class _WholeJson:
    """A JSON decoder that reads only a whole text (no trailing junk after the value)."""

    def raw_decode(self, text: str) -> tuple[Any, int]:
        return json.loads(text, strict=False), len(text)


def _whole_json_only() -> _WholeJson:
    return _WholeJson()


def _h1_following_only() -> Any:
    from lxml import etree

    return etree.XPath("(//h1)[1]/following::text()[position() <= 40]")


_COMPACT_AS_SEGMENT = r"/(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?=/)"

#: name -> (module, attribute, factory of the stand-in that switches it off, what that is)
ABLATIONS: dict[str, tuple[str, str, Callable[[], Any], str]] = {
    "jsonld": ("pubdate", "read_metadata", lambda: _drop_source("jsonld"), "JSON-LD dates"),
    "meta": ("pubdate", "read_metadata", lambda: _drop_source("meta"), "meta and microdata"),
    "microdata": ("metadata", "_microdata_dates", lambda: lambda tree: (None, None),
                  "body itemprop=datePublished content=... (part of meta)"),
    "time-tag": ("pubdate", "read_metadata", lambda: _drop_source("time-tag"), "<time> dates"),
    "url": ("pubdate", "read_metadata", lambda: _drop_source("url"), "the URL's day"),
    "url-compact": ("dates", "_COMPACT_URL_DATE", lambda: re.compile(_COMPACT_AS_SEGMENT),
                    "/20220127-title as the URL's day (/20220127/ stays)"),
    "byline": ("pubdate", "byline_dates", lambda: lambda *a, **k: _byline(), "the byline"),
    "byline-long-text": ("bylines", "_texts", _short_texts_only,
                         "dates opening a marked text over 200 characters"),
    "byline-bem-postmeta": ("bylines", "_MARKS", lambda: _MARKS_PLAIN,
                            "BEM compounds and postmetadata in the byline vocabulary"),
    "byline-postmeta": ("bylines", "_MARKS", lambda: _MARKS_NO_POSTMETA,
                        "postmetadata / postmeta in the byline vocabulary"),
    "time-echo": ("bylines", "echoes_datetime", lambda: lambda el, text: False,
                  "a <time> printing its own ISO datetime is markup, not a byline"),
    "jsonld-trailing": ("jsonld", "_DECODER", _whole_json_only,
                        "JSON-LD read up to its first whole value when junk follows"),
    "byline-skip-marks": ("bylines", "_SKIP_MARKS", lambda: _NOTHING,
                          "skipping comment / related / teaser ... elements"),
    "near-headline": ("bylines", "_near_headline", lambda: lambda tree: "",
                      "the text around the <h1>"),
    "h1-preceding": ("bylines", "_AROUND_H1", _h1_following_only,
                     "the two elements before the <h1> (its following text stays)"),
    "label-search": ("bylines", "_LABEL", lambda: _NOTHING,
                     'a date after a label ("Datum:") anywhere in the body'),
    "relative": ("bylines", "_relative", lambda: lambda text, fetched: None,
                 'relative bylines ("2 hours ago", "today")'),
    "page-offset": ("pubdate", "in_page_offset", lambda: lambda signals: signals,
                    "UTC times re-expressed in the offset the page states"),
    "reader-day": ("pubdate", "_reader_day", lambda: lambda moment, local: moment.date(),
                   "a UTC time voting for the neighbouring day a local date names"),
    "htmldate-vote": ("pubdate", "_undecided", lambda: lambda signals: False,
                      "htmldate's half vote on ties and UTC times"),
    "text-search": ("pubdate", "text_date", lambda: lambda *a, **k: None,
                    "the last resort, htmldate's extensive text search"),
    "markup-decides": ("pubdate", "markup_decides", lambda: lambda *a, **k: False,
                       "the shortcut that skips the byline when markup decides (speed)"),
}  # fmt: skip


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
            module_name, attr, stand_in, _ = ABLATIONS[name]
            module = importlib.import_module(f"crawler.extract.{module_name}")
            saved.append((module, attr, getattr(module, attr)))
            setattr(module, attr, stand_in())
        yield
    finally:
        for module, attr, value in reversed(saved):
            setattr(module, attr, value)
