"""NewsAPI's ``q`` syntax, read strictly and written out in Tidings' query language.

NewsAPI documents: ``"exact phrases"``, ``+must``, ``-mustnot``, ``AND`` / ``OR`` / ``NOT`` and
parentheses. Its clients expect the usual boolean precedence, so this reads
``a AND b OR c`` as ``(a AND b) OR c`` (NOT and the prefixes bind tightest, then AND, which
is also implied between terms, then OR), then writes every group fully parenthesised so that
Tidings' own precedence (OR before the implied AND) never comes into play. Unlike Tidings'
lenient search box, a malformed query (an unclosed quote or parenthesis, an operator with
nothing to apply to) is refused: NewsAPI answers those with ``parameterInvalid``.

Words are written so that they can never be read as a Tidings field scope (``source:x`` is
searched as text, as NewsAPI would), and ``in_title`` scopes every word and phrase to the
title (``qInTitle``, ``searchIn=title``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_DEPTH = 20

_TOKEN = re.compile(r'\s+|"[^"]*"|"|\(|\)|[^\s()"]+')
_HAS_WORD = re.compile(r"\w", re.UNICODE)
_OPERATORS = ("AND", "OR", "NOT")


class QuerySyntaxError(ValueError):
    """The query is not valid NewsAPI syntax; the message says why, for the client."""


@dataclass(frozen=True)
class Word:
    text: str
    phrase: bool


@dataclass(frozen=True)
class Negated:
    node: Node


@dataclass(frozen=True)
class Group:
    op: str  # "AND" | "OR"
    nodes: tuple[Node, ...]


Node = Word | Negated | Group


class _Reader:
    """Recursive descent: or := and ("OR" and)*; and := unary (["AND"] unary)*;
    unary := ("NOT" | "+" | "-") unary | "(" or ")" | phrase | word."""

    def __init__(self, q: str) -> None:
        self.tokens = [t for t in _TOKEN.findall(q) if not t.isspace()]
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def either(self, depth: int) -> Node:
        nodes = [self.both(depth)]
        while self.peek() == "OR":
            self.take()
            nodes.append(self.both(depth))
        return nodes[0] if len(nodes) == 1 else Group("OR", tuple(nodes))

    def both(self, depth: int) -> Node:
        nodes = [self.unary(depth)]
        while (token := self.peek()) not in (None, ")", "OR"):
            if token == "AND":
                self.take()
            nodes.append(self.unary(depth))
        return nodes[0] if len(nodes) == 1 else Group("AND", tuple(nodes))

    def unary(self, depth: int) -> Node:
        token = self.peek()
        if token is None or token in (")", "AND", "OR"):
            raise QuerySyntaxError(_missing(token))
        if token == "NOT":
            self.take()
            return Negated(self.operand("NOT", depth))
        if token[0] in "+-":
            rest = token[1:]
            if rest:
                self.tokens[self.pos] = rest  # "+word", "-word", '-"a phrase"'
            else:
                self.take()  # "+" or "-" before a phrase or a group
            inner = self.operand(token[0], depth)
            return Negated(inner) if token[0] == "-" else inner
        return self.atom(depth)

    def operand(self, operator: str, depth: int) -> Node:
        token = self.peek()
        if token is None or token in (")", "AND", "OR"):
            raise QuerySyntaxError(f"'{operator}' must be followed by a word, phrase or group")
        return self.unary(depth)

    def atom(self, depth: int) -> Node:
        token = self.take()
        if token == "(":
            if depth >= MAX_DEPTH:
                raise QuerySyntaxError(f"parentheses nest more than {MAX_DEPTH} deep")
            if self.peek() == ")":
                raise QuerySyntaxError("'()' holds nothing to search for")
            node = self.either(depth + 1)
            if self.peek() != ")":
                raise QuerySyntaxError("a '(' is never closed")
            self.take()
            return node
        if token == '"':
            raise QuerySyntaxError("a '\"' is never closed")
        if token.startswith('"'):
            text = " ".join(token[1:-1].split())
            if not _HAS_WORD.search(text):
                raise QuerySyntaxError(f"the phrase {token} holds no word")
            return Word(text, phrase=True)
        if not _HAS_WORD.search(token):
            raise QuerySyntaxError(f"{token!r} holds no word to search for")
        return Word(token, phrase=False)


def _missing(token: str | None) -> str:
    if token is None:
        return "the query ends where a word, phrase or group is expected"
    if token == ")":
        return "a ')' closes no '(' or follows an operator"
    return f"'{token}' has nothing on one side"


def parse(q: str) -> Node:
    """The syntax tree of a NewsAPI query; :class:`QuerySyntaxError` if it is malformed."""
    reader = _Reader(q)
    if reader.peek() is None:
        raise QuerySyntaxError("the query is empty")
    node = reader.either(0)
    if reader.peek() is not None:  # only a stray ")" can stop the top level early
        raise QuerySyntaxError("a ')' closes no '('")
    return node


def to_tidings(node: Node, *, in_title: bool = False) -> str:
    """``node`` in Tidings' query language, every group parenthesised."""
    if isinstance(node, Word):
        return _word(node, in_title)
    if isinstance(node, Negated):
        return f"NOT {to_tidings(node.node, in_title=in_title)}"
    joiner = " OR " if node.op == "OR" else " "
    return "(" + joiner.join(to_tidings(n, in_title=in_title) for n in node.nodes) + ")"


def _word(word: Word, in_title: bool) -> str:
    # A quoted form keeps "source:x" from being read as a Tidings field scope; Tidings'
    # analyzer splits it into words as it would any text.
    text = f'"{word.text}"' if word.phrase or ":" in word.text else word.text
    return f"title:{text}" if in_title else text


def translate(q: str, *, in_title: bool = False) -> str:
    """A NewsAPI query as a Tidings query (see :func:`parse` for what is refused)."""
    return to_tidings(parse(q), in_title=in_title)
