"""Stories as documents of their own in the search index, beside the articles.

A story record (:mod:`tidings.core.stories.record`, kept by the store) becomes one document by
:func:`story_document`, the one mapping every backend indexes. Its fields carry the article
index's names (``title`` is the headline, ``body`` the members' headlines, ``summary`` entity
and source names; ``topics``, ``source``, ``entities`` keywords; ``published`` the story's last
article), so the query language and the filters of articles run on stories unchanged. Like the
article index it is derived data: ``tidings reindex`` rebuilds it from the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from tidings.core.article import date_or_none
from tidings.core.index.base import Facet

#: Story ids one search returns at most (the API ranks the ones it gets).
MAX_STORIES = 5000


@dataclass(frozen=True)
class StoryQuery:
    """One story search: the query language over the story documents, and "any of" filters.
    Attribute names are :class:`~tidings.core.index.base.SearchRequest`'s, so the backends'
    filter builders take either."""

    q: str = ""
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  #: stories have none: a language filter matches nothing
    date_from: datetime | None = None  #: last article at or after
    date_to: datetime | None = None  #: last article at or before
    limit: int = 1000

    def values(self, facet: Facet) -> tuple[str, ...]:
        return tuple(getattr(self, facet.attr))


def story_document(story: Mapping[str, Any]) -> dict[str, Any]:
    """The index document of one story record (every backend indexes exactly these fields)."""
    entities = story.get("entities") or {}
    sources = story.get("sources") or {}
    names = [str(e.get("text") or "") for e in entities.values()]
    names += [str(s.get("name") or "") for s in sources.values()]
    return {
        "id": str(story["id"]),
        "title": str(story.get("headline") or ""),
        "body": "\n".join(str(t) for t in story.get("titles") or ()),
        "summary": " ".join(n for n in names if n),
        "topics": sorted(story.get("topics") or {}),
        "source": sorted(sources),
        "entities": sorted(entities),
        "published": date_or_none(story.get("last_seen")),
        "first_seen": date_or_none(story.get("first_seen")),
        "articles": int(story.get("articles") or 0),
        "sources": len(sources),
    }


class StoryIndex(Protocol):
    """The story documents of one index (``IndexBackend.stories``)."""

    def upsert(self, stories: list[dict[str, Any]]) -> None:
        """Add or replace story records (by ``id``), visible to the next search."""

    def delete(self, ids: list[str]) -> None:
        """Remove stories by id (unknown ids are ignored)."""

    def search(self, query: StoryQuery) -> list[str]:
        """Ids of up to ``query.limit`` matching stories, the most recently seen first."""

    def count(self) -> int:
        """Number of indexed stories."""

    def rebuild(self, batches: Iterable[list[dict[str, Any]]]) -> int:
        """Replace every story by ``batches`` (searches keep the old ones until done)."""

    def clear(self) -> None:
        """Remove every story."""
