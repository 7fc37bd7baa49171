"""Tagging stores explanations; ``tidings reclassify`` re-tags a real store and index."""

import json
from pathlib import Path

import pytest
from support import pending_ids

from classifier.artifact import load_model
from classifier.entities import EntityExtractor
from classifier.tagger import Tagger
from tidings.cli.main import main
from tidings.core.config import Settings
from tidings.core.index import SearchRequest, open_index
from tidings.core.store import Store
from tidings.core.taxonomy import load_taxonomy


class NoEntities(EntityExtractor):
    def __init__(self) -> None:
        self.batch_size, self.nlp, self.token_cache = 1, None, None


def article(n: int, body: str) -> dict:
    return {
        "url": f"https://daily.example/a{n}",
        "source": {"id": "daily", "name": "Daily", "domain": "daily.example"},
        "title": f"Story {n}",
        "body": body,
        "language": "en",
    }


SPORT = "the striker scored a late goal as the league champion won the match at the stadium"
TECH = "the smartphone app runs code in the cloud and the chip maker shipped new software"


def test_tagger_stores_explanations_for_model_and_rule_topics(model_dir: Path) -> None:
    loaded = load_model(model_dir)
    tagger = Tagger(loaded.model, loaded.version, load_taxonomy(), NoEntities())
    docs = [article(1, SPORT), article(2, TECH + " amid a ransomware attack"), article(3, "")]
    tagger.tag(docs)
    sport = docs[0]
    assert [t["id"] for t in sport["topics"]] == ["sport"]
    terms = sport["explanations"]["sport"]
    assert 1 <= len(terms) <= 5 and {"term", "weight"} == set(terms[0])
    assert terms[0]["weight"] >= terms[-1]["weight"] > 0
    tech = docs[1]
    assert {"technology", "security"} <= {t["id"] for t in tech["topics"]}
    assert tech["explanations"]["security"] == [{"term": "ransomware", "weight": 1.0}]
    assert docs[2]["topics"] == [] and docs[2]["explanations"] == {}


def test_tagger_does_not_guess_on_text_it_cannot_read(model_dir: Path) -> None:
    loaded = load_model(model_dir)
    tagger = Tagger(loaded.model, loaded.version, load_taxonomy(), NoEntities())
    russian = article(4, "Акции компании выросли после публикации квартального отчёта. " * 30)
    huge = article(5, SPORT * 20_000)  # ~320k words: cut, not choked on
    tagger.tag([russian, huge])
    assert russian["topics"] == [] and russian["model_version"] == loaded.version
    assert [t["id"] for t in huge["topics"]] == ["sport"]


def test_reclassify_store_then_index_resumable(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "in.jsonl"
    rows = [article(n, SPORT if n % 2 else TECH) for n in range(7)]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    home = ["--home", str(tmp_path)]
    assert main([*home, "import", str(data), "--no-classify"]) == 0
    argv = [*home, "reclassify", "--model", str(model_dir), "--batch-size", "3"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "re-tagged 7 of 7" in out and "3/7 articles" in err
    version = load_model(model_dir).version
    with Store(Settings(home=tmp_path).db_path) as store:
        stored = [a for batch in store.iter_articles() for a in batch]
        assert {a["model_version"] for a in stored} == {version}
        assert all(a["explanations"] for a in stored)
        assert pending_ids(store) == []
    index = open_index(Settings(home=tmp_path))
    assert index.search(SearchRequest(q="striker", topics=["sport"])).total == 3
    index.close()
    assert main(argv) == 0  # everything is up to date: nothing to do
    assert "re-tagged 0 of 7" in capsys.readouterr()[0]
    assert main([*argv, "--no-only-outdated"]) == 0
    assert "re-tagged 7 of 7" in capsys.readouterr()[0]


def test_reclassify_without_store_or_model_is_exit_2(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--home", str(tmp_path), "reclassify", "--model", str(model_dir)]) == 2
    assert "no store" in capsys.readouterr()[1]
    Store(Settings(home=tmp_path).db_path).close()
    assert main(["--home", str(tmp_path), "reclassify", "--model", str(tmp_path)]) == 2
    assert "not a model directory" in capsys.readouterr()[1]
