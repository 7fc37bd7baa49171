"""The date stage's last resort, htmldate's text search, with dateparser reading only the
page's declared languages and English (crawler/extract/textdate.py), on hand-made pages."""

from __future__ import annotations

from datetime import date

import pytest
from htmldate import extractors

from crawler.extract.bylines import writes_day
from crawler.extract.document import parse_html
from crawler.extract.pubdate import page_dates
from crawler.extract.textdate import date_languages

FETCHED = "2026-11-20T12:00:00+00:00"


def polish_page(lang: str | None) -> str:
    """A page whose only date is written in Polish words no htmldate pattern reads: only
    dateparser, in Polish, reads "24 lipca 2012" as 24 July 2012."""
    declared = f' lang="{lang}"' if lang else ""
    return (
        f"<!doctype html><html{declared}><head><title>Nowy most</title></head><body>"
        '<h1>Nowy most na Wiśle</h1><div class="meta"><span>24 lipca 2012, 07:29</span></div>'
        "<p>Rada miasta zatwierdziła budowę nowego mostu, który ma połączyć oba brzegi rzeki "
        "jeszcze przed zimą; prace ruszą w przyszłym miesiącu.</p></body></html>"
    )


def test_the_languages_read_are_those_declared_that_dateparser_knows_then_english() -> None:
    assert date_languages(["de-AT", "fr_FR", None, "xx", "de"]) == ("de", "fr", "en")
    assert date_languages(["EN-us"]) == ("en",)
    assert date_languages([]) == ("en",)


def test_a_date_only_dateparser_reads_is_read_in_the_language_the_page_declares() -> None:
    for lang in ("pl", "pl-PL"):
        dates = page_dates(polish_page(lang), "", {"fetched_at": FETCHED})
        assert (dates.day, dates.source) == (date(2012, 7, 24), "text")


def test_a_language_the_page_does_not_declare_is_not_read() -> None:
    """The price of the restriction: the words stay unread, so htmldate falls back to the year
    (never to a day the page does not write)."""
    dates = page_dates(polish_page(None), "", {"fetched_at": FETCHED})
    assert dates.day != date(2012, 7, 24)
    assert dates.day is None or dates.day.year == 2012


def test_an_answer_read_in_one_pages_languages_is_not_reused_on_another_page() -> None:
    """htmldate caches each string's reading; the cache is emptied after each search, so a
    page's date never depends on the pages the process read before."""
    alone = page_dates(polish_page(None), "", {"fetched_at": FETCHED})
    page_dates(polish_page("pl"), "", {"fetched_at": FETCHED})
    after = page_dates(polish_page(None), "", {"fetched_at": FETCHED})
    assert after == alone


def test_htmldates_own_parser_is_back_in_place_after_the_search() -> None:
    own = extractors.get_external_parser
    page_dates(polish_page("pl"), "", {"fetched_at": FETCHED})
    assert extractors.get_external_parser is own


PARAGRAPH = (
    "<p>The harbour board agreed on a new timetable for the ferries after a winter of "
    "cancellations, and promised that the night crossing would run again from the spring.</p>"
)


def footnoted_page(inside: str = "", footer: str = "") -> str:
    """An English page with no date markup and no byline: a sentence deep in the story (past
    the text read near the headline) and the footer are all the text search can read."""
    return (
        '<!doctype html><html lang="en"><head><title>Ferries</title></head><body><article>'
        f"<h1>Ferries back on time</h1>{PARAGRAPH * 5}{inside}{PARAGRAPH}</article>"
        f"<footer>{footer}</footer></body></html>"
    )


def test_a_copyright_year_is_not_read_as_the_first_of_january() -> None:
    """htmldate's text search answers 2025-01-01 for "© 2025": a day the page never writes."""
    html = footnoted_page(footer="<p>© 2025 Harbour News. All rights reserved.</p>")
    dates = page_dates(html, "", {"fetched_at": FETCHED})
    assert (dates.published, dates.source) == (None, "none")


def test_a_month_and_year_are_not_read_as_the_first_of_the_month() -> None:
    html = footnoted_page("<p>This report was written in October 2012 for the board.</p>")
    assert page_dates(html, "", {"fetched_at": FETCHED}).published is None


@pytest.mark.parametrize(
    "sentence",
    [
        "<p>The board met on 1 March 2024 to agree on it.</p>",
        "<p>Die Sitzung war am 01.03.2024 im Rathaus.</p>",
        "<p>Minutes of the meeting held 2024-03-01 are online.</p>",
    ],
)
def test_the_first_of_a_month_the_page_writes_is_kept(sentence: str) -> None:
    dates = page_dates(footnoted_page(sentence), "", {"fetched_at": FETCHED})
    assert (dates.day, dates.source) == (date(2024, 3, 1), "text")


def test_writes_day_reads_the_forms_of_the_byline_reader_in_either_numeric_order() -> None:
    tree = parse_html("<html><body><p>Posted 03/01/2024 by the board</p></body></html>")
    assert writes_day(tree, date(2024, 3, 1)) and writes_day(tree, date(2024, 1, 3))
    assert not writes_day(tree, date(2024, 3, 2))
    # only the words around the year are read, whole: "21" is never cut down to "1"
    long_way = "<p>La junta se reunió el miércoles 21 de septiembre de 2022 en el puerto</p>"
    tree = parse_html(f"<html><body>{long_way}</body></html>")
    assert writes_day(tree, date(2022, 9, 21)) and not writes_day(tree, date(2022, 9, 1))
