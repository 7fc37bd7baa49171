"""bench/stories_variants.py: the fourth and fifth rounds' variants change only what they are
about.

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
    AnchorClusterer,
    BarsClusterer,
    ExtraViewClusterer,
    MarginClusterer,
    PresentViewsClusterer,
    ShortArticleClusterer,
    SpecificsClusterer,
    TopicGateClusterer,
    TopicSpace,
    Variant,
    compare,
    event_terms,
    lead_words,
    news_corpus,
    view_aucs,
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
    assert placements(ExtraViewClusterer(field="events", in_bar=True), docs) == product
    assert placements(AnchorClusterer(k=3, share=0.0), docs) == product
    assert placements(ShortArticleClusterer(power=0.0), docs) == product


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


@pytest.fixture(scope="module")
def parse():
    import spacy

    from classifier.entities import MODEL_NAMES

    return spacy.load(MODEL_NAMES[-1])  # the tagger's model, its parser kept


def test_the_event_view_reads_who_did_what_where_whatever_the_wording(parse) -> None:
    active = event_terms(parse("Police arrested a suspect in Bloomington."))
    assert active == ["who:police", "what:suspect", "where:bloomington"]
    passive = event_terms(parse("A suspect was arrested by police."))  # roles, not positions
    assert sorted(passive) == ["what:suspect", "who:police"]
    named = event_terms(parse("Tara Reid checked into the Promises Treatment Center."))
    assert "who:tara reid" in named  # a named argument is its entity key, whole


def test_the_lead_is_the_headline_and_two_sentences() -> None:
    article = {"title": "Quake hits Padang", "body": "Buildings fell. Rescuers dug. Aid came."}
    assert lead_words(article) == [
        "quake",
        "hits",
        "padang",
        "buildings",
        "fell",
        "rescuers",
        "dug",
    ]


def test_an_anchored_story_is_scored_against_its_first_members_only() -> None:
    docs = articles()
    clusterer = AnchorClusterer(k=1, share=1.0)
    story = clusterer.stories[placements(clusterer, docs)["q1"]]
    assert story.size == 3  # the quake story: its first member is the anchor
    [first] = clusterer.first[story.id]
    probe = clusterer._count_and_weigh(features_of(corpus()[2]))
    anchored = clusterer.score(story, probe, None)
    assert anchored == pytest.approx(clusterer._similarity(probe, first))
    assert anchored != pytest.approx(StoryClusterer.score(clusterer, story, probe, None))


def headline_only() -> dict:
    return {"id": "q9", "title": "Padang earthquake: rescue teams search collapsed buildings"}


def test_an_article_without_a_view_is_scored_on_the_views_it_has() -> None:
    docs = articles() + [headline_only()]  # no body, so no names
    product, renormalised = (
        placements(StoryClusterer(NO_DATES), docs),
        placements(PresentViewsClusterer(), docs),
    )
    assert product["q9"] != product["q1"]
    assert renormalised["q9"] == renormalised["q1"]


def test_a_short_article_meets_a_lower_threshold_than_a_long_one() -> None:
    clusterer = ShortArticleClusterer(power=1.0)
    placements(clusterer, articles())
    story = next(iter(clusterer.stories.values()))
    clusterer._count_and_weigh(features_of(headline_only()))
    assert clusterer._bar(story) < NO_DATES.threshold
    clusterer._count_and_weigh(features_of(corpus()[0]))  # a full report: the plain threshold
    assert clusterer._bar(story) == max(NO_DATES.threshold, StoryClusterer._bar(clusterer, story))


def test_view_aucs_rank_a_view_that_names_the_event_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    docs = [
        {"id": f"{t}{e}{i}", "topic": t, "story": f"{t}{e}", "title": f"quake report {t}",
         "body": f"An earthquake struck. Officials in region {t} counted damage {i}.",
         "events": [f"who:agency{t}{e}"], "lead": ["quake"]}
        for t in "xy" for e in "ab" for i in range(3)
    ]  # fmt: skip
    view_aucs(docs)
    rows = {
        line.split(" | ")[0].strip("| "): line.split(" | ")[1:]
        for line in capsys.readouterr().out.splitlines()[2:]
    }
    assert rows["events"][0].strip() == "1.000"  # it alone tells a topic's two events apart
    assert rows["lead"][0].strip() == "0.500"  # the same word everywhere tells nothing
    assert set(rows) >= {"text", "names", "defaults' weighted sum"}
