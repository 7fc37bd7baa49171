"""Site memory: lines recurring on many pages of one site are dropped, story text is not."""

from __future__ import annotations

from crawler.extract.site_memory import MIN_PAGES, SiteMemory, line_key

PROMPT = "Sign up for our morning newsletter and get the day's news first."


def story(i: int, paragraphs: int = 6) -> str:
    return "\n".join(
        f"Story {i}, paragraph {p}: the council met on day {i} and discussed item {p} at length."
        for p in range(paragraphs)
    )


def test_a_line_on_most_pages_of_a_site_is_dropped_and_the_story_stays() -> None:
    memory = SiteMemory()
    for i in range(10):
        memory.learn("courier", f"{story(i)}\n{PROMPT}")
    cleaned = memory.clean("courier", f"{story(99)}\n{PROMPT}")
    assert cleaned == story(99)


def test_no_memory_no_change_and_sites_do_not_mix() -> None:
    memory = SiteMemory()
    body = f"{story(1)}\n{PROMPT}"
    assert memory.clean("courier", body) == body  # a single page on its own: as extracted
    for i in range(10):
        memory.learn("courier", f"{story(i)}\n{PROMPT}")
    assert memory.clean("gazette", body) == body


def test_a_line_on_few_pages_or_a_small_share_stays() -> None:
    memory = SiteMemory()
    quote = "“We will build it,” the mayor said."
    for i in range(MIN_PAGES - 1):
        memory.learn("courier", f"{story(i)}\n{quote}")
    assert quote in memory.clean("courier", f"{story(50)}\n{quote}")
    for i in range(40):  # seen on 3 of 43 pages: a recurring quote, not the template
        memory.learn("courier", story(100 + i) + (f"\n{quote}" if i == 0 else ""))
    assert quote in memory.clean("courier", f"{story(50)}\n{quote}")


def test_a_repeated_story_is_not_gutted() -> None:
    """The same article on many URLs: every line recurs, but the body is the story."""
    memory = SiteMemory()
    for _ in range(5):
        memory.learn("courier", story(7))
    assert memory.clean("courier", story(7)) == story(7)


def test_memory_round_trips_through_plain_numbers() -> None:
    memory = SiteMemory()
    for i in range(5):
        memory.learn("courier", f"{story(i)}\n{PROMPT}")
    pages, lines = memory.counts("courier")
    assert pages == 5 and lines[line_key(PROMPT)] == 5
    assert all(-(2**63) <= key < 2**63 for key in lines)  # fits an SQLite INTEGER
    restored = SiteMemory()
    restored.load("courier", pages, lines)
    assert restored.clean("courier", f"{story(9)}\n{PROMPT}") == story(9)
    assert line_key("- Sign up for our  MORNING newsletter!") == line_key(
        "Sign up for our morning newsletter"
    )
