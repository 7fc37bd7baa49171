"""The ninth round's harness (bench/stories_ninth.py): its moves are told apart by kind and
by the size of the story, as the docs' table reads them; bad settings are refused."""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from story_corpus import _mixed, late_story, misplaced_member, two_events_one_story

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.stories_ninth import DEFAULTS, main, placed_moves, setting  # noqa: E402
from tidings.core.stories import StoryClusterer  # noqa: E402


def kinds(docs: list, clusterer: StoryClusterer | None = None) -> list[tuple[str, int]]:
    clusterer = clusterer or StoryClusterer(DEFAULTS)
    return [made for d in docs for made in placed_moves(clusterer, d)]


def test_each_step_is_counted_under_its_own_kind() -> None:
    assert ("fold", 0) in kinds(late_story())
    assert ("re-home", 0) in kinds(misplaced_member())
    assert ("split", 0) in kinds(two_events_one_story())


def one_story_then_two(seed: int = 1) -> list[dict]:
    """Twenty articles that tell two events faintly (one story), then each event's own
    articles in turn: the story's members fit the events' new stories better as they grow
    (seed chosen so they do, with the defaults)."""
    rng = random.Random(seed)
    docs = [_mixed(f"m{i}", {"A": 0.2, "B": 0.2}, rng) for i in range(20)]
    return docs + [_mixed(f"{e}{i}", {e: 0.4}, rng) for i in range(8) for e in "AB"]


def test_the_larger_bound_lets_members_of_a_larger_story_move() -> None:
    """With ``split_max`` 16 the twenty-article story dropped its members: only moves into it
    or out of stories of 16 at most; with 32 its own members are re-homed too, counted in the
    17–24 bucket."""
    past_16 = {m: sum(b > 0 for _, b in kinds(one_story_then_two(), StoryClusterer(
        setting(m, 0.8, 4)))) for m in (16, 32)}  # fmt: skip
    assert past_16[32] > past_16[16]


def test_a_malformed_setting_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--only", "paired", "--setting", "24,0.8"])
    assert exit_.value.code == 2 and "split_max,second_chance,neighbours" in capsys.readouterr().err


def test_setting_changes_only_the_three_knobs() -> None:
    assert setting(24, 0.9, 8) == replace(DEFAULTS, split_max=24, second_chance=0.9, neighbours=8)
