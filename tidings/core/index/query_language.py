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

Rule topics of the taxonomy use this same language through :func:`read`, which also says what
the lenient reading repaired (a rule file must not be guessed at) and where a query mixes OR
with AND without parentheses (rule files once bound AND tighter than OR; see
:func:`and_first_reading`).
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


@dataclass(frozen=True)
class Reading:
    """A query as the parser read it, with what a strict reader (rule files) must know."""

    tree: Node | None
    #: what the lenient reading repaired or dropped, in the user's terms
    repairs: tuple[str, ...] = ()
    #: per group that mixes OR with AND unparenthesised: its operands, as OR-runs joined by AND
    mixed: tuple[tuple[tuple[Node, ...], ...], ...] = ()


class _Parser:
    """Recursive descent over the tokens; counts clauses and depth to bound the work."""

    def __init__(self, q: str) -> None:
        self.tokens = [t for t in _TOKEN.findall(q) if not t.isspace()]
        self.pos = 0
        self.clauses = 0
        self.repairs: list[str] = []
        self.mixed: list[tuple[tuple[Node, ...], ...]] = []

    def dangling(self) -> bool:
        """Nothing an operator could apply to follows."""
        return self.peek() in (None, ")", "OR", "AND")

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def conj(self, depth: int) -> And:
        if depth > MAX_DEPTH:
            raise QueryError(f"the query nests parentheses more than {MAX_DEPTH} deep")
        nodes: list[Node] = []
        runs: list[tuple[Node, ...]] = []
        while (token := self.peek()) is not None:
            if token == ")":
                if depth:
                    break
                self.pos += 1  # a stray closing parenthesis: ignore it
                self.repairs.append("a ')' closes no '('")
                continue
            if token in ("AND", "OR"):
                self.pos += 1  # AND is implied; an OR with nothing before it is dropped
                if token == "OR" or not nodes or self.dangling():
                    self.repairs.append(f"'{token}' has nothing on one side")
                continue
            run = self.disj(depth)
            if run:
                runs.append(run)
                nodes.append(run[0] if len(run) == 1 else Or(run))
        if len(runs) > 1 and any(len(run) > 1 for run in runs):
            self.mixed.append(tuple(runs))
        return And(tuple(nodes))

    def disj(self, depth: int) -> tuple[Node, ...]:
        """The operands of one OR-run (one operand when there is no OR)."""
        nodes = []
        first = self.unary(depth)
        if first is not None:
            nodes.append(first)
        while self.peek() == "OR":
            self.pos += 1
            if self.dangling():
                self.repairs.append("'OR' has nothing on one side")
                continue  # a dangling OR: dropped
            node = self.unary(depth)
            if node is not None:
                nodes.append(node)
        return tuple(nodes)

    def unary(self, depth: int) -> Node | None:
        token = self.tokens[self.pos]
        after = self.tokens[self.pos + 1] if self.pos + 1 < len(self.tokens) else None
        if token == "NOT" or (token == "-" and after == "("):
            self.pos += 1
        elif token.startswith("-") and len(token) > 1:
            self.tokens[self.pos] = token[1:]
        else:
            return self.atom(depth)
        if self.dangling():
            self.repairs.append(f"'{token[0] if token != 'NOT' else token}' negates nothing")
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
            else:
                self.repairs.append("a '(' is never closed")
            node = _simplify(group)
            if node is None:
                self.repairs.append("a '( )' holds nothing to search for")
            return node
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QueryError(f"the query has more than {MAX_CLAUSES} terms")
        if token.count('"') % 2:
            self.repairs.append(f"the quote in {token!r} is never closed")
        if token.startswith('"'):
            node = _text(token.strip('"'), phrase=True)
        elif (match := _FIELD.match(token)) and match.group(1).lower() in FIELDS and match.group(2):
            node = _scoped(FIELDS[match.group(1).lower()], match.group(2))
        else:
            node = _text(token, phrase=False)
        if node is None:
            self.repairs.append(f"{token!r} has nothing to search for")
        return node


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
    return read(q).tree


def read(q: str) -> Reading:
    """The query's syntax tree, what the lenient reading repaired, and its OR/AND mixes."""
    if not q.strip():
        return Reading(None)
    parser = _Parser(q)
    tree = parser.conj(0)
    if len(tree.nodes) == 1 and isinstance(tree.nodes[0], And):
        tree = tree.nodes[0]
    return Reading(tree, tuple(parser.repairs), tuple(parser.mixed))


def and_first_reading(runs: tuple[tuple[Node, ...], ...]) -> Node:
    """The operands of a mixed group (see :attr:`Reading.mixed`) read with AND binding tighter
    than OR, as rule files once read them: ``a b OR c`` is ``(a AND b) OR c``."""
    groups: list[list[Node]] = [[]]
    for run in runs:
        groups[-1].append(run[0])
        groups.extend([node] for node in run[1:])
    terms = [g[0] if len(g) == 1 else And(tuple(g)) for g in groups]
    return terms[0] if len(terms) == 1 else Or(tuple(terms))


def or_first_reading(runs: tuple[tuple[Node, ...], ...]) -> Node:
    """The same operands as this language reads them: ``a b OR c`` is ``a AND (b OR c)``."""
    return And(tuple(run[0] if len(run) == 1 else Or(run) for run in runs))


def readings_differ(runs: tuple[tuple[Node, ...], ...], max_operands: int = 12) -> bool:
    """Do the two readings of a mixed group disagree on some article?

    Operands are opaque (equal operands are one variable); the truth tables are compared when
    there are at most ``max_operands`` distinct ones, else the readings count as different.
    """
    operands = list(dict.fromkeys(node for run in runs for node in run))
    if len(operands) > max_operands:
        return True
    old, new = and_first_reading(runs), or_first_reading(runs)
    for bits in range(2 ** len(operands)):
        truth = {node: bool(bits >> i & 1) for i, node in enumerate(operands)}
        if _holds(old, truth) != _holds(new, truth):
            return True
    return False


def _holds(node: Node, truth: dict[Node, bool]) -> bool:
    if node in truth:
        return truth[node]
    if isinstance(node, And):
        return all(_holds(n, truth) for n in node.nodes)
    if isinstance(node, Or):
        return any(_holds(n, truth) for n in node.nodes)
    raise ValueError(node)  # pragma: no cover - readings are built of operands, And and Or


def to_text(node: Node, top: bool = True) -> str:
    """A tree written back in the query language, fully parenthesised (for messages)."""
    if isinstance(node, Text):
        text = f'"{node.text}"' if node.phrase else node.text
        return f"{node.field}:{text}" if node.field else text
    if isinstance(node, Term):
        value = f'"{node.value}"' if " " in node.value else node.value
        return f"{node.field}:{value}"
    if isinstance(node, DateRange):
        return f"published:{node.start or ''}..{node.end or ''}"
    if isinstance(node, Not):
        return f"NOT {to_text(node.node, top=False)}"
    joined = f" {'AND' if isinstance(node, And) else 'OR'} ".join(
        to_text(n, top=False) for n in node.nodes
    )
    return joined if top or len(node.nodes) < 2 else f"({joined})"
