"""Publication dates on hand-made pages no data set has: each signal alone, precedence on ties,
conflicts, dates after the fetch, relative dates, month names in every language the byline
reader claims, pages without a URL."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from crawler.extract import extract_article
from crawler.extract.bylines import MONTH_LOCALES, read_date_text
from crawler.extract.pubdate import PageDates, page_dates

FETCHED = "2026-11-20T12:00:00+00:00"
TEXT = (
    "<p>The harbour board agreed on a new timetable for the ferries after a winter of "
    "cancellations, and promised that the night crossing would run again from the spring.</p>"
    "<p>Passengers had complained for months about boats leaving early or not at all; the board "
    "said two new crews were hired and the older vessel would be kept as a spare.</p>"
)


def page(head: str = "", byline: str = "") -> str:
    return (
        '<!doctype html><html lang="en-GB"><head><title>Ferries back on time</title>'
        f"{head}</head><body><article><h1>Ferries back on time</h1>{byline}{TEXT}</article>"
        "</body></html>"
    )


def ld(**dates: str) -> str:
    obj = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Ferries"}
    return f'<script type="application/ld+json">{json.dumps({**obj, **dates})}</script>'


def meta(value: str) -> str:
    return f'<meta property="article:published_time" content="{value}">'


def dated(html: str, url: str | None = "", **hints: str) -> PageDates:
    return page_dates(html, url, {"fetched_at": FETCHED, **hints})


def day_and_source(found: PageDates) -> tuple[str | None, str]:
    return (found.day.isoformat() if found.day else None), found.source


# -- each signal alone ---------------------------------------------------------------------

ALONE = {
    "jsonld": (page(ld(datePublished="2024-05-01T10:00:00+02:00")), "", {}),
    "meta": (page(meta("2024-05-01T10:00:00+02:00")), "", {}),
    "time-tag": (page(byline='<time datetime="2024-05-01T10:00:00+02:00">1 May</time>'), "", {}),
    "byline": (page(byline='<p class="byline">By Ann Lee, 1 May 2024</p>'), "", {}),
    "feed": (page(), "", {"feed_published": "Wed, 01 May 2024 08:00:00 GMT"}),
    "sitemap": (page(), "", {"sitemap_published": "2024-05-01T10:00:00+02:00"}),
    "url": (page(), "https://harbour.example/2024/05/01/ferries", {}),
}


@pytest.mark.parametrize("source", sorted(ALONE))
def test_each_signal_alone_dates_the_page_and_names_itself(source: str) -> None:
    html, url, hints = ALONE[source]
    assert day_and_source(dated(html, url, **hints)) == ("2024-05-01", source)


# -- precedence and conflicts ----------------------------------------------------------------


def test_on_a_tie_the_crawler_hints_rank_feed_then_sitemap_then_url() -> None:
    """htmldate reads only the page, so between these hints nothing but precedence decides."""
    url = "https://harbour.example/2024/05/03/ferries"
    feed = {"feed_published": "Wed, 01 May 2024 08:00:00 GMT"}
    sitemap = {"sitemap_published": "2024-05-02T10:00:00+02:00"}
    assert day_and_source(dated(page(), url, **feed, **sitemap)) == ("2024-05-01", "feed")
    assert day_and_source(dated(page(), url, **sitemap)) == ("2024-05-02", "sitemap")


def test_a_page_signal_outranks_the_crawler_hints_on_a_tie() -> None:
    html = page(meta("2024-05-04T10:00:00+02:00"))
    found = dated(html, "", sitemap_published="2024-05-02T10:00:00+02:00")
    assert day_and_source(found) == ("2024-05-04", "meta")
    found = dated(html, "https://harbour.example/2024/05/03/ferries")
    assert day_and_source(found) == ("2024-05-04", "meta")


def test_the_day_most_signals_name_wins_and_its_first_zoned_signal_gives_the_instant() -> None:
    """JSON-LD alone says 1 May; the byline (no zone), the feed and the URL say 3 May."""
    html = page(ld(datePublished="2024-05-01T10:00:00+02:00"), '<p class="date">3 May 2024</p>')
    found = dated(
        html, "https://harbour.example/2024/05/03/f", feed_published="2024-05-03T07:30:00+01:00"
    )
    assert day_and_source(found) == ("2024-05-03", "feed")
    assert found.published_utc == "2024-05-03T06:30:00+00:00"


def test_modified_dates_never_date_the_page_wherever_they_come_from() -> None:
    """dateModified, an "Updated" byline, the feed's updated date and the sitemap's lastmod."""
    html = page(ld(dateModified="2024-05-06T10:00:00Z"), '<p class="date">Updated 6 May 2024</p>')
    hints = {"feed_updated": "2024-05-06T10:00:00Z", "sitemap_lastmod": "2024-05-06"}
    found = dated(html, "", **hints)
    assert (found.published, found.source) == (None, "none")
    assert found.updated is not None and found.updated.date().isoformat() == "2024-05-06"
    # the sitemap's lastmod alone is an update too, not a publication date
    found = dated(page(), "", sitemap_lastmod="2024-05-06")
    assert (found.published, found.updated_utc) == (None, "2024-05-06T00:00:00+00:00")


def test_a_published_date_is_kept_when_the_update_comes_first() -> None:
    byline = '<p class="date">Updated 6 May 2024 · First published 2 May 2024</p>'
    found = dated(page(ld(dateModified="2024-05-06T10:00:00Z"), byline))
    assert day_and_source(found) == ("2024-05-02", "byline")
    assert found.updated_utc == "2024-05-06T10:00:00+00:00"


# -- nothing after the fetch -----------------------------------------------------------------


def test_a_zoned_date_after_the_fetch_is_dropped_for_the_next_signal() -> None:
    """20 hours after the fetch is no publication date, however close: the URL's day stands."""
    html = page(ld(datePublished="2026-11-21T08:00:00Z"))
    found = dated(html, "https://harbour.example/2026/11/19/ferries")
    assert day_and_source(found) == ("2026-11-19", "url")


def test_a_page_whose_only_date_is_in_the_future_gets_none_not_a_guess() -> None:
    """htmldate's text search would read "2026-11-21..." as November and invent the 1st."""
    found = dated(page(ld(datePublished="2026-11-21T08:00:00Z")))
    assert (found.published, found.source) == (None, "none")
    found = dated(page(), "", feed_published="2027-01-01T08:00:00Z")
    assert (found.published, found.source) == (None, "none")


def test_an_update_after_the_fetch_is_dropped_too() -> None:
    html = page(ld(datePublished="2026-11-02T08:00:00Z", dateModified="2026-11-22T08:00:00Z"))
    found = dated(html, "", sitemap_lastmod="2026-11-10")
    assert found.published_utc == "2026-11-02T08:00:00+00:00"
    assert found.updated_utc == "2026-11-10T00:00:00+00:00"  # the next update in order


def test_a_few_minutes_of_clock_skew_are_tolerated_but_never_stored_after_the_fetch() -> None:
    found = dated(page(meta("2026-11-20T12:05:00+00:00")))
    assert found.source == "meta" and found.published_utc == FETCHED


def test_a_day_already_begun_east_of_utc_is_kept_but_never_stored_after_the_fetch() -> None:
    """At 12:00 UTC it is already 21 November in Auckland: a page may say so without a zone.
    Its day is kept; the instant stored is the fetch time, never later."""
    found = dated(page(ld(datePublished="2026-11-21")))
    assert day_and_source(found) == ("2026-11-21", "jsonld")
    assert found.published_utc == FETCHED
    # an offset that puts the instant before the fetch is simply taken
    found = dated(page(ld(datePublished="2026-11-21T01:00:00+14:00")))
    assert found.published_utc == "2026-11-20T11:00:00+00:00"
    # a wall time no zone has reached yet is dropped
    found = dated(page(ld(datePublished="2026-11-21T03:00:00")))
    assert found.published is None
    record = extract_article(page(ld(datePublished="2026-11-21")), "", {"fetched_at": FETCHED})
    assert record["published_at"] == FETCHED


# -- relative dates --------------------------------------------------------------------------

#: phrase -> how long before the fetch (12:00 UTC) it puts the publication
RELATIVE = {
    "2 hours ago": timedelta(hours=2), "an hour ago": timedelta(hours=1),
    "5 mins ago": timedelta(minutes=5), "2h ago": timedelta(hours=2),
    "3 days ago": timedelta(days=3), "1 week ago": timedelta(weeks=1),
    "vor 2 Std.": timedelta(hours=2), "vor einer Stunde": timedelta(hours=1),
    "il y a 3 jours": timedelta(days=3), "hace 2 horas": timedelta(hours=2),
    "yesterday": timedelta(hours=36),  # the day before, no time of day: its midnight
    "Yesterday at 10:30 pm": timedelta(hours=13, minutes=30),
    "Heute, 08:15 Uhr": timedelta(hours=3, minutes=45),
}  # fmt: skip


@pytest.mark.parametrize("phrase", sorted(RELATIVE))
def test_a_relative_byline_is_resolved_against_the_fetch_time(phrase: str) -> None:
    found = dated(page(byline=f'<span class="date">{phrase}</span>'))
    expected = datetime.fromisoformat(FETCHED) - RELATIVE[phrase]
    assert (found.published_utc, found.source) == (expected.isoformat(), "byline")


def test_a_relative_byline_follows_the_fetch_time_not_the_clock() -> None:
    html = page(byline='<span class="date">2 hours ago</span>')
    found = page_dates(html, "", {"fetched_at": "2019-03-01T09:00:00+00:00"})
    assert found.published_utc == "2019-03-01T07:00:00+00:00"


def test_a_written_date_beats_a_relative_one() -> None:
    byline = '<span class="date">2 hours ago</span><p class="date">Published 3 May 2024</p>'
    assert day_and_source(dated(page(byline=byline))) == ("2024-05-03", "byline")


# -- month names ------------------------------------------------------------------------------

MONTHS = {
    "3 May 2024": "2024-05-03",
    "Sept. 3, 2024": "2024-09-03",
    "3. März 2024": "2024-03-03",
    "3. Maerz 2024": "2024-03-03",
    "3. Jänner 2024": "2024-01-03",
    "3 févr. 2024": "2024-02-03",
    "1er déc. 2023": "2023-12-01",
    "3 avr. 2024": "2024-04-03",
    "3 ene. 2024": "2024-01-03",
    "15 de dic. de 2023": "2023-12-15",
    "3 giu 2024": "2024-06-03",
    "2 ott 2024": "2024-10-02",
    "5 de maio de 2024": "2024-05-05",
    "3 out. 2024": "2024-10-03",
    "4 fev 2024": "2024-02-04",
    "3 mrt 2024": "2024-03-03",
    "3 mei 2024": "2024-05-03",
}


@pytest.mark.parametrize("text", sorted(MONTHS))
def test_month_names_and_abbreviations_of_every_claimed_language(text: str) -> None:
    published, _ = read_date_text(text)
    assert published is not None and published.date().isoformat() == MONTHS[text]


def test_month_tables_agree_across_languages() -> None:
    """One name, one month: a name two locales share must mean the same month in both."""
    from babel.dates import get_month_names

    seen: dict[str, int] = {}
    for locale in MONTH_LOCALES:
        for number, name in get_month_names("abbreviated", "format", locale).items():
            assert seen.setdefault(name.lower().rstrip("."), number) == number, (locale, name)


def test_a_german_byline_zone_is_read() -> None:
    published, _ = read_date_text("17. März 2023, 17:30 Uhr MESZ")
    assert published is not None and published.utcoffset().total_seconds() == 2 * 3600


# -- pages without a URL ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["", None])
def test_a_page_without_a_url_is_dated_from_its_markup(url: str | None) -> None:
    html = page(ld(datePublished="2024-05-01T10:00:00+02:00"))
    assert day_and_source(dated(html, url)) == ("2024-05-01", "jsonld")
    assert day_and_source(dated(page(), url)) == (None, "none")


def test_the_record_of_a_page_without_a_url_has_its_date() -> None:
    html = page(byline='<p class="byline">By Ann Lee, 1 May 2024</p>')
    record = extract_article(html, "", {"fetched_at": FETCHED})
    assert record["published_at"] == "2024-05-01T00:00:00+00:00"
    assert record["date_source"] == "byline"
    assert datetime.fromisoformat(record["published_at"]) <= datetime.fromisoformat(FETCHED)


def test_two_page_signals_that_disagree_are_settled_by_htmldates_reading() -> None:
    """JSON-LD says 1 May, the meta tag 2 May: one vote each. htmldate's half vote (it reads
    the same markup, by its own order) names one of them and decides; precedence would not."""
    from htmldate import find_date

    html = page(ld(datePublished="2024-05-01T10:00:00+02:00") + meta("2024-05-02T10:00:00+02:00"))
    named = find_date(html, original_date=True, extensive_search=False, max_date="2026-11-20")
    assert named in ("2024-05-01", "2024-05-02")
    found = dated(html)
    assert found.day is not None and found.day.isoformat() == named
    assert found.source == ("jsonld" if named == "2024-05-01" else "meta")


WORDPRESS_FILED = (
    " and is filed under Harbours, Ferries, Local news. You can follow any responses to this "
    "entry through the RSS 2.0 feed. You can leave a response, or trackback from your own site."
)


def test_a_wordpress_postmetadata_paragraph_is_a_byline_read_by_its_opening() -> None:
    """WordPress themes print the date in a long ``postmetadata`` paragraph after the story;
    the date that opens it is read, with its time even past the opening."""
    html = page(
        byline=f'<p class="postmetadata alt">This entry was posted on Saturday, August 25th, '
        f"2012 at 12:23 am{WORDPRESS_FILED}</p>"
    )
    found = dated(html)
    assert found.source == "byline"
    assert found.published_local == "2012-08-25T00:23:00+00:00"


def test_a_long_marked_text_is_not_read_past_its_opening() -> None:
    """A date deep in a long container belongs to its content (a teaser, a quoted day); the
    short byline after it dates the page."""
    container = (
        '<div class="post-meta">Filed by the harbour desk with reporting from the islands, '
        "where the council first discussed the timetable on 3 May 2019 and again this spring "
        f"{WORDPRESS_FILED}</div>"
    )
    found = dated(page(byline=container + '<span class="date">4 May 2024</span>'))
    assert day_and_source(found) == ("2024-05-04", "byline")


def test_a_relative_word_in_a_long_marked_text_does_not_date_the_page() -> None:
    """ "Today" in a long container (a list of related posts) is no byline: only a short one's
    relative date stands in for a written date."""
    container = (
        f'<div class="post-meta">Related posts: the course re-opens today{WORDPRESS_FILED}</div>'
    )
    found = dated(page(byline=container))
    assert found.day != datetime.fromisoformat(FETCHED).date()
