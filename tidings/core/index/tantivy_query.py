"""Compile the query language's syntax tree into tantivy queries.

Queries are built from term and phrase objects rather than handed to tantivy's own query parser,
so no tantivy syntax (``sortkey:``, ``field:[a TO b]``, ``^2``) is reachable by users and a
query cannot fail to parse here. ``term_query``/``phrase_query`` skip the analyzer, so words
are analyzed with a copy of the ``en_stem`` analyzer the text fields are indexed with. Over a
schema with word pairs (:mod:`word_pairs`), each field's phrase also requires its pairs, which
score nothing: the same answers, fewer positions read. :meth:`TantivyCompiler.superset` is the
same query with each phrase replaced by its pairs alone: every match and more, no positions read,
for a pass that only needs the matching set once it is known to be the same (``embedded``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import tantivy

from tidings.core.index.base import KEYWORD_FIELDS
from tidings.core.index.query_language import And, DateRange, Node, Not, Or, Term, Text
from tidings.core.index.word_pairs import pair_filter

#: Full-text fields and their BM25 boosts (a title match counts double).
TEXT_FIELDS = {"title": 2.0, "body": 1.0, "summary": 1.0}


def stem_analyzer() -> tantivy.TextAnalyzer:
    """The same chain as tantivy's built-in ``en_stem`` tokenizer."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def date_bounds(node: DateRange) -> tuple[datetime | None, datetime | None]:
    """Half-open UTC bounds ``[start, end)`` of an inclusive day range (open ends: ``None``)."""
    start = _day_start(node.start) if node.start else None
    end = None
    if node.end:
        end = _day_start(node.end + timedelta(days=1)) if node.end < date.max else None
    return start, end


def _texts_outside_not(node: Node) -> Iterable[Text]:
    """The words and phrases of a query that are not under a NOT."""
    if isinstance(node, Text):
        yield node
    elif isinstance(node, And | Or):
        for child in node.nodes:
            yield from _texts_outside_not(child)


class TantivyCompiler:
    """Turns a parsed query into a ``tantivy.Query`` over the embedded index's schema."""

    def __init__(self, schema: tantivy.Schema, word_pairs: bool = False) -> None:
        """``word_pairs``: the schema has :mod:`word_pairs`' field: phrases are narrowed by it."""
        self.schema = schema
        self.word_pairs = word_pairs
        self.analyzer = stem_analyzer()

    def compile(self, node: Node | None) -> tantivy.Query:
        """Every document for an empty query; nothing for a query with nothing searchable."""
        if node is None:
            return tantivy.Query.all_query()
        return self._node(node) or tantivy.Query.empty_query()

    def superset(self, node: Node | None) -> tantivy.Query | None:
        """A query matching every document :meth:`compile` matches (perhaps more), with each
        phrase outside a NOT replaced by its word pairs: no positions to read. ``None`` when
        there is no such phrase (or no pairs field): the query would not be cheaper.

        Its matches equal the query's exactly when their counts are equal; scores: none."""
        if node is None or not self.word_pairs:
            return None
        if not any(len(self.analyzer.analyze(t.text)) > 1 for t in _texts_outside_not(node)):
            return None
        return self._node(node, loose=True)

    def _node(self, node: Node, loose: bool = False) -> tantivy.Query | None:
        """``loose``: phrases become their pairs (a superset); never under a NOT, whose
        complement of a superset would be a subset."""
        if isinstance(node, Text):
            return self._pairs_only(node) if loose else self._text(node)
        if isinstance(node, Term):
            term = tantivy.Query.term_query(self.schema, KEYWORD_FIELDS[node.field], node.value)
            return tantivy.Query.const_score_query(term, 0.0)
        if isinstance(node, DateRange):
            return self._dates(node)
        if isinstance(node, Not):
            inner = self._node(node.node)
            if inner is None:
                return None
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, inner)]
            )
        if isinstance(node, Or):
            parts = [q for q in (self._node(n, loose) for n in node.nodes) if q is not None]
            if not parts:
                return None
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in parts])
        return self._and(node, loose)

    def _and(self, node: And, loose: bool = False) -> tantivy.Query | None:
        must, must_not = [], []
        for child in node.nodes:
            if isinstance(child, Not):
                inner = self._node(child.node)
                if inner is not None:
                    must_not.append(inner)
            else:
                query = self._node(child, loose)
                if query is not None:
                    must.append(query)
        if not must and not must_not:
            return None
        if not must:
            must = [tantivy.Query.all_query()]
        if len(must) == 1 and not must_not:
            return must[0]
        clauses = [(tantivy.Occur.Must, q) for q in must]
        clauses += [(tantivy.Occur.MustNot, q) for q in must_not]
        return tantivy.Query.boolean_query(clauses)

    def _text(self, node: Text) -> tantivy.Query | None:
        tokens = self.analyzer.analyze(node.text)
        if not tokens:
            return None
        fields = {"title": TEXT_FIELDS["title"]} if node.field == "title" else TEXT_FIELDS
        # A phrase (or one word the analyzer splits: "e-mail", "U.S.") also requires its word
        # pairs, in each field's own intersection: tantivy's union of the fields reads every
        # match of each part up to 4,096 documents ahead, so a filter outside it would not
        # spare the phrases' positions.
        pairs = pair_filter(self.schema, tokens) if self.word_pairs and len(tokens) > 1 else []
        per_field = []
        for name, boost in fields.items():
            if len(tokens) == 1:
                query = tantivy.Query.term_query(self.schema, name, tokens[0])
            else:
                query = tantivy.Query.phrase_query(self.schema, name, tokens)
            if boost != 1.0:
                query = tantivy.Query.boost_query(query, boost)
            if pairs:
                query = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, q) for q in (query, *pairs)]
                )
            per_field.append(query)
        if len(per_field) == 1:
            return per_field[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in per_field])

    def _pairs_only(self, node: Text) -> tantivy.Query | None:
        """A phrase's pairs, all required: every document holding the phrase in any field."""
        tokens = self.analyzer.analyze(node.text)
        if len(tokens) < 2:
            return self._text(node)
        parts = pair_filter(self.schema, tokens)
        if len(parts) == 1:
            return parts[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in parts])

    def _dates(self, node: DateRange) -> tantivy.Query:
        """Non-scoring, so a date scope filters without changing the ranking."""
        start, end = date_bounds(node)
        low = max(start, tantivy.MIN_DATETIME) if start else tantivy.MIN_DATETIME
        high = min(end, tantivy.MAX_DATETIME) if end else tantivy.MAX_DATETIME
        if low > high:  # wholly outside the dates tantivy can hold: nothing is published then
            return tantivy.Query.empty_query()
        query = tantivy.Query.range_query(
            self.schema, "published", tantivy.FieldType.Date, low, high,
            include_upper=end is None or end > tantivy.MAX_DATETIME,
        )  # fmt: skip
        return tantivy.Query.const_score_query(query, 0.0)
