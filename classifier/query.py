"""A small boolean keyword query language for rule topics.

    "export controls" AND (chip OR chips OR semiconductor*) AND NOT "potato chips"

Terms are words or "quoted phrases", matched case-insensitively on whole tokens; a trailing
``*`` matches any word starting with the prefix. ``AND`` (also implied between adjacent terms),
``OR``, ``NOT`` and parentheses combine them; ``NOT`` binds tightest, then ``AND``, then ``OR``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|([^\s()"]+))')
_WORD = re.compile(r"\w+(?:[-'.]\w+)*\*?|[^\w\s]")


class QueryError(ValueError):
    """The query cannot be parsed; the message says where."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # lower case; the last may end with "*" (prefix)

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Op:
    kind: str  # "and" | "or" | "not"
    args: tuple[Node, ...]


Node = Term | Op


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD.findall(text))


def _lex(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    query = query.strip()
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            raise QueryError(f"unbalanced quote at character {pos + 1}")
        pos = m.end()
        lp, rp, phrase, word = m.groups()
        if lp or rp:
            tokens.append(("(", "(") if lp else (")", ")"))
        elif phrase is not None:
            tokens.append(("term", phrase))
        elif word in ("AND", "OR", "NOT"):
            tokens.append((word, word))
        else:
            tokens.append(("term", word))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.i = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse_or(self) -> Node:
        args = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            args.append(self.parse_and())
        return args[0] if len(args) == 1 else Op("or", tuple(args))

    def parse_and(self) -> Node:
        args = [self.parse_not()]
        while self.peek() in ("AND", "NOT", "term", "("):
            if self.peek() == "AND":
                self.take()
            args.append(self.parse_not())
        return args[0] if len(args) == 1 else Op("and", tuple(args))

    def parse_not(self) -> Node:
        if self.peek() == "NOT":
            self.take()
            return Op("not", (self.parse_not(),))
        return self.parse_atom()

    def parse_atom(self) -> Node:
        kind = self.peek()
        if kind is None:
            raise QueryError("query ends where a term was expected")
        if kind == "(":
            self.take()
            node = self.parse_or()
            if self.peek() != ")":
                raise QueryError("missing ')'")
            self.take()
            return node
        if kind != "term":
            raise QueryError(f"unexpected '{self.tokens[self.i][1]}' at token {self.i + 1}")
        words = _words(self.take()[1])
        if not words:
            raise QueryError(f"empty term at token {self.i}")
        return Term(words)


def parse_query(query: str) -> Node:
    """Parse a query; raises :class:`QueryError` on a syntax error."""
    tokens = _lex(query)
    if not tokens:
        raise QueryError("empty query")
    parser = _Parser(tokens)
    node = parser.parse_or()
    if parser.i != len(tokens):
        raise QueryError(f"unexpected '{tokens[parser.i][1]}' at token {parser.i + 1}")
    return node


def _occurs(term: Term, words: Sequence[str]) -> bool:
    n = len(term.words)
    last = term.words[-1]
    prefix = last.endswith("*")
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n - 1]) != term.words[:-1]:
            continue
        w = words[i + n - 1]
        if (prefix and w.startswith(last[:-1])) or w == last:
            return True
    return False


def evaluate(node: Node, words: Sequence[str]) -> tuple[bool, set[str]]:
    """Does the (lower-cased, tokenised) text match; and which positive terms were found."""
    if isinstance(node, Term):
        hit = _occurs(node, words)
        return hit, {node.text} if hit else set()
    if node.kind == "not":
        hit, _ = evaluate(node.args[0], words)
        return not hit, set()
    results = [evaluate(arg, words) for arg in node.args]
    found = set().union(*(f for _, f in results))
    combine = all if node.kind == "and" else any
    ok = combine(hit for hit, _ in results)
    return ok, found if ok else set()


def text_words(text: str) -> list[str]:
    """Lower-cased word tokens of a text, the way query terms are split."""
    return list(_words(text))
