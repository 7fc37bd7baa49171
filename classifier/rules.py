"""Rule topics: taxonomy topics assigned by phrases, entities or a boolean query, not a model.

Narrow topics (AI, chips, earnings) have no labelled corpus; a case-insensitive PhraseMatcher
(and a query in the search query language) over title and lead is cheap, explainable and
editable in the taxonomy file. A topic fires if any of its rules does; the evidence (matched
phrases, entity keys, query terms) is what explains it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import spacy
from spacy.matcher import PhraseMatcher

from classifier.entities import entity_key
from classifier.token_cache import TokenCache
from tidings.core.article import Entity, Topic
from tidings.core.index.query_language import And, Node, Not, Or, Term, Text
from tidings.core.index.tantivy_query import stem_analyzer
from tidings.core.taxonomy import Taxonomy


def rule_score(hits: int) -> float:
    """More distinct evidence, more confidence: 1 hit 0.6, 2 hits 0.8, 3 hits 0.9 ..."""
    return round(1.0 - 0.4 * 0.5 ** (hits - 1), 3) if hits > 0 else 0.0


class QueryRules:
    """The taxonomy's rule queries, matched the way the embedded index matches a search.

    Words go through the index's own stemming analyzer; a phrase (or a word the analyzer
    splits, like ``e-mail``) needs its words side by side; ``entity:`` looks at entity keys.
    So a rule query pasted into the search box finds what the rule tags (in title and lead).
    """

    def __init__(self, queries: dict[str, Node]) -> None:
        self.queries = queries
        self.analyzer = stem_analyzer()
        self.tokens = {
            node: tuple(self.analyzer.analyze(node.text))
            for query in queries.values()
            for node in _texts(query)
        }

    def match(self, text: str, keys: set[str]) -> dict[str, set[str]]:
        """Per matching topic, the positive terms found (the evidence)."""
        words = self.analyzer.analyze(text)
        ctx = (words, set(words), keys)
        out: dict[str, set[str]] = {}
        for topic, query in self.queries.items():
            ok, found = self._eval(query, ctx)
            if ok:
                out[topic] = found
        return out

    def _eval(self, node: Node, ctx: tuple[list[str], set[str], set[str]]) -> tuple[bool, set[str]]:
        words, word_set, keys = ctx
        if isinstance(node, Text):
            hit = _occurs(self.tokens[node], words, word_set)
            return hit, {node.text.lower()} if hit else set()
        if isinstance(node, Term):  # only entity: reaches here (the taxonomy checks)
            hit = node.value in keys
            return hit, {node.value} if hit else set()
        if isinstance(node, Not):
            return not self._eval(node.node, ctx)[0], set()
        assert isinstance(node, And | Or)
        results = [self._eval(n, ctx) for n in node.nodes]
        ok = (all if isinstance(node, And) else any)(hit for hit, _ in results)
        return ok, set().union(*(f for _, f in results)) if ok else set()


def _texts(node: Node) -> list[Text]:
    if isinstance(node, Text):
        return [node]
    if isinstance(node, Not):
        return _texts(node.node)
    if isinstance(node, And | Or):
        return [t for n in node.nodes for t in _texts(n)]
    return []


def _occurs(tokens: tuple[str, ...], words: list[str], word_set: set[str]) -> bool:
    """One token: anywhere; more: side by side, in order (as the index's phrase query)."""
    if not tokens or not set(tokens) <= word_set:
        return False
    if len(tokens) == 1:
        return True
    n = len(tokens)
    return any(tuple(words[i : i + n]) == tokens for i in range(len(words) - n + 1))


class RuleMatcher:
    """Matches every rule topic of a taxonomy against texts and entity lists."""

    def __init__(
        self, taxonomy: Taxonomy, nlp: Any | None = None, token_cache: TokenCache | None = None
    ) -> None:
        """``nlp``: a pipeline whose tokenizer and vocabulary to share (the tagger's NER one,
        whose Docs it can then match without tokenizing again); a blank English one by default."""
        self.nlp = nlp if nlp is not None else spacy.blank("en")  # its tokenizer only
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.token_cache = token_cache if token_cache is not None else TokenCache(self.nlp)
        self.entity_keys: dict[str, set[str]] = {}
        self.queries = QueryRules(
            {t.id: t.query_tree for t in taxonomy.rule_topics if t.query_tree is not None}
        )
        for topic in taxonomy.rule_topics:
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
        self,
        texts: Sequence[str],
        entities: Iterable[Sequence[Entity]] | None = None,
        docs: Iterable[Sequence[Any]] | None = None,
    ) -> list[tuple[list[Topic], dict[str, list[str]]]]:
        """Per text: its rule topics (best first) and, per topic, the sorted evidence found.

        ``docs``: per text, Docs of this matcher's vocabulary that hold its lines (a phrase
        never spans a line), already tokenized inside the caller's memory zone; without them
        the texts are tokenized here.
        """
        entity_lists = list(entities) if entities is not None else [[] for _ in texts]
        if docs is not None:
            return self._match(texts, docs, entity_lists)
        self.token_cache.learn(texts)  # frequent words stay tokenized across zones
        # strings of these texts are freed after the block (a crawl must not grow the vocab)
        with self.nlp.memory_zone():
            return self._match(texts, ([d] for d in self.nlp.tokenizer.pipe(texts)), entity_lists)

    def _match(
        self,
        texts: Sequence[str],
        docs: Iterable[Sequence[Any]],
        entity_lists: Sequence[Sequence[Entity]],
    ) -> list[tuple[list[Topic], dict[str, list[str]]]]:
        out: list[tuple[list[Topic], dict[str, list[str]]]] = []
        for text, parts, ents in zip(texts, docs, entity_lists, strict=True):
            keys = {e["key"] for e in ents}
            evidence = self.queries.match(text, keys) if self.queries.queries else {}
            for doc in parts:
                for match_id, start, end in self.matcher(doc):
                    topic = self.nlp.vocab.strings[match_id]
                    evidence.setdefault(topic, set()).add(doc[start:end].text.lower())
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
