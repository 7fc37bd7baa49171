"""Signals of the referee experiment (bench/referee_signals.py): readability-lxml's reading of a
page, and what the markup says about a text."""

from __future__ import annotations

import json
from pathlib import Path

from bench.referee_signals import (
    Logistic,
    TextSignals,
    pair_signals,
    prose_by_text,
    readability_text,
)
from crawler.extract.blocks import BlockIndex
from crawler.extract.document import parse_html
from crawler.extract.prose import story_paragraphs

STORY = [
    "The philosophy department is hiring a professor who works on experiments about how "
    "ordinary people think about knowledge, freedom and responsibility in their daily lives.",
    "Applications from experimental philosophers would be of real interest to the committee, "
    "which values interdisciplinary work and methods borrowed from the cognitive sciences.",
]
NAMES = [f"{first} {last}" for first in ("Adam", "Alice", "Bruno", "Carla", "Dmitri", "Eva",
         "Farid", "Greta", "Hugo", "Ines") for last in ("Arico", "Bear", "Feltz", "Mele",
         "Knobe", "Nahmias")]  # fmt: skip


def blog_page() -> str:
    """A two-paragraph post beside a 60-name blogroll: trafilatura's known trap."""
    roll = "".join(f"<li><a href='/people/{i}'>{name}</a></li>" for i, name in enumerate(NAMES))
    story = "".join(f"<p>{text}</p>" for text in STORY)
    return (
        "<!doctype html><html><head><title>Faculty position | Notes</title></head><body>"
        "<div id='wrap'><div id='main'><div class='post'><h2>Faculty position</h2>"
        f"<div class='entry'>{story}</div></div></div>"
        f"<div id='sidebar'><h3>Contributors</h3><ul>{roll}</ul></div></div></body></html>"
    )


def test_readability_text_is_the_post_not_the_blogroll() -> None:
    text = readability_text(parse_html(blog_page()))
    assert STORY[0] in text and STORY[1] in text
    assert "Dmitri Knobe" not in text


def test_readability_leaves_the_callers_tree_alone() -> None:
    tree = parse_html(blog_page())
    before = len(list(tree.iter()))
    readability_text(tree)
    assert len(list(tree.iter())) == before


def test_text_signals_measure_links_and_prose() -> None:
    tree = parse_html(blog_page())
    prose = prose_by_text(story_paragraphs(tree))
    index = BlockIndex.build(tree)
    roll = TextSignals.of("\n".join(NAMES[:10]), index, prose)
    post = TextSignals.of("\n".join(STORY), index, prose)
    assert roll.link_share == 1.0 and roll.prose_share == 0.0 and roll.prose_cover == 0.0
    assert post.link_share == 0.0 and post.prose_share == 1.0 and post.prose_cover == 1.0


def test_pair_signals_say_how_much_each_text_holds_of_the_other() -> None:
    tree = parse_html(blog_page())
    prose = prose_by_text(story_paragraphs(tree))
    index = BlockIndex.build(tree)
    ours, theirs = "\n".join([*STORY, *NAMES]), "\n".join(STORY)  # ours: the post + blogroll
    x = pair_signals(ours, TextSignals.of(ours, index, prose), theirs,
                     TextSignals.of(theirs, index, prose), 60)  # fmt: skip
    ours_in_theirs, theirs_in_ours = x[-2], x[-1]
    assert ours_in_theirs < 0.5
    assert theirs_in_ours == 1.0


def test_logistic_applies_its_stored_standardisation(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    model = {"mean": [10.0], "scale": [2.0], "coef": [3.0], "intercept": 0.0, "threshold": 0.5}
    path.write_text(json.dumps(model))
    loaded = Logistic.load(path)
    assert loaded.says_yes([10.5]) and not loaded.says_yes([9.5])
