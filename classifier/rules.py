"""Rule topics: taxonomy topics assigned by phrase and entity matches, not by the model.

Narrow topics (AI, chips, earnings) have no labelled corpus; a case-insensitive PhraseMatcher
over title and lead is cheap, explainable and editable in the taxonomy file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import spacy
from spacy.matcher import PhraseMatcher

from classifier.entities import entity_key
from classifier.taxonomy import Taxonomy
from tidings.core.article import Entity, Topic


def rule_score(hits: int) -> float:
    """More distinct evidence, more confidence: 1 hit 0.6, 2 hits 0.8, 3 hits 0.9 ..."""
    return round(1.0 - 0.4 * 0.5 ** (hits - 1), 3) if hits > 0 else 0.0


class RuleMatcher:
    """Matches every rule topic of a taxonomy against texts and entity lists."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.nlp = spacy.blank("en")  # tokenizer only
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.entity_keys: dict[str, set[str]] = {}
        for topic in taxonomy.rule_topics:
            if topic.keywords:
                self.matcher.add(topic.id, list(self.nlp.tokenizer.pipe(topic.keywords)))
            if topic.entities:
                self.entity_keys[topic.id] = {entity_key(e) for e in topic.entities}

    def match(
        self, texts: Sequence[str], entities: Iterable[Sequence[Entity]] | None = None
    ) -> list[list[Topic]]:
        """Rule topics of each text (and its entities), best score first."""
        entity_lists = list(entities) if entities is not None else [[] for _ in texts]
        out: list[list[Topic]] = []
        for doc, ents in zip(self.nlp.tokenizer.pipe(texts), entity_lists, strict=True):
            evidence: dict[str, set[str]] = {}
            for match_id, start, end in self.matcher(doc):
                topic = self.nlp.vocab.strings[match_id]
                evidence.setdefault(topic, set()).add(doc[start:end].text.lower())
            keys = {e["key"] for e in ents}
            for topic, wanted in self.entity_keys.items():
                for key in keys & wanted:
                    evidence.setdefault(topic, set()).add(key)
            topics: list[Topic] = [
                {"id": t, "score": rule_score(len(found)), "origin": "rule"}
                for t, found in evidence.items()
            ]
            out.append(sorted(topics, key=lambda t: (-t["score"], t["id"])))
        return out
