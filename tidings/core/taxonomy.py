"""The taxonomy file: which topics exist, how they nest and which are found by rules.

Kept as data (TOML) so an operator can add a rule topic without touching code; loading checks
it thoroughly because a typo here would silently drop a topic from every article. It lives in
the shared core because every part reads the one file the settings name: the classifier tags
with its rules, the API labels topics with it.

A rule ``query`` is written in the search query language (:mod:`tidings.core.index.query_language`)
and read strictly: what search would repair is an error here, and so are the parts that mean
nothing to a rule (field scopes other than ``entity:``, ``*``). Taxonomy files once bound AND
tighter than OR; a query that mixes the two without parentheses, and means something else now,
loads with a warning naming the topic and both readings.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tidings.core.index.base import QueryError
from tidings.core.index.query_language import (
    And,
    DateRange,
    Node,
    Not,
    Or,
    Term,
    Text,
    and_first_reading,
    or_first_reading,
    read,
    readings_differ,
    to_text,
)

#: The taxonomy shipped with the package (used when the settings name none).
DEFAULT_TAXONOMY = Path(__file__).with_name("taxonomy.toml")
log = logging.getLogger(__name__)
_ALLOWED = {
    "id", "label", "description", "parent", "keywords", "entities", "query", "category",
}  # fmt: skip
#: Broad news categories a topic may name (``category``): those of NewsAPI-style clients.
CATEGORIES = (
    "business", "entertainment", "general", "health", "science", "sports", "technology",
)  # fmt: skip


class TaxonomyError(ValueError):
    """The taxonomy file is missing or invalid; the message names the file and the topic."""


@dataclass(frozen=True)
class TopicDef:
    id: str
    label: str
    description: str
    parent: str | None = None
    keywords: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    query: str | None = None
    query_tree: Node | None = field(default=None, repr=False, compare=False)
    category: str | None = None  # one of CATEGORIES; None: the parent's

    @property
    def is_rule(self) -> bool:
        """True if rules (keywords/entities/query) assign this topic, not the model."""
        return bool(self.keywords or self.entities or self.query)


@dataclass(frozen=True)
class Taxonomy:
    topics: tuple[TopicDef, ...]
    path: Path | None = None
    #: loaded, but worth telling the operator (a query whose meaning changed), one per line
    warnings: tuple[str, ...] = ()

    @property
    def rule_topics(self) -> tuple[TopicDef, ...]:
        return tuple(t for t in self.topics if t.is_rule)

    def categories(self) -> dict[str, str]:
        """Topic id -> broad category: its own ``category``, else its nearest ancestor's;
        topics with neither are left out."""
        by_id = {t.id: t for t in self.topics}
        out = {}
        for topic in self.topics:
            node: TopicDef | None = topic
            seen: set[str] = set()
            while node is not None and node.category is None and node.id not in seen:
                seen.add(node.id)
                node = by_id.get(node.parent) if node.parent else None
            if node is not None and node.category is not None:
                out[topic.id] = node.category
        return out


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TaxonomyError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _topic(raw: object, where: str) -> TopicDef:
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{where}: each [[topics]] entry must be a table")
    unknown = set(raw) - _ALLOWED
    if unknown:
        raise TaxonomyError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("id", "label", "description"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise TaxonomyError(f"{where}: '{key}' must be a non-empty string")
    for key in ("parent", "query", "category"):
        if key in raw and not isinstance(raw[key], str):
            raise TaxonomyError(f"{where}: '{key}' must be a string")
    if "category" in raw and raw["category"] not in CATEGORIES:
        raise TaxonomyError(f"{where}: 'category' must be one of {', '.join(CATEGORIES)}")
    query = raw.get("query")
    tree = _rule_query(query, f"{where} ('{raw['id'].strip()}')") if query is not None else None
    return TopicDef(
        id=raw["id"].strip(),
        label=raw["label"].strip(),
        description=raw["description"].strip(),
        parent=raw.get("parent"),
        keywords=_strings(raw.get("keywords", []), where, "keywords"),
        entities=_strings(raw.get("entities", []), where, "entities"),
        query=query,
        query_tree=tree,
        category=raw.get("category"),
    )


def _rule_query(query: str, where: str) -> Node:
    """The query's tree, read strictly; a TaxonomyError says what is wrong with it."""
    try:
        reading = read(query)
    except QueryError as exc:
        raise TaxonomyError(f"{where}: invalid 'query' ({exc})") from None
    if reading.repairs:
        raise TaxonomyError(f"{where}: invalid 'query' ({reading.repairs[0]})")
    if reading.tree is None:
        raise TaxonomyError(f"{where}: invalid 'query' (it is empty)")
    problem = _unruly(reading.tree)
    if problem:
        raise TaxonomyError(f"{where}: invalid 'query' ({problem})")
    return reading.tree


def _unruly(node: Node) -> str | None:
    """What in the tree a rule cannot evaluate (it sees words and entities, not fields)."""
    if isinstance(node, Text):
        if node.field:
            return f"'{node.field}:' scopes search only; rules match title, lead and summary"
        if "*" in node.text:
            return (
                f"{node.text!r}: the query language has no wildcards; words are stemmed "
                "(chip finds chips), so drop the '*' or list the words"
            )
        return None
    if isinstance(node, DateRange):
        return "'published:' scopes search only"
    if isinstance(node, Term):
        return None if node.field == "entity" else f"'{node.field}:' scopes search only"
    if isinstance(node, Not):
        return _unruly(node.node)
    assert isinstance(node, And | Or)
    return next((p for p in map(_unruly, node.nodes) if p), None)


def _precedence_warnings(topic: TopicDef) -> list[str]:
    """One line per part of the topic's query that older taxonomy files read differently."""
    if topic.query is None:
        return []
    return [
        f"topic '{topic.id}': query {topic.query!r} reads {to_text(or_first_reading(runs))} "
        f"(OR binds tighter than AND, as in search); older taxonomy files read "
        f"{to_text(and_first_reading(runs))}: add parentheses to say which you mean"
        for runs in read(topic.query).mixed
        if readings_differ(runs)
    ]


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and validate a taxonomy TOML file (the packaged default when ``path`` is None)."""
    p = Path(path) if path is not None else DEFAULT_TAXONOMY
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TaxonomyError(f"{p}: taxonomy file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{p}: invalid TOML ({exc})") from None
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise TaxonomyError(f"{p}: no [[topics]] entries")
    topics = tuple(_topic(raw, f"{p}: topic #{i}") for i, raw in enumerate(raw_topics, start=1))
    seen: set[str] = set()
    for t in topics:
        if t.id in seen:
            raise TaxonomyError(f"{p}: duplicate topic id '{t.id}'")
        seen.add(t.id)
    for t in topics:
        if t.parent is not None and t.parent not in seen:
            raise TaxonomyError(f"{p}: topic '{t.id}' has unknown parent '{t.parent}'")
    warnings = tuple(f"{p}: {w}" for t in topics for w in _precedence_warnings(t))
    return Taxonomy(topics, p, warnings)


def topic_labels(path: str | Path | None = None) -> dict[str, str]:
    """Topic id -> label of the taxonomy at ``path`` (the packaged one when None), reread when
    the file changes; empty (and logged) when the file is missing or invalid, so a reader such
    as the API shows ids rather than failing."""
    taxonomy = _current(path, "labels")
    return {t.id: t.label for t in taxonomy.topics} if taxonomy else {}


def topic_categories(path: str | Path | None = None) -> dict[str, str]:
    """Topic id -> category (:meth:`Taxonomy.categories`) of the taxonomy at ``path``, read as
    :func:`topic_labels` reads it (empty, and logged, when the file cannot be read)."""
    taxonomy = _current(path, "categories")
    return taxonomy.categories() if taxonomy else {}


def _current(path: str | Path | None, what: str) -> Taxonomy | None:
    """The taxonomy at ``path`` as last loaded, reloaded when the file changes; None (logged,
    naming ``what`` is missing) when it is missing or invalid."""
    p = Path(path) if path is not None else DEFAULT_TAXONOMY
    try:
        return _loaded(p, p.stat().st_mtime_ns)
    except (OSError, TaxonomyError) as exc:
        log.warning("taxonomy %s unavailable: %s", what, exc)
        return None


@lru_cache(maxsize=4)
def _loaded(path: Path, mtime_ns: int) -> Taxonomy:
    return load_taxonomy(path)
