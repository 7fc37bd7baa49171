"""Rule topics: taxonomy topics assigned by phrases, entities or a boolean query, not a model.

Narrow topics (AI, chips, earnings) have no labelled corpus; a case-insensitive PhraseMatcher
(and the keyword query language of :mod:`classifier.query`) over title and lead is cheap,
explainable and editable in the taxonomy file. A topic fires if any of its rules does; the
evidence (matched phrases, entity keys, query terms) is what explains it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import spacy
from spacy.matcher import PhraseMatcher

from classifier.entities import entity_key
from classifier.query import Node, evaluate, parse_query, text_words
from classifier.taxonomy import Taxonomy
from classifier.token_cache import TokenCache
from tidings.core.article import Entity, Topic


def rule_score(hits: int) -> float:
    """More distinct evidence, more confidence: 1 hit 0.6, 2 hits 0.8, 3 hits 0.9 ..."""
    return round(1.0 - 0.4 * 0.5 ** (hits - 1), 3) if hits > 0 else 0.0


class RuleMatcher:
    """Matches every rule topic of a taxonomy against texts and entity lists."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.nlp = spacy.blank("en")  # tokenizer only
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.token_cache = TokenCache(self.nlp)
        self.entity_keys: dict[str, set[str]] = {}
        self.queries: dict[str, Node] = {}
        for topic in taxonomy.rule_topics:
            if topic.query:
                self.queries[topic.id] = parse_query(topic.query)
            if topic.keywords:
                self.matcher.add(topic.id, list(self.nlp.tokenizer.pipe(topic.keywords)))
            if topic.entities:
                self.entity_keys[topic.id] = {entity_key(e) for e in topic.entities}

    def match(
        self, texts: Sequence[str], entities: Iterable[Sequence[Entity]] | None = None
    ) -> list[list[Topic]]:
        """Rule topics of each text (and its entities), best score first."""
        return [topics for topics, _ in self.match_with_evidence(texts, entities)]

    def match_with_evidence(
        self, texts: Sequence[str], entities: Iterable[Sequence[Entity]] | None = None
    ) -> list[tuple[list[Topic], dict[str, list[str]]]]:
        """Per text: its rule topics (best first) and, per topic, the sorted evidence found."""
        entity_lists = list(entities) if entities is not None else [[] for _ in texts]
        out: list[tuple[list[Topic], dict[str, list[str]]]] = []
        self.token_cache.learn(texts)  # frequent words stay tokenized across zones
        # strings of these texts are freed after the block (a crawl must not grow the vocab)
        with self.nlp.memory_zone():
            docs = self.nlp.tokenizer.pipe(texts)
            for text, doc, ents in zip(texts, docs, entity_lists, strict=True):
                evidence: dict[str, set[str]] = {}
                if self.queries:
                    words = text_words(text)
                    for topic, query in self.queries.items():
                        ok, found = evaluate(query, words)
                        if ok:
                            evidence.setdefault(topic, set()).update(found)
                for match_id, start, end in self.matcher(doc):
                    topic = self.nlp.vocab.strings[match_id]
                    evidence.setdefault(topic, set()).add(doc[start:end].text.lower())
                keys = {e["key"] for e in ents}
                for topic, wanted in self.entity_keys.items():
                    for key in keys & wanted:
                        evidence.setdefault(topic, set()).add(key)
                topics: list[Topic] = [
                    {"id": t, "score": rule_score(max(1, len(found))), "origin": "rule"}
                    for t, found in evidence.items()
                ]
                topics.sort(key=lambda t: (-t["score"], t["id"]))
                out.append((topics, {t: sorted(found) for t, found in evidence.items()}))
        return out
