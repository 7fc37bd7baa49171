"""Site memory: lines recurring on many pages of one site are dropped, story text is not."""

from __future__ import annotations

import pickle

from crawler.extract.site_memory import (
    MIN_PAGES,
    SiteMemory,
    body_keys,
    line_key,
    strip_template,
)

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


def test_memory_starts_from_stored_counts_and_hands_back_only_what_it_learnt() -> None:
    taught = SiteMemory()
    for i in range(5):
        taught.learn("courier", f"{story(i)}\n{PROMPT}")
    pages, lines = taught.take_unsaved()["courier"]
    assert pages == 5 and lines[line_key(PROMPT)] == 5
    assert all(-(2**63) <= key < 2**63 for key in lines)  # fits an SQL BIGINT
    assert taught.take_unsaved() == {}  # handed over once
    asked: list[str] = []

    def load(source: str) -> tuple[int, dict[int, int]]:
        asked.append(source)
        return (pages, lines) if source == "courier" else (0, {})

    restored = SiteMemory(load=load)
    assert restored.clean("courier", f"{story(9)}\n{PROMPT}") == story(9)
    restored.learn("courier", story(10))
    assert restored.take_unsaved()["courier"][0] == 1  # increments only, not the loaded 5
    assert asked == ["courier"]  # loaded once, on first use
    assert line_key("- Sign up for our  MORNING newsletter!") == line_key(
        "Sign up for our morning newsletter"
    )


def test_the_template_is_one_object_until_it_changes() -> None:
    """Every page of a source carries the same set: pickled once per worker call."""
    menu = "\n".join(f"Menu entry {k} of the site" for k in range(200))
    memory = SiteMemory()
    for i in range(40):
        memory.learn("courier", f"{story(i)}\n{PROMPT}\n{menu}")
    first = memory.template("courier")
    assert line_key(PROMPT) in first and len(first) == 201
    assert memory.template("courier") is first
    memory.learn("courier", f"{story(41)}\n{PROMPT}\n{menu}")  # 1 more: not worked out
    assert memory.template("courier") is first
    hints = [{"site_template": first, "url": f"u{i}"} for i in range(64)]
    one = len(pickle.dumps([{"site_template": first}]))  # ~2 KB of keys
    assert one > 201 * 8
    assert len(pickle.dumps(hints)) < one + 64 * 40  # the set once, then a reference a page


def test_strip_template_only_with_a_template() -> None:
    body = f"{story(1)}\n{PROMPT}"
    assert strip_template(body, frozenset()) == body
    assert strip_template(body, frozenset({line_key(PROMPT)})) == story(1)
    assert body_keys(body) and set(body_keys(body)) == {line_key(x) for x in body.splitlines()}
