"""The tokenizer cache kept warm across memory zones: same entities and rules, bounded size."""

from __future__ import annotations

import spacy

from classifier.entities import EntityExtractor
from classifier.rules import RuleMatcher
from classifier.token_cache import TokenCache
from tidings.core.taxonomy import load_taxonomy

TEXTS = [
    "Nvidia and Microsoft shares rose in New York after Jensen Huang spoke in Taipei.",
    "The European Commission fined Google 2.4 billion euros, Margrethe Vestager said on Tuesday.",
    "Samsung Electronics will build a chip plant in Texas, the company told Reuters.",
    "OpenAI released GPT-5 to ChatGPT users in the United States and Britain.",
    "Shares in Nvidia fell in New York as Microsoft said the chip plant in Texas was delayed.",
]


def test_frequent_chunks_are_cached_once_and_only_up_to_the_limit() -> None:
    nlp = spacy.blank("en")
    cache = TokenCache(nlp, limit=3)
    assert cache.learn(["a b c", "d"]) == 0  # nothing seen twice yet
    assert cache.learn(["a b", "b"]) == 2  # "a" and "b" reach two sightings
    assert cache.promoted == {"a", "b"}
    assert cache.learn(["c d e f", "e f"]) == 1  # room for one more only
    assert cache.full and len(cache.promoted) == 3
    assert cache.learn(["e e e f f f"]) == 0
    with nlp.memory_zone():
        assert cache.learn(["g g"]) == 0  # inside a zone a cached entry would be freed
    assert TokenCache(nlp).limit == nlp.tokenizer.max_cache_size


def test_entities_are_the_same_with_a_warm_cache_as_without() -> None:
    warm, cold = EntityExtractor(), EntityExtractor()
    assert warm.token_cache is not None and cold.token_cache is not None
    cold.token_cache.limit = 0
    for _ in range(3):  # the second and third rounds run on cached tokenization
        assert warm.extract_texts(TEXTS) == cold.extract_texts(TEXTS)
    assert "Nvidia" in warm.token_cache.promoted and not cold.token_cache.promoted
    found = warm.extract_texts(TEXTS)
    assert {"text": "Microsoft", "label": "ORG", "key": "microsoft"} in found[0]


def test_rule_topics_are_the_same_with_a_warm_cache_as_without() -> None:
    taxonomy = load_taxonomy()
    warm, cold = RuleMatcher(taxonomy), RuleMatcher(taxonomy)
    cold.token_cache.limit = 0
    texts = [*TEXTS, "Chipmakers' earnings beat forecasts as artificial intelligence demand grew."]
    expected = cold.match_with_evidence(texts)
    assert any(topics for topics, _ in expected)  # the taxonomy's rules do fire on these
    for _ in range(3):
        assert warm.match_with_evidence(texts) == expected
    assert warm.token_cache.promoted
