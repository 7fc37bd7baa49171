"""NewsAPI's ``q`` syntax, read strictly and written out in Tidings' query language.

NewsAPI documents: ``"exact phrases"``, ``+must``, ``-mustnot``, ``AND`` / ``OR`` / ``NOT`` and
parentheses. Its clients expect the usual boolean precedence, so this reads
``a AND b OR c`` as ``(a AND b) OR c`` (NOT and the prefixes bind tightest, then AND, which
is also implied between terms, then OR) into the syntax tree of Tidings' query language
(:mod:`tidings.core.index.query_language`), which writes it back fully parenthesised, so
Tidings' own precedence (OR before the implied AND) never comes into play. Unlike Tidings'
lenient search box, a malformed query (an unclosed quote or parenthesis, an operator with
nothing to apply to) is refused: NewsAPI answers those with ``parameterInvalid``.

Words are written so that they can never be read as a Tidings field scope (``source:x`` is
searched as text, as NewsAPI would), and ``in_title`` scopes every word and phrase to the
title (``qInTitle``, ``searchIn=title``).
"""

from __future__ import annotations

import re

from tidings.core.index.query_language import And, Node, Not, Or, Text, to_text

MAX_DEPTH = 20

_TOKEN = re.compile(r'\s+|"[^"]*"|"|\(|\)|[^\s()"]+')
_HAS_WORD = re.compile(r"\w", re.UNICODE)


class QuerySyntaxError(ValueError):
    """The query is not valid NewsAPI syntax; the message says why, for the client."""


class _Reader:
    """Recursive descent: or := and ("OR" and)*; and := unary (["AND"] unary)*;
    unary := ("NOT" | "+" | "-") unary | "(" or ")" | phrase | word."""

    def __init__(self, q: str, field: str | None) -> None:
        self.tokens = [t for t in _TOKEN.findall(q) if not t.isspace()]
        self.pos = 0
        self.field = field  # every word's field scope: None (all text) or "title"

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
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def both(self, depth: int) -> Node:
        nodes = [self.unary(depth)]
        while (token := self.peek()) not in (None, ")", "OR"):
            if token == "AND":
                self.take()
            nodes.append(self.unary(depth))
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self, depth: int) -> Node:
        token = self.peek()
        if token is None or token in (")", "AND", "OR"):
            raise QuerySyntaxError(_missing(token))
        if token == "NOT":
            self.take()
            return Not(self.operand("NOT", depth))
        if token[0] in "+-":
            rest = token[1:]
            if rest:
                self.tokens[self.pos] = rest  # "+word", "-word", '-"a phrase"'
            else:
                self.take()  # "+" or "-" before a phrase or a group
            inner = self.operand(token[0], depth)
            return Not(inner) if token[0] == "-" else inner
        return self.atom(depth)

    def operand(self, operator: str, depth: int) -> Node:
        token = self.peek()
        if token is None or token in (")", "AND", "OR"):
            raise QuerySyntaxError(f"'{operator}' must be followed by a word, phrase or group")
        return self.unary(depth)

    def atom(self, depth: int) -> Node:
        # A word with a colon is kept whole as a phrase: "source:x" must not become a Tidings
        # field scope; Tidings' analyzer splits it into words as it would any text.
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
            return Text(text, phrase=True, field=self.field)
        if not _HAS_WORD.search(token):
            raise QuerySyntaxError(f"{token!r} holds no word to search for")
        return Text(token, phrase=":" in token, field=self.field)


def _missing(token: str | None) -> str:
    if token is None:
        return "the query ends where a word, phrase or group is expected"
    if token == ")":
        return "a ')' closes no '(' or follows an operator"
    return f"'{token}' has nothing on one side"


def parse(q: str, *, in_title: bool = False) -> Node:
    """The query as a Tidings syntax tree; :class:`QuerySyntaxError` if it is malformed."""
    reader = _Reader(q, "title" if in_title else None)
    if reader.peek() is None:
        raise QuerySyntaxError("the query is empty")
    node = reader.either(0)
    if reader.peek() is not None:  # only a stray ")" can stop the top level early
        raise QuerySyntaxError("a ')' closes no '('")
    return node


def translate(q: str, *, in_title: bool = False) -> str:
    """A NewsAPI query as a Tidings query (see :func:`parse` for what is refused)."""
    return to_text(parse(q, in_title=in_title))
