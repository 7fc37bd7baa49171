"""Publication dates: bylines, relative dates, the page's own offset, votes, future and modified."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from crawler.extract import extract_article
from crawler.extract.bylines import read_date_text
from crawler.extract.dates import parse_moment
from crawler.extract.document import parse_html
from crawler.extract.metadata import read_metadata
from crawler.extract.pubdate import page_dates

FETCHED = "2026-11-20T12:00:00+00:00"
TEXT = (
    "<p>The city council voted on Tuesday to build a new footbridge across the river, ending a "
    "debate that has run for more than two years and divided residents of both banks.</p>"
    "<p>Supporters say the bridge will cut journeys to the station by a quarter of an hour; "
    "opponents fear the cost will rise, as it did for the tram line, and that trees will go.</p>"
)


def page(head: str = "", byline: str = "", lang: str = "en-GB") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><title>Council backs bridge</title>{head}'
        f"</head><body><article><h1>Council backs bridge</h1>{byline}{TEXT}</article></body></html>"
    )


def ld(**dates: str) -> str:
    obj = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Bridge", **dates}
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def local(day: datetime | None) -> tuple[object, ...] | None:
    return None if day is None else (day.year, day.month, day.day, day.hour, day.minute)


def test_byline_texts_in_several_languages_and_zones() -> None:
    pub, upd = read_date_text("Published 3 May 2024, 10:12 BST")
    assert pub is not None and upd is None
    assert local(pub) == (2024, 5, 3, 10, 12) and pub.utcoffset().total_seconds() == 3600
    pub, _ = read_date_text("May 3, 2024 at 10:12 pm EDT")
    assert local(pub) == (2024, 5, 3, 22, 12) and pub.utcoffset().total_seconds() == -4 * 3600
    assert local(read_date_text("Von: Björn Jahner | 31.10.23")[0]) == (2023, 10, 31, 0, 0)
    assert local(read_date_text("am 12. März 2023 um 17:30 Uhr")[0]) == (2023, 3, 12, 17, 30)
    assert local(read_date_text("3 de mayo de 2024")[0]) == (2024, 5, 3, 0, 0)
    assert local(read_date_text("03/05/2024")[0]) == (2024, 5, 3, 0, 0)  # day first
    assert local(read_date_text("03/05/2024", us_order=True)[0]) == (2024, 3, 5, 0, 0)
    pub, upd = read_date_text("Updated 4 May 2024 · Published 3 May 2024")
    assert (local(pub), local(upd)) == ((2024, 5, 3, 0, 0), (2024, 5, 4, 0, 0))
    assert read_date_text("Version 1.2.3.4, page 12") == (None, None)


def test_an_update_label_with_a_preposition_still_marks_the_modified_date() -> None:
    """"Last updated on ..." is the modified date: never the published one."""
    for text in ("Last updated on 17 December 2025", "Mis à jour le 17 décembre 2025"):
        pub, upd = read_date_text(text)
        assert pub is None and local(upd) == (2025, 12, 17, 0, 0)
    assert local(read_date_text("Published on 17 December 2025")[0]) == (2025, 12, 17, 0, 0)


def test_dateutil_never_invents_a_day() -> None:
    assert parse_moment("May 2024") is None
    assert parse_moment("2024") is None
    assert local(parse_moment("Thu, 05 Nov 2026 09:00:00 GMT")) == (2026, 11, 5, 9, 0)


def test_a_visible_byline_dates_a_page_without_markup() -> None:
    html = page(byline='<p class="article-date">Published 3 May 2024, 23:40 BST</p>')
    r = extract_article(html, "https://courier.example/news/bridge", {"fetched_at": FETCHED})
    assert (r["published_at"], r["date_source"]) == ("2024-05-03T22:40:00+00:00", "byline")
    dates = page_dates(html, "https://courier.example/news/bridge", {"fetched_at": FETCHED})
    assert dates.published_local == "2024-05-03T23:40:00+01:00"  # the page's own day


def test_relative_byline_is_resolved_against_the_fetch_time() -> None:
    html = page(byline='<span class="timestamp">2 hours ago</span>')
    r = extract_article(html, "https://courier.example/news/bridge", {"fetched_at": FETCHED})
    assert (r["published_at"], r["date_source"]) == ("2026-11-20T10:00:00+00:00", "byline")
    html = page(byline='<span class="date">vor 3 Tagen</span>', lang="de")
    r = extract_article(html, "https://courier.example/news/bridge", {"fetched_at": FETCHED})
    assert r["published_at"] == "2026-11-17T12:00:00+00:00"


def test_page_offset_is_kept_for_the_day_and_utc_is_stored() -> None:
    head = '<meta property="article:published_time" content="2020-02-19T00:30:00+01:00">'
    dates = page_dates(page(head), "https://courier.example/news/b", {"fetched_at": FETCHED})
    assert dates.published_local == "2020-02-19T00:30:00+01:00"
    assert dates.published_utc == "2020-02-18T23:30:00+00:00"


def test_a_utc_time_moves_to_the_day_the_byline_shows() -> None:
    """22:54 in New York on 1 May is 02:54 UTC on 2 May: the reader's day is the 1st."""
    html = page(byline='<div class="byline-date">May 1, 2020 10:54 PM</div>', lang="en-US")
    hints = {"fetched_at": FETCHED, "feed_published": "Sat, 02 May 2020 02:54:00 GMT"}
    dates = page_dates(html, "https://courier.example/news/b", hints)
    assert (dates.published_local or "").startswith("2020-05-01") and dates.source == "feed"
    assert dates.published_utc == "2020-05-02T02:54:00+00:00"  # the exact instant is kept


def test_modified_dates_never_stand_in_for_published() -> None:
    html = page(ld(dateModified="2024-05-04T10:00:00Z"), '<p class="meta">Updated 4 May 2024</p>')
    r = extract_article(html, "https://courier.example/news/bridge", {"fetched_at": FETCHED})
    assert r["published_at"] is None and r["date_source"] == "none"
    assert r["updated_at"] == "2024-05-04T10:00:00+00:00"


def test_no_date_after_the_fetch() -> None:
    html = page(byline='<p class="date">Published 3 May 2099</p>')
    r = extract_article(html, "https://courier.example/2026/11/19/bridge", {"fetched_at": FETCHED})
    assert (r["published_at"], r["date_source"]) == ("2026-11-19T00:00:00+00:00", "url")
    fetched = datetime.fromisoformat(FETCHED)
    html = page(byline='<span class="date">in 3 days</span><p class="date">3 May 2099</p>')
    r = extract_article(html, "https://courier.example/news/bridge", {"fetched_at": FETCHED})
    assert r["published_at"] is None or datetime.fromisoformat(r["published_at"]) <= fetched
    assert datetime.now(UTC) > fetched


def test_a_utc_time_takes_the_offset_another_date_of_the_page_states() -> None:
    """JSON-LD in UTC (02:11Z on the 9th), a <time> in Boston's offset: the page's day is 8th."""
    html = page(
        ld(datePublished="2023-11-09T02:11:03Z")
        + '<meta property="article:published_time" content="2023-11-09T02:11:03+00:00">',
        '<time datetime="2023-11-08T21:11:03-05:00">Nov 8</time>',
        lang="en-US",
    )
    dates = page_dates(html, "https://courier.example/news/b", {"fetched_at": FETCHED})
    assert dates.published_local == "2023-11-08T21:11:03-05:00"
    assert dates.published_utc == "2023-11-09T02:11:03+00:00"  # the same instant is stored


def test_the_same_instant_written_twice_gives_the_page_offset() -> None:
    """01:49:09Z and a zoneless 17:49:09 are one instant on a clock 8 hours behind UTC."""
    html = page(
        ld(datePublished="2023-11-09T01:49:09Z", dateModified="2023-11-09T01:49:09Z")
        + '<meta property="article:published_time" content="2023-11-09T01:49:09+00:00">',
        '<time datetime="2023-11-08 17:49:09">Nov 8</time>',
        lang="en-US",
    )
    dates = page_dates(html, "https://courier.example/news/b", {"fetched_at": FETCHED})
    assert dates.published_local == "2023-11-08T17:49:09-08:00"
    # a zoneless date with no time of day (midnight) says nothing about the offset
    midnight = '<time datetime="2023-11-09">9 Nov</time>'
    html = page(ld(datePublished="2023-11-09T05:00:00Z"), midnight)
    dates = page_dates(html, "https://courier.example/news/b", {"fetched_at": FETCHED})
    assert dates.published_local == "2023-11-09T05:00:00+00:00"


def test_json_ld_with_a_stray_closing_brace_still_dates_the_page() -> None:
    """A template that closes the article object once too often: the object before it counts."""
    stray = ld(datePublished="2020-10-26T18:10:00+01:00").replace("</script>", "}</script>")
    dates = page_dates(page(stray), "https://courier.example/news/b", {"fetched_at": FETCHED})
    assert (dates.published_local, dates.source) == ("2020-10-26T18:10:00+01:00", "jsonld")


def test_a_compact_day_at_the_start_of_a_url_segment() -> None:
    url = "https://council.example/texte/22/20220127-memorial-wreath.html"
    dates = page_dates(page(), url, {"fetched_at": FETCHED})
    assert (dates.published_local, dates.source) == ("2022-01-27T00:00:00+00:00", "url")
    # eight digits that run on into more digits are an id, not a day
    assert page_dates(page(), "https://council.example/a/2022012745-x", {}).source == "none"


def test_a_relative_date_in_a_sidebar_does_not_hide_the_written_byline() -> None:
    """'Today' heads a list of other stories; the article's own byline writes its day."""
    sidebar = '<ul class="latest"><li class="date">Today</li><li>Another story</li></ul>'
    byline = '<p class="post-date">Published 29 June 2019</p>'
    html = page(byline=byline).replace("<article>", f"{sidebar}<article>")
    dates = page_dates(html, "https://courier.example/news/b", {"fetched_at": FETCHED})
    assert (dates.published_local, dates.source) == ("2019-06-29T00:00:00+00:00", "byline")


def test_a_date_line_just_above_the_headline_is_the_byline() -> None:
    html = page().replace("<h1>", "<p>02.02.2022 10:16 Uhr - Bundesliga</p><h1>")
    dates = page_dates(html.replace('lang="en-GB"', 'lang="de"'), "", {"fetched_at": FETCHED})
    assert (dates.published_local, dates.source) == ("2022-02-02T10:16:00+00:00", "byline")


def test_a_date_written_in_indian_standard_time_is_read() -> None:
    """IST is 5.5 hours east: its offset must reach dateutil as whole seconds, or the date is
    lost."""
    moment = parse_moment("04:25:06 PM IST Apr 08, 2020")
    assert moment is not None and local(moment) == (2020, 4, 8, 16, 25)
    assert moment.utcoffset().total_seconds() == 5.5 * 3600


def test_an_update_line_does_not_end_the_search_for_the_published_byline() -> None:
    """'Last Updated' first, 'First Published' after it: the published day is the second one."""
    byline = (
        '<p class="date">Last Updated : Apr 09, 2020 05:08 PM</p>'
        '<p class="date">First Published on Apr 8, 2020 04:25 pm</p>'
    )
    dates = page_dates(page(byline=byline), "", {"fetched_at": FETCHED})
    assert (dates.published_local, dates.source) == ("2020-04-08T16:25:00+00:00", "byline")
    assert dates.updated is not None and dates.updated.day == 9


def test_microdata_date_published_on_a_body_element_is_read_as_metadata() -> None:
    """A site-wide date bar ("Wednesday, 8 July 2020": the day the page was served) comes
    first in the page; the article's own ``itemprop="datePublished"`` names its day, and with
    the JSON-LD outvotes the bar (without it they tie, and htmldate reads the bar)."""
    bar = '<div class="header-date">Wednesday, 8 July 2020</div>'
    byline = (
        '<span itemprop="datePublished" content="2020-04-27T18:50:24+02:00">'
        "27.04.2020 - 18:50</span>"
    )
    head = ld(datePublished="2020-04-27T17:58:19+02:00")
    html = page(head, byline=byline).replace("<article>", f"{bar}<article>")
    dates = page_dates(html, "", {"fetched_at": FETCHED})
    assert (dates.published_local, dates.source) == ("2020-04-27T17:58:19+02:00", "jsonld")


def test_microdata_is_looked_for_where_the_page_text_writes_itemprop_in_any_case() -> None:
    """The search over every element runs only for a page whose text writes ``itemprop``
    (attribute names are case-insensitive, and no entity spells one)."""
    html = (
        "<html><body><p>Story</p><span ITEMPROP='datePublished' "
        "content='2020-04-27T18:50:24+02:00'>27.04.2020</span></body></html>"
    )
    tree = parse_html(html)
    published, _ = read_metadata(tree, "https://example.com/a", html).dates["meta"]
    assert published is not None and published.isoformat() == "2020-04-27T18:50:24+02:00"
    assert read_metadata(tree, "https://example.com/a").dates["meta"][0] == published
    unwritten = html.replace("ITEMPROP", "data-x")  # the text decides, not the tree
    assert read_metadata(tree, "https://example.com/a", unwritten).dates["meta"][0] is None


def test_a_date_inside_a_photo_caption_under_the_headline_is_not_the_byline() -> None:
    caption = (
        "<div><img src='a.jpg'><br>FILE PHOTO: The mayor speaks to residents during a meeting "
        "at the town hall near the river in the old quarter of the city, January 16, 2020. "
        "Photographer/Agency</div><p>January 18, 2020</p>"
    )
    dates = page_dates(page(byline=caption), "", {"fetched_at": FETCHED})
    assert (dates.published_local, dates.source) == ("2020-01-18T00:00:00+00:00", "byline")


def test_a_labelled_date_after_a_line_break_is_read() -> None:
    """``14:49:39<br>Erschienen am: 01.11.2023``: the label starts a new line, not a word."""
    footer = (
        "<p>Lesungen: 61<br>Letzte Änderung: 31.10.2023 - 14:49:39<br>"
        "Erschienen am: 01.11.2023<br></p>"
    )
    html = page(lang="de").replace("</article>", f"{TEXT}{TEXT}</article>{footer}")
    dates = page_dates(html, "", {"fetched_at": FETCHED})
    assert (dates.published_local, dates.source) == ("2023-11-01T00:00:00+00:00", "byline")


def test_the_byline_is_read_only_when_it_could_change_the_outcome() -> None:
    """Skipping the byline (most of the stage's cost) must give what reading it gives."""
    from datetime import timedelta, timezone

    from crawler.extract.pubdate import markup_decides

    paris = timezone(timedelta(hours=1))
    pub, mod = datetime(2024, 5, 3, 10, 12, tzinfo=paris), datetime(2024, 5, 4, tzinfo=paris)
    latest = datetime(2026, 1, 1, tzinfo=UTC)
    both = [("jsonld", pub, mod), ("meta", pub, None), ("time-tag", None, None)]
    later = [("feed", None, None), ("sitemap", None, None), ("url", None, None)]
    assert markup_decides(both, later, latest)
    # one vote: a byline and htmldate's half vote could outvote it
    assert not markup_decides([both[0], ("meta", None, None)], later, latest)
    # the update date would come from the byline
    assert not markup_decides([("jsonld", pub, None), ("meta", pub, None)], later, latest)
    # a UTC time waits for a local day to place it
    utc = pub.astimezone(UTC)
    assert not markup_decides([("jsonld", utc, mod), ("meta", utc, None)], later, latest)
    # a day with no zone: a zoned byline would give the stored instant
    day = parse_moment("2024-05-03")
    assert not markup_decides([("jsonld", day, mod), ("meta", day, None)], later, latest)


def test_a_page_the_markup_dates_ignores_a_wrong_byline() -> None:
    head = ld(datePublished="2024-05-03T10:12:00+01:00", dateModified="2024-05-04T09:00:00+01:00")
    head += '<meta property="article:published_time" content="2024-05-03T10:12:00+01:00">'
    byline = '<p class="date">Published 9 May 2024</p>'
    dates = page_dates(page(head, byline), "", {"fetched_at": FETCHED})
    assert (dates.published_local, dates.source) == ("2024-05-03T10:12:00+01:00", "jsonld")


def test_a_visible_byline_outweighs_a_hidden_time_printing_its_own_value() -> None:
    """A ``<time>`` whose text is its ``datetime`` verbatim is markup (read as the time-tag
    signal), not a second, visible byline; the byline a reader sees sits in a BEM-named
    element (``c-article__meta``)."""
    hidden = (
        '<span class="h-hide"><time itemprop="datePublished" datetime="2021-10-27T20:35:36+01:00">'
        "2021-10-27T20:35:36+01:00</time></span>"
    )
    head = '<meta name="date" content="2021-10-28T13:21:30+01:00">'
    byline = '<p class="c-article__meta">Berlin, 28.10.2021, 058/21</p>'
    html = page(head, byline, lang="de").replace("<article>", f"<article>{hidden}")
    dates = page_dates(html, "", {"fetched_at": FETCHED})
    assert dates.day is not None and dates.day.isoformat() == "2021-10-28"
    # on its own, the machine value is no byline (the time-tag signal has it already)
    from crawler.extract.bylines import byline_dates
    from crawler.extract.document import parse_html

    tree = parse_html(html.replace(byline, ""))
    assert byline_dates(tree, datetime.fromisoformat(FETCHED)).published is None
    assert byline_dates(parse_html(html), datetime.fromisoformat(FETCHED)).published.day == 28


def test_a_bare_date_a_time_prints_verbatim_is_a_visible_byline() -> None:
    """Only an ISO date-time ("...T20:35:36+01:00") printed verbatim is machine markup; blogs
    print a bare date verbatim for readers ("Published on 2025-12-19", "December 17th 2025"),
    and a date in a later marked element (a sidebar's) must not win over it."""
    from crawler.extract.bylines import byline_dates
    from crawler.extract.document import parse_html

    sidebar = '<aside><span class="date">2025-12-16</span> Older post</aside></body>'
    for value in ("2025-12-19", "December 19th 2025"):
        shown = f'<p>Published on <time datetime="{value}">{value}</time></p>'
        html = page("", shown).replace("</body>", sidebar)
        found = byline_dates(parse_html(html), datetime.fromisoformat(FETCHED))
        assert found.published is not None and found.published.date().isoformat() == "2025-12-19"
        dates = page_dates(html, "", {"fetched_at": FETCHED})
        assert dates.day is not None and dates.day.isoformat() == "2025-12-19"
