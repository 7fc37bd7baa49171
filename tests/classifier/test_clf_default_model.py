"""The shipped model (models/default) loads safely and tags articles sensibly."""

from pathlib import Path

import pytest
import skops.io as sio

from classifier.artifact import PIPELINE_FILE, load_model
from classifier.tagger import Tagger
from tidings.core.tagging import ArticleTagger

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
