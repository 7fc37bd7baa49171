"""The date stage's last resort: htmldate's extensive text search, reading only the page's
languages.

htmldate hands the strings its own patterns cannot read ("on Tuesday July 24, @07:29AM") to
dateparser, built once with every locale it knows (205): each string is then tried against all
of them, ~20-90 CPU-ms a string, and the first call loads them all (~2.2 CPU s a process). A
page writes its dates in its own language or in English, so here dateparser reads only those:
the languages the page declares (``<html lang>``, JSON-LD, og:locale, the feed's) and English,
which loads in ~0.15 s and reads a string in a few ms. Everything else (which elements and
strings htmldate tries, in what order, how it picks) is htmldate's own.

htmldate builds its parser in one place (``htmldate.extractors.get_external_parser``) and takes
no argument for it, so the restricted parser stands in for it for the duration of the search
(under a lock); htmldate's per-string cache is emptied after each search, so no answer read
in one page's languages is reused on a page in others (the results never depend on the pages a
process saw before).

The search fills in what a string leaves out with the 1st: a copyright line "© 2025" becomes
2025-01-01, a "/2012/10/" path 2012-10-01. Such a day looks known and is not, so an answer on
the 1st of a month is kept only when the page writes that day (:func:`bylines.writes_day`);
otherwise the page is undated. On the 2,269 pages of extraction-dev and extraction-dev2 this
search dated 230 pages, 88 of them on the 1st of a month, written on the page on only 2.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from lxml.html import HtmlElement

from crawler.extract.bylines import writes_day
from crawler.extract.dates import FLOATING

#: Always read: the language most pages write dates in besides their own.
FALLBACK_LANGUAGE = "en"
#: dateparser's settings as htmldate gives them (``htmldate.extractors.get_external_parser``).
_SETTINGS = {
    "NORMALIZE": True,
    "PARSERS": ["custom-formats", "absolute-time"],
    "PREFER_DATES_FROM": "past",
    "PREFER_LOCALE_DATE_ORDER": True,
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,
}
_SWAP = threading.Lock()


def date_languages(declared: Iterable[str | None]) -> tuple[str, ...]:
    """The dateparser languages to read a page in: those it declares that dateparser knows
    (primary subtags: "de-AT" reads as "de"), then English."""
    from dateparser.data.languages_info import language_order

    known = set(language_order)
    wanted: list[str] = []
    for tag in declared:
        primary = (tag or "").replace("_", "-").split("-")[0].lower()
        if primary in known and primary not in wanted:
            wanted.append(primary)
    return (*wanted, FALLBACK_LANGUAGE) if FALLBACK_LANGUAGE not in wanted else tuple(wanted)


@lru_cache(maxsize=32)
def date_parser(languages: tuple[str, ...]) -> Any:
    """A dateparser reading only ``languages``, with htmldate's settings (one per language set
    and process: building one loads its locales)."""
    from dateparser import DateDataParser

    return DateDataParser(languages=list(languages), settings=_SETTINGS)


def warm_up() -> None:
    """Load what every page's search needs before the first page does: the English parser and
    htmldate's month names (read from every locale's data, not compiled: ~0.1 s). A page in
    another language adds its locale on first use (~0.02-0.09 CPU s)."""
    from htmldate.extractors import month_words

    month_words()
    date_parser(date_languages(())).get_date_data("3 zzqq 2012")  # no locale reads it


def text_date(
    tree: HtmlElement, fetched: datetime, declared: Iterable[str | None]
) -> datetime | None:
    """htmldate's extensive search for the page's original-publication day (no later than the
    fetch's day), with dateparser reading only the page's languages (:func:`date_languages`)."""
    from htmldate import extractors

    parser = date_parser(date_languages(declared))
    with _SWAP:
        saved = extractors.get_external_parser
        extractors.get_external_parser = lambda: parser
        try:
            found = htmldate_day(tree, fetched, extensive=True)
        finally:
            extractors.get_external_parser = saved
            extractors.try_date_expr.cache_clear()
    if found is not None and found.day == 1 and not writes_day(tree, found.date()):
        return None  # a day htmldate filled in (see the module's docstring)
    return found


def htmldate_day(tree: HtmlElement, fetched: datetime, extensive: bool) -> datetime | None:
    """htmldate's original-publication day, no later than the fetch's (it copies the tree
    before pruning it); ``extensive``: also its text search (see :func:`text_date`)."""
    from htmldate import find_date

    found = find_date(
        tree,
        original_date=True,
        extensive_search=extensive,
        max_date=fetched.date().isoformat(),
    )
    return datetime.fromisoformat(found).replace(tzinfo=FLOATING) if found else None
