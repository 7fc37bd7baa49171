"""Tag crawled articles with topics (model + rules), entities and the model version.

Implements :class:`tidings.core.tagging.ArticleTagger`, the only thing the crawler knows about
classification, so the crawler never imports this package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from classifier.artifact import LoadedModel, load_model
from classifier.entities import EntityExtractor, lead_text
from classifier.model import TopicModel
from classifier.rules import RuleMatcher
from classifier.stacking import sigmoid
from classifier.text import article_pair
from tidings.core.article import Entity, Topic
from tidings.core.taxonomy import Taxonomy, load_taxonomy

#: Below this many words of text the model's top label is not forced (it would be a guess).
MIN_WORDS_FOR_FALLBACK = 5
#: ... nor below this many distinct known word features (text in a language it never saw).
MIN_KNOWN_TERMS = 5
#: Terms kept per topic in ``explanations``.
EXPLAIN_TERMS = 5
Explanations = dict[str, list[dict[str, Any]]]


class Tagger:
    """Batch tagger: one model, one taxonomy, one spaCy pipeline, reused for every batch."""

    def __init__(
        self,
        model: TopicModel,
        version: str,
        taxonomy: Taxonomy,
        entities: EntityExtractor | None = None,
    ) -> None:
        self.model = model
        self.model_version = version
        self.taxonomy = taxonomy
        self.entities = entities if entities is not None else EntityExtractor()
        # the rules share the NER pipeline's tokenizer and vocabulary, so they read its Docs
        # of each lead instead of tokenizing it again
        self.rules = RuleMatcher(taxonomy, self.entities.nlp, self.entities.token_cache)

    @classmethod
    def load(cls, model_dir: Path, taxonomy: Taxonomy | None = None) -> Tagger:
        """Tagger from a model directory and a taxonomy (the packaged one by default)."""
        loaded: LoadedModel = load_model(model_dir)
        return cls(loaded.model, loaded.version, taxonomy or load_taxonomy())

    def model_topics(
        self, articles: list[dict[str, Any]]
    ) -> tuple[list[list[Topic]], list[Explanations]]:
        """Model topics above threshold (a substantial text with none gets its top label),
        and for each chosen topic the terms that pushed it up."""
        pairs = [article_pair(a) for a in articles]
        x, logits = self.model.margins(pairs)
        scores = sigmoid(logits)
        strict = self.model.decide(scores, fallback=False, max_labels=len(self.model.labels))
        loose = self.model.decide(scores, fallback=True, max_labels=1)
        n_words = len(self.model.word_names())
        known = np.asarray((x[:, :n_words] != 0).sum(axis=1)).ravel()
        out: list[list[Topic]] = []
        for (title, text), passed, top, n_known in zip(pairs, strict, loose, known, strict=True):
            enough = (
                len(f"{title} {text}".split()) >= MIN_WORDS_FOR_FALLBACK
                and n_known >= MIN_KNOWN_TERMS
            )
            chosen = passed or (top if enough else [])
            out.append([{"id": t, "score": round(s, 4), "origin": "model"} for t, s in chosen])
        wanted = [[t["id"] for t in topics] for topics in out]
        return out, self.model.explain(x, wanted, EXPLAIN_TERMS)

    def tag(self, articles: list[dict[str, Any]]) -> None:
        """Set ``topics``, ``explanations``, ``entities`` and ``model_version``, in place."""
        if not articles:
            return
        leads = [lead_text(a) for a in articles]
        # Keyword rules are cheap (tokenizer only): let them see the summary as well as the lead.
        summaries = [a.get("summary") or "" for a in articles]
        rule_texts = [f"{lead}\n{summary}" for lead, summary in zip(leads, summaries, strict=True)]
        entities, rules = self._entities_and_rules(leads, summaries, rule_texts)
        model_t, model_why = self.model_topics(articles)
        for article, m_topics, m_why, (r_topics, r_why), ents in zip(
            articles, model_t, model_why, rules, entities, strict=True
        ):
            merged = _merge(m_topics, r_topics)
            article["topics"] = merged
            article["explanations"] = _explanations(merged, m_why, r_why)
            article["entities"] = ents
            article["model_version"] = self.model_version

    def _entities_and_rules(
        self, leads: list[str], summaries: list[str], rule_texts: list[str]
    ) -> tuple[list[list[Entity]], list[tuple[list[Topic], dict[str, list[str]]]]]:
        """Entities of the leads and rule topics of the rule texts, each lead tokenized once:
        the rules match the NER's own Docs of it (and a Doc of the summary) in one memory zone."""
        if self.entities.nlp is None:  # no spaCy model: no entities, rules tokenize alone
            entities: list[list[Entity]] = [[] for _ in leads]
            return entities, self.rules.match_with_evidence(rule_texts, entities)
        tokenizer = self.entities.nlp.tokenizer
        with self.entities.batch([*leads, *summaries]):
            read = self.entities.read(leads)
            entities = [found for _, found in read]
            tails = tokenizer.pipe(summaries)
            docs = [[doc, tail] for (doc, _), tail in zip(read, tails, strict=True)]
            return entities, self.rules.match_with_evidence(rule_texts, entities, docs)


def _merge(model_topics: list[Topic], rule_topics: list[Topic]) -> list[Topic]:
    """One entry per topic id (the higher score wins), best first."""
    best: dict[str, Topic] = {}
    for topic in [*model_topics, *rule_topics]:
        if topic["id"] not in best or topic["score"] > best[topic["id"]]["score"]:
            best[topic["id"]] = topic
    return sorted(best.values(), key=lambda t: (-t["score"], t["id"]))


def _explanations(
    topics: list[Topic], model_why: Explanations, rule_why: dict[str, list[str]]
) -> Explanations:
    """For each stored topic, the evidence of the origin that won it (terms or phrases)."""
    out: Explanations = {}
    for topic in topics:
        if topic["origin"] == "rule":
            phrases = rule_why.get(topic["id"], [])[:EXPLAIN_TERMS]
            out[topic["id"]] = [{"term": p, "weight": 1.0} for p in phrases]
        else:
            out[topic["id"]] = model_why.get(topic["id"], [])
    return out
