"""bench/stories_variants.py: the fourth to sixth rounds' variants change only what they are
about (and the sixth round's sentence encoder, bench/sentence_embeddings.py, runs offline).

The decision hook of ``StoryClusterer`` left at its defaults must place articles exactly as the
product does (else the variants' table compares against something else); each variant's own
knob must move placements the way it says; ``compare`` prints one row per variant and set.
"""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
from story_corpus import background, corpus

from bench.sentence_embeddings import (
    DIMENSIONS,
    SentenceEncoder,
    embedding_text,
    model_file,
    tokenizer_file,
)
from bench.stories import place
from bench.stories_variants import (
    NO_DATES,
    AnchorClusterer,
    BarsClusterer,
    DenseClusterer,
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
from tidings.core.stories.clustering import Story


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


# -- sixth round: sentence embeddings -----------------------------------------------------------
def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def test_the_encoder_loads_from_the_installed_packages_with_no_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The model file and its tokenizer come from site-packages; any connection attempt (a
    hub lookup) would fail this test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the encoder tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):  # unset, and restored afterwards
        monkeypatch.setenv(var, "")
        monkeypatch.delenv(var)
    model = SentenceEncoder()
    assert model_file().is_file() and tokenizer_file().is_file()
    quake = model.embed("A strong earthquake struck Indonesia on Tuesday, killing 12 people.")
    paraphrase = model.embed("Twelve dead after a powerful quake hits the Indonesian coast.")
    rehab = model.embed("The actress checked into a rehab clinic in Malibu.")
    assert quake.shape == (DIMENSIONS,) and float(quake @ quake) == pytest.approx(1.0, abs=1e-5)
    assert float(quake @ paraphrase) > float(quake @ rehab) + 0.3
    # one text, one run: its vector does not depend on what else was embedded
    assert np.array_equal(model.embed_all(["rehab", "x " * 300])[0], model.embed("rehab"))
    assert not model.embed(" ").any()


def test_embedding_text_reads_the_headline_and_the_opening_words() -> None:
    article = {"title": "Quake hits", "body": " ".join(f"w{i}" for i in range(500))}
    assert embedding_text(article, 3) == "Quake hits\nw0 w1 w2"
    assert embedding_text({"title": "Only a title"}) == "Only a title"


def dense_docs() -> list[dict]:
    """Articles with hand-made unit vectors: one shared direction (the kind) and one per
    event, so the test is about the clusterer's arithmetic, not the model."""
    rng = np.random.default_rng(0)
    kind, events = rng.normal(size=8), {e: rng.normal(size=8) for e in "ab"}
    docs = articles()
    for i, d in enumerate(docs):
        d["dense"] = unit(3 * kind + events["ab"[i % 2]] + 0.1 * rng.normal(size=8))
    return docs


def test_the_dense_variants_at_their_neutral_settings_place_as_the_product_does() -> None:
    docs = dense_docs()
    product = placements(StoryClusterer(NO_DATES), docs)
    assert placements(DenseClusterer(), docs) == product
    assert placements(DenseClusterer(centre=True, in_bar=True), docs) == product


def test_a_dense_gate_joins_reports_the_word_views_keep_apart() -> None:
    first = {"id": "p1", "title": "Quake kills twelve in Sumatra",
             "body": "Rescuers dug through rubble after the tremor flattened homes."}  # fmt: skip
    second = {"id": "p2", "title": "Twelve dead as earthquake hits Sumatra coast",
              "body": "Buildings collapsed and officials counted the victims."}  # fmt: skip
    first["dense"] = second["dense"] = unit(np.ones(4))  # the model calls them the same
    apart = placements(StoryClusterer(NO_DATES), [first, second])
    assert apart["p1"] != apart["p2"]
    joined = placements(DenseClusterer(gate=0.9, relax=0.0), [first, second])
    assert joined["p1"] == joined["p2"]


def test_centring_on_the_candidates_takes_out_what_a_kind_shares() -> None:
    rng = np.random.default_rng(1)
    kind, a, b = rng.normal(size=8), rng.normal(size=8), rng.normal(size=8)
    clusterer = DenseClusterer(centre=True)
    stories = {"sa": Story("sa", size=3), "sb": Story("sb", size=2)}
    clusterer.sums = {"sa": 3 * unit(3 * kind + a), "sb": 2 * unit(3 * kind + b)}
    clusterer._current = unit(3 * kind + a + 0.1 * rng.normal(size=8))
    clusterer._mean = None
    raw = {sid: clusterer.dense(st) for sid, st in stories.items()}
    clusterer._mean = sum(clusterer.sums.values()) / 5  # both stories are the candidates
    centred = {sid: clusterer.dense(st) for sid, st in stories.items()}
    assert raw["sb"] > 0.8  # plain cosines: the other event looks nearly the same
    assert centred["sa"] > 0.5 > 0 > centred["sb"]
