"""Which of a page's dates is its publication date: signals vote, precedence breaks ties.

Signals, in precedence order: JSON-LD ``datePublished``, OpenGraph/meta published tags,
``<time>`` marked as published, the visible byline ("Published 3 May 2024, 10:12 BST",
"03.05.2024"), the feed entry's date, a Google News sitemap ``publication_date``, the day in the
URL, and htmldate's day (a maintained library made for this; half a vote, as it reads much of
the same markup, and only asked when that half vote could change the outcome). Each signal
votes for the day it states; the day with most votes wins. On a tie htmldate is asked first,
and its half vote decides when it names one of the tied days (so two page signals that disagree
are settled by htmldate's reading, not by this order); only otherwise, as between the crawler's
hints, which htmldate does not see, does the signal earliest in that order win. The first of
the winning day's signals that states a zone gives the instant and ``date_source`` (a feed's
zoned time outranks a zoneless byline on the same day). One signal alone is simply taken. Pages that
state no date at all fall back to a relative byline ("2 hours ago", resolved against the fetch
time), then htmldate's extensive text search, reading only the page's languages
(:mod:`crawler.extract.textdate`).

Modified dates (``dateModified``, ``article:modified_time``, "Updated ...", the sitemap's
``lastmod``) are kept apart as ``updated`` and never vote nor stand in for the published date.
No date is later than the fetch (:func:`in_the_past`): a zoned instant after it is a parse
error or an embargo slip and is dropped; a wall time with no zone is kept while some zone
(up to UTC+14) has reached it, and is then stored as the fetch time, its day kept.

Days are the page's days: a date keeps the offset it was written in. A time the page wrote in
UTC ("2020-05-02T02:54Z") may fall on the reader's previous or next day: when another of the
page's dates states the page's offset, or the same instant appears as a zoneless wall-clock time,
UTC times are re-expressed in that offset (:func:`page_offset`); otherwise, when no signal names
its UTC day but one written in local time names a neighbouring day it can reach (offsets -12
to +14 h), it votes for that day. The record stores every instant in UTC.

Cost: the byline search walks the body, most of this stage's time on real pages; it is skipped
when the markup's votes already decide the outcome (:func:`markup_decides`), and htmldate is
asked only when its half vote could change it (:func:`_undecided`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from lxml.html import HtmlElement

from crawler.extract.bylines import Byline, byline_dates
from crawler.extract.dates import FLOATING, local_iso, parse_moment, to_iso, written_in_utc
from crawler.extract.document import decode_html, parse_html
from crawler.extract.metadata import PageMetadata, read_metadata
from crawler.extract.textdate import htmldate_day, text_date
from tidings.core.article import parse_iso, utc_now

#: Clocks of crawler and publisher may differ by this much: a zoned instant later than the
#: fetch by more is a parse error or an embargo slip, not a publication date.
CLOCK_SKEW = timedelta(minutes=10)
#: A wall time with no zone may be in any zone up to UTC+14: it can read this far past the fetch
#: time (as if in UTC) and still be in the past where it was written.
FLOATING_AHEAD = timedelta(hours=14)
#: Votes per signal; htmldate reads much of the markup the others already are.
VOTES = {"htmldate": 0.5}
#: How far a UTC-written time may move to reach the reader's day (the offsets in use).
_WEST, _EAST = timedelta(hours=12), timedelta(hours=14)


@dataclass(frozen=True)
class PageDates:
    """The chosen publication and update dates of a page and the publication date's source."""

    published: datetime | None
    updated: datetime | None
    source: str  # one of tidings.core.article.DATE_SOURCES
    day: date | None = None  # the publication day as the page states it

    @property
    def published_local(self) -> str | None:
        """ISO 8601 in the page's own offset, or just the page's day when only that is known."""
        if self.published is None:
            return None
        if self.day is not None and self.day != self.published.date():
            return self.day.isoformat()
        return local_iso(self.published)

    @property
    def published_utc(self) -> str | None:
        """ISO 8601 UTC, as the record stores it."""
        return to_iso(self.published) if self.published else None

    @property
    def updated_utc(self) -> str | None:
        return to_iso(self.updated) if self.updated else None


def _reader_day(moment: datetime, local_days: set[date]) -> date:
    """The day a signal votes for: its own, or a neighbour its UTC time reaches (see module)."""
    day = moment.date()
    if not written_in_utc(moment) or day in local_days:
        return day
    for near in ((moment - _WEST).date(), (moment + _EAST).date()):
        if near != day and near in local_days:
            return near
    return day


def page_offset(moments: list[datetime]) -> timezone | None:
    """The page's own UTC offset, when one of its dates states it.

    Either a date written with a non-zero offset ("21:11:03-05:00"), or the same instant
    written twice, once in UTC and once as a wall-clock time with no zone ("01:49:09Z" and
    "17:49:09": the page's clock is 8 hours behind UTC). Midnights are dates, not times, and
    say nothing. Precedence order: the first signal that tells wins.
    """
    for moment in moments:
        offset = moment.utcoffset()
        if moment.tzinfo is not FLOATING and offset:
            return timezone(offset)
    utc = [m for m in moments if written_in_utc(m)]
    for wall in moments:
        if wall.tzinfo is not FLOATING or (wall.hour, wall.minute, wall.second) == (0, 0, 0):
            continue
        for moment in utc:
            shift = wall.replace(tzinfo=None) - moment.replace(tzinfo=None)
            if shift and -_WEST <= shift <= _EAST and shift % timedelta(minutes=15) == timedelta():
                return timezone(shift)
    return None


def in_page_offset(signals: list[tuple[str, datetime]]) -> list[tuple[str, datetime]]:
    """Times written in UTC re-expressed in the page's own offset (:func:`page_offset`): the
    same instant, on the day the page's readers saw."""
    offset = page_offset([m for _, m in signals])
    if offset is None:
        return signals
    return [(n, m.astimezone(offset) if written_in_utc(m) else m) for n, m in signals]


def _vote(signals: list[tuple[str, datetime]]) -> tuple[str, datetime, date] | None:
    """(source, moment, day) for the winning day: its first signal in precedence order that
    states a zone (so the stored instant is exact), else its first signal."""
    local = {m.date() for _, m in signals if not written_in_utc(m)}
    days = [(name, moment, _reader_day(moment, local)) for name, moment in signals]
    score: dict[date, float] = {}
    for name, _, day in days:
        score[day] = score.get(day, 0.0) + VOTES.get(name, 1.0)
    if not score:
        return None
    best = max(score.values())
    for_day = [item for item in days if score[item[2]] == best]
    first_day = for_day[0][2]
    # the instant comes from the first signal for that day that states its zone, if any
    zoned = [item for item in for_day if item[2] == first_day and item[1].tzinfo is not FLOATING]
    return zoned[0] if zoned else for_day[0]


def _undecided(signals: list[tuple[str, datetime]]) -> bool:
    """Whether htmldate's half vote could change the outcome: the page's signals tie, or one is
    a UTC time whose day htmldate may place (it costs a few ms a page, so it is asked only then).
    """
    if not signals:
        return False
    local = {m.date() for _, m in signals if not written_in_utc(m)}
    if any(written_in_utc(m) and m.date() not in local for _, m in signals):
        return True  # a UTC time no local date places: htmldate's day may move it
    counts = sorted(Counter(m.date() for _, m in signals).values(), reverse=True)
    return len(counts) > 1 and counts[0] - counts[1] < VOTES["htmldate"]


Found = list[tuple[str, datetime | None, datetime | None]]


def markup_decides(marked: Found, later: Found, fetched: datetime) -> bool:
    """Whether the markup and hints already fix the outcome, so the byline need not be read
    (it walks the whole body: most of this stage's cost on real pages).

    The byline adds one vote and may bring htmldate's half vote: it cannot change a day that
    leads by more than that, whose instant a zoned signal already gives, when no UTC time
    awaits a local day to place it (once in the offset the markup states, if it states one)
    and the markup states the update date itself. Under these
    conditions the result is exactly the one reading the byline gives.
    """
    if not any(upd is not None and in_the_past(upd, fetched) for _, _, upd in marked):
        return False
    found = (*marked, *later)
    moments = [pub for _, pub, _ in found if pub is not None and in_the_past(pub, fetched)]
    # an offset the markup writes comes before any the byline could state (precedence order)
    stated = [m for _, m, _ in marked if m is not None and m.tzinfo is not FLOATING]
    offset = next((timezone(m.utcoffset()) for m in stated if m.utcoffset()), None)
    if offset is not None:
        moments = [m.astimezone(offset) if written_in_utc(m) else m for m in moments]
    if not moments or any(written_in_utc(m) for m in moments):
        return False
    ranked = Counter(m.date() for m in moments).most_common(2)
    lead = ranked[0][1] - (ranked[1][1] if len(ranked) > 1 else 0)
    top = ranked[0][0]
    zoned = any(m.date() == top and m.tzinfo is not FLOATING for m in moments)
    return zoned and lead > 1 + VOTES["htmldate"]


def in_the_past(moment: datetime, fetched: datetime) -> bool:
    """Whether a date can have happened by the fetch: a zoned instant no later than the fetch
    (give or take :data:`CLOCK_SKEW`); a wall time with no zone no later than the fetch's wall
    time in the easternmost zone (:data:`FLOATING_AHEAD`)."""
    ahead = FLOATING_AHEAD if moment.tzinfo is FLOATING else CLOCK_SKEW
    return moment <= fetched + ahead


def _no_later_than(dates: PageDates, fetched: datetime) -> PageDates:
    """A wall time with no zone may read later than the fetch while its day has begun where it
    was written: the page's day is kept, the stored instant is the fetch time (never after it)."""
    if dates.published is None or dates.published <= fetched:
        return dates
    return PageDates(fetched, dates.updated, dates.source, dates.day)


def choose_dates(
    meta: PageMetadata, tree: HtmlElement, hints: dict[str, Any], fetched_at: str
) -> PageDates:
    """Pick published / updated / source from the page's dates and the crawler's hints."""
    fetched = parse_iso(fetched_at) or datetime.now(UTC)
    lastmod = parse_moment(hints.get("sitemap_lastmod"))
    feed = (parse_moment(hints.get("feed_published")), parse_moment(hints.get("feed_updated")))
    marked: Found = [
        ("jsonld", *meta.dates.get("jsonld", (None, None))),
        ("meta", *meta.dates.get("meta", (None, None))),
        ("time-tag", *meta.dates.get("time-tag", (None, None))),
    ]
    later: Found = [
        ("feed", *feed),
        ("sitemap", parse_moment(hints.get("sitemap_published")), None),
        ("url", *meta.dates.get("url", (None, None))),
    ]
    byline = (
        Byline()
        if markup_decides(marked, later, fetched)
        else byline_dates(tree, fetched, us=meta.us_dates)
    )
    found: Found = [*marked, ("byline", byline.published, byline.updated), *later]
    updates = [upd for _, _, upd in found if upd is not None] + ([lastmod] if lastmod else [])
    updated = next((upd for upd in updates if in_the_past(upd, fetched)), None)
    signals = [(n, pub) for n, pub, _ in found if pub is not None and in_the_past(pub, fetched)]
    signals = in_page_offset(signals)
    if _undecided(signals):
        day = htmldate_day(tree, fetched, extensive=False)
        signals += [("htmldate", day)] if day is not None else []
    winner = _vote(signals)
    if winner is not None:
        name, moment, day = winner
        source = "text" if name == "htmldate" else name
        return _no_later_than(PageDates(moment, updated, source, day), fetched)
    relative = byline.relative
    if relative is not None and in_the_past(relative, fetched):
        return _no_later_than(PageDates(relative, updated, "byline", relative.date()), fetched)
    # the sitemap's lastmod is a modified date: it never stands in for the published one
    if any(pub is not None for _, pub, _ in found):
        # the page states a date, only a future one: htmldate's text search would read it as
        # its year and month and invent the 1st of that month
        return PageDates(None, updated, "none")
    text = text_date(tree, fetched, (meta.language, hints.get("language")))
    if text is None or (updated is not None and text.date() == updated.date()):
        return PageDates(None, updated, "none")  # the only date found is the update's
    return _no_later_than(PageDates(text, updated, "text", text.date()), fetched)


def page_dates(
    html: str | bytes, url: str | None, hints: dict[str, Any] | None = None
) -> PageDates:
    """The dates :func:`crawler.extract.extract_article` would give this page (no body work);
    ``url`` may be empty or None (some pages come without one)."""
    hints = hints or {}
    tree = parse_html(decode_html(html, hints.get("content_type")))
    meta = read_metadata(tree, url or "")
    return choose_dates(meta, tree, hints, hints.get("fetched_at") or utc_now())
