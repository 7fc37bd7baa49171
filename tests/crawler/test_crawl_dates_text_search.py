"""The date stage's last resort, htmldate's text search, with dateparser reading only the
page's declared languages and English (crawler/extract/textdate.py), on hand-made pages."""

from __future__ import annotations

from datetime import date

from htmldate import extractors

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
