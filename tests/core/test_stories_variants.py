"""bench/stories_variants.py: the fourth round's variants change only what they are about.

The decision hook of ``StoryClusterer`` left at its defaults must place articles exactly as the
product does (else the variants' table compares against something else); each variant's own
knob must move placements the way it says; ``compare`` prints one row per variant and set.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from story_corpus import background, corpus

from bench.stories import place
from bench.stories_variants import (
    NO_DATES,
    BarsClusterer,
    MarginClusterer,
    SpecificsClusterer,
    TopicGateClusterer,
    TopicSpace,
    Variant,
    compare,
    news_corpus,
)
from tidings.core.stories import StoryClusterer, features_of


def articles() -> list[dict]:
    return background() + corpus()


def placements(clusterer: StoryClusterer, docs: list[dict]) -> dict[str, str]:
    return {d["id"]: clusterer.add(d, features_of(d)).story_id for d in docs}


def test_variants_at_their_neutral_settings_place_as_the_product_does() -> None:
    docs = articles()
    product = placements(StoryClusterer(NO_DATES), docs)
    assert len(set(product.values())) < len(docs)  # the corpus has stories to join
    assert placements(MarginClusterer(), docs) == product
    assert placements(BarsClusterer(NO_DATES.threshold, NO_DATES.threshold), docs) == product
    assert placements(SpecificsClusterer(), docs) == product


def test_a_margin_no_runner_up_can_leave_keeps_every_article_alone() -> None:
    docs = articles()
    alone = placements(MarginClusterer(strict=2.0), docs)  # cosines sum to at most 1
    assert len(set(alone.values())) == len(docs)


def quake(i: int, toll: str) -> dict:
    body = (
        f"An earthquake struck the coast near Padang, killing {toll} people, officials said. "
        "Rescue teams searched collapsed buildings in Padang."
    )
    return {"id": f"q{i}", "title": "Earthquake near Padang", "body": body}


def test_the_specifics_penalty_splits_same_words_with_different_figures() -> None:
    first, second = quake(1, "75"), quake(2, "1100")
    first["specifics"], second["specifics"] = ["75", "2009"], ["1100", "2013"]
    joined = placements(SpecificsClusterer(), [first, second])
    split = placements(SpecificsClusterer(penalty=2.0), [first, second])
    assert joined["q1"] == joined["q2"]
    assert split["q1"] != split["q2"]
    second["specifics"] = ["75", "2013"]  # one figure shared: no penalty
    assert len(set(placements(SpecificsClusterer(penalty=2.0), [first, second]).values())) == 1


def test_the_topic_space_embeds_known_words_and_nothing_else() -> None:
    texts = [f"{a} {b} market shares rose" for a in ("stocks", "bonds") for b in ("fell", "up")]
    texts += [
        f"{a} earthquake killed {b} people" for a in ("strong", "deadly") for b in ("many", "few")
    ]  # noqa: E501
    texts += [t + " again" for t in texts] + [t + " today" for t in texts]
    space = TopicSpace(texts, dimensions=2)
    vec = space.embed({"earthquake": 1.0, "killed": 1.0})
    assert vec is not None and float(vec @ vec) == pytest.approx(1.0)
    assert space.embed({"zzz": 1.0}) is None
    gate = TopicGateClusterer(space, relax=0.5, dense=0.5, names=0.0)
    assert set(placements(gate, articles())) == {d["id"] for d in articles()}


def test_compare_prints_a_row_per_variant_with_each_set(capsys: pytest.CaptureFixture[str]) -> None:
    docs = articles()
    sets = {"first half": docs[: len(docs) // 2], "all": docs}

    def stories_per_article(part: list[dict]):  # stands in for B3 F1: 1.0 when all alone
        return lambda pred: len(set(pred.values())) / len(part)

    variants = [
        Variant("defaults", lambda: StoryClusterer(NO_DATES)),
        Variant("alone", lambda: MarginClusterer(strict=2.0)),
    ]
    compare(sets, stories_per_article, place, [1, 2], variants)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| variant | first half | all | CPU µs/article |"
    rows = {line.split(" | ")[0].strip("| "): line for line in lines[2:]}
    assert list(rows) == ["defaults", "alone"]
    assert rows["alone"].count("1.0000 (1.000–1.000)") == 2
    assert "1.0000 (1.000–1.000) | " not in rows["defaults"].split(" | ", 2)[2]


def test_without_the_news_corpora_the_lsa_variants_say_what_they_need(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="need bbc/ and ag_news/test.csv"):
        news_corpus(tmp_path)
