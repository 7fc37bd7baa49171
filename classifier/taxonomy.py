"""The taxonomy file: which topics exist, how they nest and which are found by rules.

Kept as data (TOML) so an operator can add a rule topic without touching code; loading checks
it thoroughly because a typo here would silently drop a topic from every article.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from classifier.query import QueryError, parse_query

#: The taxonomy shipped with the package.
DEFAULT_TAXONOMY = Path(__file__).with_name("taxonomy.toml")
_ALLOWED = {"id", "label", "description", "parent", "keywords", "entities", "query"}


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

    @property
    def is_rule(self) -> bool:
        """True if rules (keywords/entities/query) assign this topic, not the model."""
        return bool(self.keywords or self.entities or self.query)


@dataclass(frozen=True)
class Taxonomy:
    topics: tuple[TopicDef, ...]
    path: Path | None = None
    by_id: dict[str, TopicDef] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {t.id: t for t in self.topics})

    @property
    def rule_topics(self) -> tuple[TopicDef, ...]:
        return tuple(t for t in self.topics if t.is_rule)

    def ids(self) -> list[str]:
        return [t.id for t in self.topics]


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
    for key in ("parent", "query"):
        if key in raw and not isinstance(raw[key], str):
            raise TaxonomyError(f"{where}: '{key}' must be a string")
    query = raw.get("query")
    if query is not None:
        try:
            parse_query(query)
        except QueryError as exc:
            raise TaxonomyError(f"{where}: invalid 'query' ({exc})") from None
    return TopicDef(
        id=raw["id"].strip(),
        label=raw["label"].strip(),
        description=raw["description"].strip(),
        parent=raw.get("parent"),
        keywords=_strings(raw.get("keywords", []), where, "keywords"),
        entities=_strings(raw.get("entities", []), where, "entities"),
        query=raw.get("query"),
    )


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
    return Taxonomy(topics, p)
