"""The shipped model (models/default) loads safely and tags articles sensibly."""

from pathlib import Path

import pytest
import skops.io as sio

from classifier.artifact import PIPELINE_FILE, load_model
from classifier.rules import RuleMatcher
from classifier.tagger import Tagger
from tidings.core.tagging import ArticleTagger
from tidings.core.taxonomy import load_taxonomy

DEFAULT = Path(__file__).resolve().parents[2] / "models" / "default"


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.load(DEFAULT)


def test_shipped_model_is_small_and_trusted() -> None:
    assert sum(p.stat().st_size for p in DEFAULT.iterdir()) <= 20 * 1024 * 1024
    assert sio.get_untrusted_types(file=DEFAULT / PIPELINE_FILE) == []
    loaded = load_model(DEFAULT)
    assert loaded.version.startswith("default-")
    assert set(loaded.model.labels) == {
        "business", "technology", "politics", "world", "sport", "entertainment"
    }  # fmt: skip
    sport = ("Arsenal beat Chelsea", "Arsenal won 2-0 at the Emirates with a late goal.")
    tech = ("New smartphone chip", "The company unveiled a faster processor and software update.")
    assert loaded.model.predict([sport, tech]) == [["sport"], ["technology"]]


def test_tagger_sets_topics_entities_version(tagger: Tagger) -> None:
    as_protocol: ArticleTagger = tagger  # the crawler sees only this protocol
    assert callable(as_protocol.tag)
    articles = [
        {
            "title": "Nvidia profit soars as AI chip demand grows",
            "summary": "Nvidia Corp. reported quarterly revenue above forecasts as "
            "machine learning labs bought more.",
            "body": "Nvidia's chief executive Jensen Huang said demand for its GPUs in "
            "data centres running large language models kept rising in California.",
        },
        {"title": "", "summary": "", "body": ""},
        {"title": "Hi"},
    ]
    tagger.tag(articles)
    first = articles[0]
    ids = [t["id"] for t in first["topics"]]
    assert {"semiconductors", "earnings", "ai"} <= set(ids)
    assert any(t["origin"] == "model" for t in first["topics"])
    scores = [t["score"] for t in first["topics"]]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert "nvidia" in {e["key"] for e in first["entities"]}  # the small model: GPE here
    assert ("Jensen Huang", "PERSON") in {(e["text"], e["label"]) for e in first["entities"]}
    assert set(first["explanations"]) == set(ids)
    model_topic = next(t["id"] for t in first["topics"] if t["origin"] == "model")
    assert first["explanations"][model_topic][0]["weight"] > 0
    assert first["explanations"]["earnings"] == [
        {"term": "profit", "weight": 1.0},
        {"term": "revenue", "weight": 1.0},
    ]  # a rule topic is explained by the phrases it matched
    assert first["model_version"] == tagger.model_version
    assert articles[1]["topics"] == [] and articles[1]["entities"] == []
    assert articles[2]["model_version"] == tagger.model_version


def test_rules_reading_the_ner_docs_find_what_rules_tokenizing_alone_find(tagger: Tagger) -> None:
    """The tagger's rules match the NER pass's Docs of each lead (and a Doc of the summary)
    instead of tokenizing both again: the same topics and evidence, and no vocabulary growth."""
    leads = [
        "Chipmakers rally\nNvidia and TSMC reported quarterly revenue and profit above "
        "forecasts as artificial intelligence demand grew in Taiwan.",
        "Zorblax Inc opens in Quxville\nZorblax said earnings rose as Ann Vrell toured the site.",
        "Quiet day\nNothing happened.",
    ]
    summaries = ["A ransomware attack hit the cloud provider on Monday.", "", "Semiconductor"]
    texts = [f"{lead}\n{summary}" for lead, summary in zip(leads, summaries, strict=True)]
    entities, rules = tagger._entities_and_rules(leads, summaries, texts)
    assert entities == tagger.entities.extract_texts(leads)
    assert rules == RuleMatcher(load_taxonomy()).match_with_evidence(texts, entities)
    assert {"security", "earnings", "semiconductors"} <= {t["id"] for t in rules[0][0]}
    assert "semiconductors" in {t["id"] for t in rules[2][0]}  # found in the summary alone
    body = "The council met in the town hall on Monday to discuss the new plant."
    strings = len(tagger.entities.nlp.vocab.strings)
    for n in range(30):  # new words every batch: the shared zone frees their strings
        tagger.tag([{"title": f"Zorblax{n} opens", "summary": f"Vrell{n} spoke.", "body": body}])
    assert len(tagger.entities.nlp.vocab.strings) - strings < 30
