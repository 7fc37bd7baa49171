"""The user query language, parsed once here and compiled by each backend.

One parser for both backends, so a query means the same thing whichever index answers it, and
so that no backend's own syntax (tantivy's query parser, Elasticsearch ``query_string``) is ever
exposed to users. Grammar (see README "Query language")::

    query   := conj
    conj    := disj ( ["AND"] disj )*          words side by side are all required
    disj    := unary ( "OR" unary )*           OR binds tighter than the implied AND
    unary   := ("-" | "NOT") unary | atom
    atom    := "(" conj ")" | FIELD ":" value | '"' phrase '"' | word

Malformed input is read leniently (an unclosed quote or parenthesis closes at the end, a
dangling operator is dropped, an unknown ``field:`` is plain text); only what cannot be
guessed, such as a bad date, is a :class:`QueryError` with a message for the user.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from tidings.core.index.base import QueryError

#: Field scopes a user may write, mapped to the canonical field name.
FIELDS = {
    "title": "title",
    "source": "source",
    "topic": "topic",
    "entity": "entity",
    "lang": "language",
    "language": "language",
    "published": "published",
}
MAX_DEPTH = 20
MAX_CLAUSES = 100

_TOKEN = re.compile(r'\s+|"[^"]*"?|\(|\)|[^\s()"]+(?:"[^"]*"?)?')
_FIELD = re.compile(r"([A-Za-z]+):(.*)\Z", re.S)
_HAS_WORD = re.compile(r"\w", re.UNICODE)
_DAY = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\Z")
_NON_KEY = re.compile(r"[^\w\s&+-]+", re.UNICODE)
_POSSESSIVE = re.compile(r"['\u2019]s?$")


@dataclass(frozen=True)
class Text:
    """Full-text words (all required) or a phrase, in every text field or only ``title``."""

    text: str
    phrase: bool = False
    field: str | None = None  # None: title (boosted), body and summary


@dataclass(frozen=True)
class Term:
    """An exact keyword: ``topic``, ``source``, ``entity`` or ``language``."""

    field: str
    value: str


@dataclass(frozen=True)
class DateRange:
    """Published between two days, both inclusive; ``None`` is an open end (UTC days)."""

    start: date | None
    end: date | None


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Text | Term | DateRange | Not | And | Or


def entity_key(text: str) -> str:
    """An entity as the index stores its key: lower case, no accents or punctuation.

    Mirrors the classifier's normalisation (minus its corporate-suffix rule for ORG names),
    which the shared core cannot import; ``entity:"Met Office"`` finds ``met office``.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().strip()
    words = _NON_KEY.sub(" ", _POSSESSIVE.sub("", text)).replace("-", " ").split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _period(text: str, end: bool) -> date:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: its first day, or its last day if ``end``."""
    match = _DAY.match(text)
    if not match:
        raise ValueError(text)
    year = int(match.group(1))
    month = int(match.group(2) or (12 if end else 1))
    if match.group(3):
        day = int(match.group(3))
    else:
        day = calendar.monthrange(year, month)[1] if end and 1 <= month <= 12 else 1
    return date(year, month, day)


def parse_dates(value: str) -> DateRange:
    """``published:`` values: ``A..B``, ``A..``, ``..B`` or one day/month/year ``A``."""
    hint = (
        "published: takes dates like 2024-07-01..2024-07-31 (either end may be left open, "
        "and 2024-07 or 2024 stand for a whole month or year)"
    )
    start_text, sep, end_text = value.partition("..")
    if not sep:
        end_text = start_text
    if not start_text and not end_text:
        raise QueryError(f"{hint}; got {value!r}")
    try:
        start = _period(start_text, end=False) if start_text else None
        end = _period(end_text, end=True) if end_text else None
    except ValueError:
        raise QueryError(f"{hint}; got {value!r}") from None
    if start and end and end < start:
        raise QueryError(f"published: the range {value!r} ends before it starts")
    return DateRange(start, end)


class _Parser:
    """Recursive descent over the tokens; counts clauses and depth to bound the work."""

    def __init__(self, q: str) -> None:
        self.tokens = [t for t in _TOKEN.findall(q) if not t.isspace()]
        self.pos = 0
        self.clauses = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def conj(self, depth: int) -> And:
        if depth > MAX_DEPTH:
            raise QueryError(f"the query nests parentheses more than {MAX_DEPTH} deep")
        nodes: list[Node] = []
        while (token := self.peek()) is not None:
            if token == ")":
                if depth:
                    break
                self.pos += 1  # a stray closing parenthesis: ignore it
                continue
            if token in ("AND", "OR"):
                self.pos += 1  # AND is implied; an OR with nothing before it is dropped
                continue
            node = self.disj(depth)
            if node is not None:
                nodes.append(node)
        return And(tuple(nodes))

    def disj(self, depth: int) -> Node | None:
        nodes = []
        first = self.unary(depth)
        if first is not None:
            nodes.append(first)
        while self.peek() == "OR":
            self.pos += 1
            if self.peek() in (None, ")", "OR", "AND"):
                continue  # a dangling OR: dropped
            node = self.unary(depth)
            if node is not None:
                nodes.append(node)
        if not nodes:
            return None
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def unary(self, depth: int) -> Node | None:
        token = self.tokens[self.pos]
        after = self.tokens[self.pos + 1] if self.pos + 1 < len(self.tokens) else None
        if token == "NOT" or (token == "-" and after == "("):
            self.pos += 1
        elif token.startswith("-") and len(token) > 1:
            self.tokens[self.pos] = token[1:]
        else:
            return self.atom(depth)
        if self.peek() in (None, ")", "OR", "AND"):
            return None  # a dangling NOT or minus: dropped
        inner = self.unary(depth)
        return Not(inner) if inner is not None else None

    def atom(self, depth: int) -> Node | None:
        token = self.tokens[self.pos]
        self.pos += 1
        if token == "(":
            group = self.conj(depth + 1)
            if self.peek() == ")":
                self.pos += 1
            return _simplify(group)
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QueryError(f"the query has more than {MAX_CLAUSES} terms")
        if token.startswith('"'):
            return _text(token.strip('"'), phrase=True)
        match = _FIELD.match(token)
        if match and match.group(1).lower() in FIELDS and match.group(2):
            return _scoped(FIELDS[match.group(1).lower()], match.group(2))
        return _text(token, phrase=False)


def _text(text: str, phrase: bool, field: str | None = None) -> Text | None:
    """A text clause, or nothing when it holds no word character (``***``, ``-``)."""
    text = " ".join(text.split())
    return Text(text, phrase, field) if _HAS_WORD.search(text) else None


def _scoped(field: str, raw: str) -> Node | None:
    quoted = raw.startswith('"')
    value = raw.strip('"').strip()
    if not value:
        return None
    if field == "title":
        return _text(value, phrase=quoted, field="title")
    if field == "published":
        return parse_dates(value)
    if field == "entity":
        key = entity_key(value)
        return Term("entity", key) if key else None
    if field == "language":
        return Term("language", value.lower())
    return Term(field, value)


def _simplify(node: And) -> Node | None:
    if not node.nodes:
        return None
    return node.nodes[0] if len(node.nodes) == 1 else node


def parse(q: str) -> Node | None:
    """The query's syntax tree; ``None`` for an empty query (every article).

    A query with nothing searchable in it (``***``) is ``And(())``, which matches nothing.
    """
    if not q.strip():
        return None
    tree = _Parser(q).conj(0)
    if len(tree.nodes) == 1 and isinstance(tree.nodes[0], And):
        return tree.nodes[0]
    return tree
