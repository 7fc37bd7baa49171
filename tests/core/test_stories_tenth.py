"""The tenth round's harness (bench/stories_tenth.py): its feature variants read what they say,
its clusterers read the variant's features, its step variants act only under their
conditions, and an unknown variant is refused."""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import pytest
from story_corpus import _mixed, corpus

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.stories_tenth import (  # noqa: E402
    DEFAULTS,
    ClearWinner,
    LargePartsSplit,
    Setup,
    entity_words,
    featured,
    main,
    with_views,
)
from tidings.core.stories import StoryClusterer  # noqa: E402
from tidings.core.stories.features import features_of  # noqa: E402

ARTICLE = {
    "id": "a1",
    "title": "Chargers' Jackson arrested",
    "body": "Vincent Jackson was arrested in San Diego. Jackson denies it.",
    "entities": [
        {"key": "vincent jackson", "label": "PERSON", "text": "Vincent Jackson"},
        {"key": "jackson", "label": "PERSON", "text": "Jackson"},
        {"key": "san diego", "label": "GPE", "text": "San Diego"},
    ],
}


def test_entity_words_share_a_name_s_parts_and_double_only_the_labels_asked() -> None:
    plain = entity_words()(ARTICLE)
    assert plain["jackson"] == pytest.approx(1 + math.log(2))  # "vincent jackson" and "jackson"
    assert plain["diego"] == 1.0
    doubled = entity_words(doubled=frozenset({"PERSON"}))(ARTICLE)
    assert doubled["jackson"] == pytest.approx(1 + math.log(4)) and doubled["diego"] == 1.0
    people = entity_words(frozenset({"PERSON"}))(ARTICLE)
    assert "diego" not in people and "vincent" in people


def test_with_views_replaces_only_the_views_named() -> None:
    base = features_of(ARTICLE)
    changed = with_views(entities=entity_words())(ARTICLE)
    assert changed.views["entities"] != base.views["entities"]
    assert {v: changed.views[v] for v in ("title", "text", "names")} == {
        v: base.views[v] for v in ("title", "text", "names")
    }


def place_all(clusterer: StoryClusterer, docs: list[dict]) -> dict[str, str]:
    pred = {}
    for d in docs:
        placed = clusterer.add(d, features_of(d))
        pred[d["id"]] = placed.story_id
        for move in placed.moves:
            pred.update(dict.fromkeys(move.moved, move.target))
    return pred


def test_a_featured_clusterer_reads_the_setup_s_features_not_the_ones_passed() -> None:
    """Given features with no terms, no article finds a candidate: every one is alone, while
    the product's own features group the corpus's stories."""
    docs = corpus()
    blank = Setup("blank", lambda: StoryClusterer(DEFAULTS),
                  lambda a: features_of({"id": a["id"]}))  # fmt: skip
    alone = place_all(featured(blank), docs)
    grouped = place_all(featured(Setup("defaults", lambda: StoryClusterer(DEFAULTS))), docs)
    assert len(set(alone.values())) == len(docs)
    assert len(set(grouped.values())) < len(docs)


class _Story:
    def __init__(self, sid: str, size: int) -> None:
        self.id, self.size = sid, size


def test_a_clear_winner_joins_under_its_bar_only_with_the_margin_and_the_size() -> None:
    clusterer = ClearWinner(DEFAULTS, relax=0.6, margin=2.0)
    clusterer._bar = lambda story: 0.18  # type: ignore[method-assign]
    big, small, other = _Story("s1", 5), _Story("s2", 2), _Story("s3", 5)
    assert clusterer._choose([(0.12, big), (0.05, other)], {})[0] is big
    assert clusterer._choose([(0.12, big), (0.07, other)], {})[0] is None  # margin 1.7
    assert clusterer._choose([(0.10, big), (0.01, other)], {})[0] is None  # under 0.6 × bar
    assert clusterer._choose([(0.12, small), (0.01, other)], {})[0] is None  # 2 members


def test_a_large_parts_split_cuts_only_when_both_parts_can_be_that_large() -> None:
    """Two events told with a fifth of each other's words fall into one story that the
    product's split keeps; at share 0.9 a cut into parts of 4 or more is made, and none when
    ``least`` is 9 (a story checked by the split holds 16 members at most)."""
    rng = random.Random(2)
    docs = [_mixed(f"{e}{i}", {e: 0.4, "B" if e == "A" else "A": 0.2}, rng)
            for i in range(8) for e in "AB"]  # fmt: skip
    stories = {
        name: len(set(place_all(make(), docs).values()))
        for name, make in {
            "product": lambda: StoryClusterer(DEFAULTS),
            "least 4": lambda: LargePartsSplit(DEFAULTS, 4, 0.9),
            "least 9": lambda: LargePartsSplit(DEFAULTS, 9, 0.9),
        }.items()
    }
    assert stories == {"product": 1, "least 4": 2, "least 9": 1}


def test_an_unknown_variant_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--only", "paired", "--setup", "no such thing"])
    assert exit_.value.code == 2 and "no such variant" in capsys.readouterr().err
