"""Blocks and features of the learned block scorer experiment (bench/block_features.py): every
piece of visible text in exactly one block, and labels that count short blocks too."""

from __future__ import annotations

from bench.block_features import (
    NUMERIC,
    held_share,
    page_blocks,
    segment,
    shingles,
    text_grams,
    tokens,
)
from crawler.extract.document import parse_html

PAGE = (
    "<!doctype html><html><head><title>Harbour reopens | Gazette</title>"
    "<script>var menu = 'never text';</script></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
    "<div class='story'><h1>Harbour reopens</h1>"
    "<div>Bare text before the paragraphs.<p>The harbour reopened on Monday after a "
    "month of repairs, the port authority said.</p>Text after a paragraph.</div>"
    "<h2>Ferries</h2><p>Ferries resume their <a href='/t'>timetable</a> next week.</p></div>"
    "<footer>Copyright Gazette</footer></body></html>"
)


def test_every_piece_of_text_lands_in_one_block_in_page_order() -> None:
    blocks = segment(parse_html(PAGE))
    texts = [b.text for b in blocks]
    assert texts == [
        "Home News",
        "Harbour reopens",
        "Bare text before the paragraphs. Text after a paragraph.",
        "The harbour reopened on Monday after a month of repairs, the port authority said.",
        "Ferries",
        "Ferries resume their timetable next week.",
        "Copyright Gazette",
    ]
    all_words = [t for b in blocks for t in tokens(b.text)]
    assert "never" not in all_words  # script text is no block
    assert len(all_words) == len(set(zip(all_words, range(len(all_words)), strict=True)))


def test_link_density_and_context_flags_come_from_the_markup() -> None:
    found = page_blocks(parse_html(PAGE), ours="", second=None)
    col = {name: i for i, name in enumerate(NUMERIC)}
    nav, *_, ferries, footer = found.rows
    assert nav[col["link_density"]] == 1.0 and nav[col["in_nav"]] == 1.0
    assert 0.0 < ferries[col["link_density"]] < 0.5
    assert footer[col["in_footer"]] == 1.0 and footer[col["in_nav"]] == 0.0


def test_a_short_heading_is_held_by_a_text_that_has_its_words_in_a_row() -> None:
    heading = shingles(tokens("Ferries"))
    assert held_share(heading, text_grams("Ferries\nFerries resume next week.")) == 1.0
    assert held_share(heading, shingles(tokens("Ferries resume next week."))) == 0.0  # the old bug
    assert held_share(heading, text_grams("Trains resume next week.")) == 0.0


def test_the_ours_feature_says_which_blocks_our_body_holds() -> None:
    ours = (
        "The harbour reopened on Monday after a month of repairs, the port authority said.\n"
        "Ferries"
    )
    found = page_blocks(parse_html(PAGE), ours=ours, second=None)
    share = [row[NUMERIC.index("ours")] for row in found.rows]
    assert share == [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0]
