"""The story record: what a reader and the API see of a story, kept up to date as articles join.

Everything in it is taken from its articles, never invented: the headline is the title of the
member whose headline best matches the others' (``title_fit`` from the clusterer; the other
headlines are kept too, for story search), the span is the members' first and last
publication dates (their fetch times only for a story none of whose articles has a date),
and the top entities and topics are the most frequent among the members. Counts per source
and per day give the source diversity and the timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

TOP = 10
#: Distinct member headlines a record keeps (what a story search matches besides its headline).
TITLES = 50


def _top(counts: Mapping[str, int], n: int = TOP) -> list[str]:
    return [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _source(record: Mapping[str, Any]) -> dict[str, Any] | None:
    source = record.get("source")
    if isinstance(source, Mapping) and source.get("id"):
        return {k: source.get(k) for k in ("id", "name", "domain")}
    if isinstance(source, str) and source:
        return {"id": source, "name": source, "domain": None}
    return None


@dataclass
class StoryRecord:
    """One story. ``dump()`` is the stored (and served) JSON shape."""

    id: str
    headline: str = ""
    headline_article_id: str | None = None
    headline_url: str | None = None
    headline_fit: float = -1.0
    first_seen: str | None = None
    last_seen: str | None = None
    articles: int = 0
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> source + count
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> text/label/count
    topics: dict[str, int] = field(default_factory=dict)
    days: dict[str, int] = field(default_factory=dict)  # YYYY-MM-DD -> articles
    titles: list[str] = field(default_factory=list)  # distinct member headlines, first TITLES
    published_span: list[str] | None = None  # [first, last] publication date of the dated members
    fetched_span: list[str] | None = None  # [first, last] fetch time of every member

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> StoryRecord:
        story = cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        if "published_span" not in data and story.first_seen and story.last_seen:
            # saved before the two spans were kept apart: its span stands for the dated one
            story.published_span = [story.first_seen, story.last_seen]
        return story

    def add(self, record: Mapping[str, Any], title_fit: float) -> None:
        """Count one member article in."""
        self.articles += 1
        title = str(record.get("title") or "").strip()
        if title and title not in self.titles and len(self.titles) < TITLES:
            self.titles.append(title)
        if title and title_fit > self.headline_fit:
            self.headline, self.headline_fit = title, title_fit
            self.headline_article_id = str(record.get("id"))
            self.headline_url = record.get("url")
        self._add_time(record)
        source = _source(record)
        if source:
            entry = self.sources.setdefault(source["id"], {**source, "articles": 0})
            entry["articles"] += 1
        for entity in record.get("entities") or ():
            if isinstance(entity, Mapping) and entity.get("key"):
                e = self.entities.setdefault(
                    str(entity["key"]),
                    {"key": entity["key"], "text": entity.get("text"), "label": entity.get("label"),
                     "count": 0},
                )  # fmt: skip
                e["count"] += 1
        for topic in record.get("topics") or ():
            tid = topic.get("id") if isinstance(topic, Mapping) else topic
            if tid:
                self.topics[str(tid)] = self.topics.get(str(tid), 0) + 1

    def _add_time(self, record: Mapping[str, Any]) -> None:
        """The span is the members' publication dates; fetch times stand in only while no
        member has a date (an undated article fetched today must not make an old story
        recent, and ranking reads ``last_seen``)."""
        published, fetched = record.get("published_at"), record.get("fetched_at")
        if published:
            self.published_span = _widen(self.published_span, str(published))
        if fetched:
            self.fetched_span = _widen(self.fetched_span, str(fetched))
        span = self.published_span or self.fetched_span
        if span:
            self.first_seen, self.last_seen = span
        when = published or fetched
        if when:
            day = str(when)[:10]
            self.days[day] = self.days.get(day, 0) + 1

    def dump(self) -> dict[str, Any]:
        """The record's fields, the stored (and indexed) shape. The dicts and lists in it are
        the record's own, not copies: every caller serialises it and drops the record
        (``asdict``'s deep copy was most of a batch's story-record write); copy it to keep
        both and change either."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _widen(span: list[str] | None, when: str) -> list[str]:
    return [min(span[0], when), max(span[1], when)] if span else [when, when]


def summary(data: Mapping[str, Any]) -> dict[str, Any]:
    """The public shape of a stored story record (lists, top entries first)."""
    sources = sorted(data.get("sources", {}).values(), key=lambda s: (-s["articles"], s["id"]))
    entity_counts = {k: e["count"] for k, e in data.get("entities", {}).items()}
    return {
        "id": data["id"],
        "headline": data.get("headline") or "",
        "headline_article_id": data.get("headline_article_id"),
        "headline_url": data.get("headline_url"),
        "first_seen": data.get("first_seen"),
        "last_seen": data.get("last_seen"),
        "article_count": data.get("articles", 0),
        "source_count": len(sources),
        "sources": sources,
        "entities": [
            {k: data["entities"][key][k] for k in ("key", "text", "label", "count")}
            for key in _top(entity_counts)
        ],
        "topics": [
            {"id": t, "count": data.get("topics", {})[t]} for t in _top(data.get("topics", {}))
        ],
    }
