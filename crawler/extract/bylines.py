"""Dates a reader sees in a byline: "Published 3 May 2024, 10:12 BST", "03.05.2024", "2 hours ago".

Pages without date markup still print one near the headline. This module reads the short
texts of elements the page itself marks as dates or bylines (``<time>``, class / id / itemprop
vocabulary such as ``date``, ``byline``, ``published``, ``datum``), in page order, and parses
the first date there: numeric (day-month-year unless the page is US English, ISO order), month
names in the languages most news is written in, an optional time of day and zone, and relative
phrases resolved against the fetch time. A date after an "Updated" / "Aktualisiert" label is
the modified date, never the published one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from lxml import etree
from lxml import html as lxml_html

from crawler.extract.dates import EARLIEST_YEAR, FLOATING, tz_offset

#: Locales whose month names bylines are read in (en, de, fr, es, it, pt, nl; de_AT's "Jänner").
MONTH_LOCALES = ("en", "de", "de_AT", "fr", "es", "it", "pt", "nl")


def _month_names() -> dict[str, int]:
    """Month names and abbreviations from CLDR (babel), lowercased, also without accents and
    with German "ä" as "ae" (pages often drop them): "févr", "fevr", "März", "maerz", "ene"."""
    from babel.dates import get_month_names

    names: dict[str, int] = {}
    for locale in MONTH_LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    name = name.lower().rstrip(".")
                    split = unicodedata.normalize("NFKD", name)
                    bare = "".join(c for c in split if not unicodedata.combining(c))
                    for form in (name, bare, name.replace("ä", "ae")):
                        names.setdefault(form, number)
    return names


_MONTHS = _month_names()
_MONTH = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
_TIME = (
    r"(?:[,\s]+(?:[^\d\s]{1,5}\s+|a\s+las\s+)?\s*"
    r"(?P<H>[01]?\d|2[0-3])[:.h](?P<M>[0-5]\d)(?::[0-5]\d)?\s*(?P<ampm>[ap]\.?m\.?)?"
    r"(?:\s*uhr)?\s*(?P<tz>\(?[A-Z]{2,5}\)?|(?:UTC|GMT)?\s*[+-]\d{1,2}(?::?\d{2})?)?)?"
)
_DAY = r"(?P<d>0?[1-9]|[12]\d|3[01])"
_YEAR = r"(?P<y>(?:19|20)\d{2})"
_PATTERNS = [
    re.compile(rf"\b{_YEAR}-(?P<m>0?[1-9]|1[0-2])-{_DAY}(?:[T\s]+|\b){_TIME}", re.I),
    re.compile(
        rf"\b{_DAY}\.\s?(?P<m>0?[1-9]|1[0-2])\.\s?(?:{_YEAR}|(?P<yy>[0-3]\d))\b(?!\.\d){_TIME}",
        re.I,
    ),
    re.compile(rf"\b(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/{_YEAR}\b{_TIME}", re.I),
    re.compile(
        rf"\b{_DAY}(?:\.|st|nd|rd|th|er)?\s+(?:de\s+)?(?P<mn>{_MONTH})\.?,?\s+(?:de\s+)?"
        rf"{_YEAR}\b{_TIME}",
        re.I,
    ),
    re.compile(rf"\b(?P<mn>{_MONTH})\.?\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}\b{_TIME}", re.I),
]  # fmt: skip
_RELATIVE = re.compile(
    r"\b(?:(?P<n>\d{1,3}|an?|one|einer?|un[ea]?)\s+(?P<unit>min(?:ute)?n?s?|minutos?|hours?|hrs?"
    r"|stunden?|heures?|horas?|days?|tagen?|jours?|d[ií]as?|weeks?|wochen?)\s+ago"
    r"|vor\s+(?P<n2>\d{1,3}|einer?)\s+(?P<unit2>minuten?|min\b|stunden?|std\b|tagen?|wochen?)"
    r"|il\s+y\s+a\s+(?P<n3>\d{1,3}|une?)\s+(?P<unit3>minutes?|heures?|jours?|semaines?)"
    r"|hace\s+(?P<n4>\d{1,3}|una?)\s+(?P<unit4>minutos?|horas?|d[ií]as?|semanas?)"
    r"|(?P<n5>\d{1,3})\s?(?P<unit5>[mhdw])\s+ago)",
    re.I,
)
_UNIT_SECONDS = {"min": 60, "hou": 3600, "hr": 3600, "hrs": 3600, "stu": 3600, "heu": 3600,
                 "hor": 3600, "day": 86400, "tag": 86400, "jou": 86400, "dia": 86400,
                 "día": 86400, "wee": 604800, "woc": 604800, "sem": 604800, "std": 3600,
                 "m": 60, "h": 3600, "d": 86400, "w": 604800}  # fmt: skip
_DAY_WORDS = re.compile(
    r"\b(?P<w>today|heute|aujourd'hui|hoy|oggi|hoje|yesterday|gestern|ayer|ieri|ontem)\b", re.I
)
#: A time of day after "today" / "yesterday" ("Heute, 08:15 Uhr", "yesterday at 10:30 pm").
_CLOCK = re.compile(r"\b(?P<H>[01]?\d|2[0-3])[:.h](?P<M>[0-5]\d)\s*(?P<ampm>[ap]\.?m\b\.?)?", re.I)
_YESTERDAY = frozenset({"yesterday", "gestern", "ayer", "ieri", "ontem"})
_UPDATED_LABEL = re.compile(
    r"(?:updated?|last\s+modified|modified|aktualisiert|zuletzt|stand|mis\s+à\s+jour"
    r"|actualizado|actualización|aggiornato|atualizado|bijgewerkt)"
    r"(?:\W+(?:on|am|le|el|il|em|op|at))?\W*$",
    re.I,
)
#: Words that introduce a publication date in running text ("Datum: 18.10.2021").
_LABEL = re.compile(
    r"\b(?:published|posted|veröffentlicht|erschienen|datum|date|publié|publicado|pubblicato"
    r"|gepubliceerd)\b(?:\s+(?:on|am|le|el|il|em|op))?\s*:?\s*",
    re.I,
)
#: class / id / itemprop words of elements that hold a date or a byline.
_MARKS = re.compile(
    r"date|datum|time|byline|dateline|publish|posted|pubdate|fecha|zeit"
    # compounds joined by "-" or BEM's "__" ("article-meta", "c-article__meta"), and WordPress
    # themes' "postmetadata" / "postmeta" (the "This entry was posted on ..." paragraph)
    r"|meta(?:-|__)info|(?:article|post)(?:-|__)(?:info|meta)|entry(?:-|__)meta|postmeta"
)
#: An ISO 8601 date-time as machines write it: nobody prints the "T" for readers.
_MACHINE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_SKIP_MARKS = re.compile(r"comment|related|teaser|footer|sidebar|weather|ticker|reply")
MAX_TEXT = 200
MAX_ELEMENTS = 60
#: Elements that hold bylines (not scripts, forms or media).
_TAGS = ("time", "div", "span", "p", "small", "li", "a", "header", "section", "ul", "td",
         "footer", "address", "abbr", "strong", "em", "b", "i", "font", "h2", "h3", "h4",
         "h5", "h6", "article", "aside", "dd", "dt", "figcaption")  # fmt: skip
#: How much text around the headline is searched when no element is marked as a date.
NEAR_H1_CHARS = 500
#: A text near the headline longer than this is prose or a photo caption, not a byline: only
#: its opening (:data:`DATELINE_CHARS`), where a dateline sits ("BERLIN, 3 May 2024 -"), is
#: read, so a date the caption or story mentions ("..., France, January 16, 2020.") is not.
LONG_TEXT = 150
DATELINE_CHARS = 60
_AROUND_H1 = etree.XPath(
    "(//h1)[1]/../preceding-sibling::*[position() <= 2]//text()"
    " | (//h1)[1]/preceding-sibling::*[position() <= 2]//text()"
    " | (//h1)[1]/following::text()[position() <= 40]"
)


def echoes_datetime(el: lxml_html.HtmlElement, text: str) -> bool:
    """Whether ``text`` is ``el``'s own ``datetime`` value printed verbatim as an ISO date-time
    ("2021-10-27T20:35:36+01:00"): machine markup (often hidden) that the time-tag signal reads
    already, not a date a reader sees. A bare date printed verbatim ("2025-12-19", "December
    17th 2025") is what readers see on many blogs: it stays a byline."""
    return text == (el.get("datetime") or "").strip() and bool(_MACHINE_TIME.match(text))


def _texts(tree: lxml_html.HtmlElement) -> Iterator[str]:
    """Texts of date / byline elements and of ``<time>`` tags, in page order (lazily: the
    first one holding a date usually ends the search). Texts longer than :data:`MAX_TEXT` are
    containers or prose, read only for a date that opens them (:func:`byline_dates`).

    A ``<time>`` whose text is its own ``datetime`` value verbatim is machine markup (often
    hidden), not what a reader sees: the time-tag signal reads it already, and counting it
    again as the byline would let one element outvote the byline the page shows.
    """
    given = 0
    body = tree.find("body")
    for el in (body if body is not None else tree).iter(_TAGS):
        marks = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("itemprop"))))
        if not marks and el.tag != "time":
            continue
        marks = marks.lower()
        if not (el.tag == "time" or _MARKS.search(marks)) or _SKIP_MARKS.search(marks):
            continue
        text = " ".join(el.text_content().split())
        if el.tag == "time" and echoes_datetime(el, text):
            continue  # the markup's own value printed verbatim: the time-tag signal, read there
        if text:
            yield text
            given += 1
            if given >= MAX_ELEMENTS:
                return


def _when(match: re.Match[str], us_order: bool) -> datetime | None:
    parts = match.groupdict()
    year = int(parts["y"]) if parts["y"] else 2000 + int(parts["yy"])
    if parts.get("mn"):
        month = _MONTHS[parts["mn"].lower().rstrip(".")]
        day = int(parts["d"])
    elif parts.get("a"):
        a, b = int(parts["a"]), int(parts["b"])
        month, day = (a, b) if (us_order and a <= 12) or b > 12 else (b, a)
    else:
        month, day = int(parts["m"]), int(parts["d"])
    hour = minute = 0
    tzinfo: timezone = FLOATING
    if parts.get("H"):
        hour, minute = int(parts["H"]), int(parts["M"])
        ampm = (parts.get("ampm") or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        offset = tz_offset(parts.get("tz") or "")
        if offset is not None:
            tzinfo = timezone(timedelta(seconds=offset))
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tzinfo)
    except ValueError:
        return None


def _relative(text: str, fetched: datetime) -> datetime | None:
    match = _RELATIVE.search(text)
    if match:
        groups = match.groupdict()
        raw = next(groups[k] for k in ("n", "n2", "n3", "n4", "n5") if groups[k])
        unit = next(
            groups[k] for k in ("unit", "unit2", "unit3", "unit4", "unit5") if groups[k]
        ).lower()
        amount = int(raw) if raw.isdigit() else 1
        seconds = _UNIT_SECONDS.get(unit[:3], _UNIT_SECONDS.get(unit))
        return fetched - timedelta(seconds=amount * seconds) if seconds else None
    word = _DAY_WORDS.search(text)
    if word:
        days = 1 if word["w"].lower() in _YESTERDAY else 0
        day = (fetched - timedelta(days=days)).date()
        clock = _CLOCK.search(text, word.end(), word.end() + 20)
        if clock is None:
            return datetime(day.year, day.month, day.day, tzinfo=fetched.tzinfo or FLOATING)
        hour, ampm = int(clock["H"]), (clock["ampm"] or "").lower()
        if ampm:  # 12 am is midnight, 12 pm noon
            hour = hour % 12 + (12 if ampm.startswith("p") else 0)
        # a wall time in the page's zone, which is not known: floating (see dates.FLOATING)
        return datetime(day.year, day.month, day.day, hour, int(clock["M"]), tzinfo=FLOATING)
    return None


def read_date_text(
    text: str, us_order: bool = False, opening: int | None = None
) -> tuple[datetime | None, datetime | None]:
    """(published, updated) written in one short text; either may be None. With ``opening``,
    only dates that start within the text's first ``opening`` characters count (a dateline),
    with their time and zone even where these run past it."""
    found: list[tuple[int, datetime, bool]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text, 0, len(text) if opening is None else opening + 80):
            if opening is not None and match.start() >= opening:
                continue
            when = _when(match, us_order)
            if when is not None and when.year >= EARLIEST_YEAR:
                label = text[max(0, match.start() - 30) : match.start()]
                found.append((match.start(), when, bool(_UPDATED_LABEL.search(label))))
    found.sort(key=lambda item: item[0])
    published = next((when for _, when, updated in found if not updated), None)
    updated = next((when for _, when, updated in found if updated), None)
    return published, updated


@dataclass(frozen=True)
class Byline:
    """Dates a reader sees; ``relative`` ("2 hours ago") counts only when no date is written."""

    published: datetime | None = None
    updated: datetime | None = None
    relative: datetime | None = None


def _near_headline(tree: lxml_html.HtmlElement) -> str:
    """The first :data:`NEAR_H1_CHARS` of text just before and after the first ``<h1>``, where
    bylines sit on most pages (long texts read only by their opening: see :data:`LONG_TEXT`)."""
    parts, seen = [], 0
    for node in _AROUND_H1(tree):
        parent = node.getparent()
        if parent is None or parent.tag in ("script", "style", "noscript"):
            continue
        text = " ".join(node.split())
        if text and not echoes_datetime(parent, text):  # markup, not a byline
            parts.append(text[:DATELINE_CHARS] if len(text) > LONG_TEXT else text)
            seen += len(text) + 1
            if seen >= NEAR_H1_CHARS:
                break
    return " ".join(parts)[:NEAR_H1_CHARS]


def body_text(tree: lxml_html.HtmlElement) -> str:
    """The body's text, whitespace collapsed, text nodes kept apart: "14:49:39<br>Erschienen
    am: 01.11.2023" must not run the label into a time ("14:49:39Erschienen")."""
    body = tree.find(".//body")
    return " ".join(" ".join((body if body is not None else tree).itertext()).split())


def writes_day(tree: lxml_html.HtmlElement, day: date) -> bool:
    """Whether the page's text writes ``day`` in a form this module reads (numeric in either
    day-month order, ISO, month names): a day some reader found, not one it filled in."""
    for stretch in _around_year(body_text(tree), day.year):
        for pattern in _PATTERNS:
            for match in pattern.finditer(stretch):
                for us_order in (False, True):
                    when = _when(match, us_order)
                    if when is not None and when.date() == day:
                        return True
    return False


def _around_year(text: str, year: int) -> Iterator[str]:
    """The stretches of ``text`` around each mention of ``year`` (four digits, or two after a
    dot: "01.03.24"), whole words: every written date of that year lies in one, and reading
    them instead of the whole body keeps :func:`writes_day` at ~1 CPU-ms a page, not ~11."""
    for mention in re.finditer(rf"{year}|\.\s?{year % 100:02d}\b", text):
        start = text.rfind(" ", 0, max(0, mention.start() - 40)) + 1
        end = text.find(" ", mention.end() + 12)
        yield text[start : end if end >= 0 else len(text)]


def byline_dates(
    tree: lxml_html.HtmlElement, fetched: datetime, us: bool = False
) -> Byline:
    """The first dates in date or byline elements, else near the headline, else after a label.

    The first text that holds a written date decides: dates in later elements belong to
    teasers and comments. A relative date ("2 hours ago", "today") does not end the search: a
    page that writes its date is dated by it, and the first relative one is kept for pages that
    write none (sidebars of "latest news" say "today" on every page of a site). Nor does a
    text holding only an update ("Last Updated: ..."): the published date usually follows it.
    A text longer than :data:`MAX_TEXT` (a container, a WordPress "postmetadata" paragraph) is
    read only for a date within its first :data:`DATELINE_CHARS`, and never for a relative one.
    """
    relative = updated = None
    for text in _texts(tree):
        short = len(text) <= MAX_TEXT
        opening = None if short else DATELINE_CHARS
        published, update = read_date_text(text, us_order=us, opening=opening)
        updated = updated or update
        if published is not None:
            return Byline(published, updated, relative)
        if short and update is None:  # an "Updated ..." line does not end the search
            relative = relative or _relative(text, fetched)
    published, update = read_date_text(_near_headline(tree), us_order=us)
    updated = updated or update
    if published is not None or updated is not None:
        return Byline(published, updated, relative)
    text = body_text(tree)
    for match in _LABEL.finditer(text):
        published, _ = read_date_text(text[match.end() : match.end() + 40], us_order=us)
        if published is not None:
            return Byline(published, relative=relative)
    return Byline(relative=relative)
