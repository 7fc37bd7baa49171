"""A story record after one member left or joined it, from that member alone when that gives
exactly what counting every member again would (:func:`tidings.core.store.story_recount.recounted`).

Counts (articles, sources, entities, topics, days) add and subtract; spans only widen on a join.
What depends on placing order is settled from ``earlier``, the story's members placed before the
moved one, in order, which a caller reads lazily: iterating it stops as soon as the question is
answered (the first ``TITLES`` distinct titles, the first member with an entity or a source).
Where that is not enough (the headline's member or a span's end leaving, the first member
with a title, an entity's or a source's text leaving, a record that does not add up) the
answer is None and the caller counts the story in full. Both functions assume ``old`` is the
recount of the story's members before the move, which is what placing and recounting write;
maps may list their keys in another order than a recount would (their JSON order means nothing).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from tidings.core.stories.record import TITLES, StoryRecord, _source

Record = Mapping[str, Any]
#: The fields of an entity a record takes from the entity's first member.
ENTITY = ("key", "text", "label")


def joined(old: dict[str, Any], member: Record, earlier: Iterable[Record]) -> dict[str, Any] | None:
    """``old`` with ``member`` counted in at its place (``earlier``: the members before it);
    None when only a full recount can tell."""
    if not _countable(old):
        return None
    story = StoryRecord.load(old)
    titles, sources, entities = list(story.titles), set(story.sources), set(story.entities)
    story.add(member, -math.inf)  # the headline's member is still in: it stays
    new_titles = _titles_joined(titles, _title(member), earlier)
    if new_titles is None:
        return None
    story.titles = new_titles
    source = _source(member)
    if source and source["id"] in sources:
        entry = story.sources[source["id"]]
        if _differs(entry, source, ("name", "domain")) and not _any_source(earlier, source["id"]):
            entry.update(name=source["name"], domain=source["domain"])  # it is the first now
    for key, entity in _first_entities(member).items():
        entry = story.entities[key]
        was = key in entities
        first = was and _differs(entry, entity, ENTITY) and not _any_entity(earlier, key)
        if first:  # it is the entity's first member now
            entry.update(key=entity["key"], text=entity.get("text"), label=entity.get("label"))
    return story.dump()


def left(old: dict[str, Any], member: Record, earlier: Iterable[Record]) -> dict[str, Any] | None:
    """``old`` without ``member`` (``earlier``: the members placed before it); None when only
    a full recount can tell."""
    if not _countable(old) or old["headline_article_id"] == str(member.get("id")):
        return None
    story = StoryRecord.load(old)
    if story.articles < 2 or not _inside_spans(story, member):
        return None
    story.articles -= 1
    published, fetched = member.get("published_at"), member.get("fetched_at")
    when = published or fetched
    if when and not _take(story.days, str(when)[:10]):
        return None
    title = _title(member)
    if title in story.titles and not _titles_before(earlier, title)[1]:
        return None  # it was the title's first member: where the title goes now is unknown
    source = _source(member)
    if source:
        entry = story.sources.get(source["id"])
        if entry is None or entry["articles"] < 1:
            return None
        entry["articles"] -= 1
        if not entry["articles"]:
            del story.sources[source["id"]]
        elif not _differs(entry, source, ("name", "domain")) and not _any_source(
            earlier, source["id"]
        ):
            return None  # it may have been the source's first member
    if not _entities_left(story, member, earlier):
        return None
    for topic in member.get("topics") or ():
        tid = topic.get("id") if isinstance(topic, Mapping) else topic
        if tid and not _take(story.topics, str(tid)):
            return None
    return story.dump()


def _countable(old: Mapping[str, Any]) -> bool:
    """A record arithmetic can continue: its headline's member known, both spans kept apart
    (a record saved before they were is counted in full once)."""
    return bool(old.get("headline_article_id")) and {"published_span", "fetched_span"} <= set(old)


def _inside_spans(story: StoryRecord, member: Record) -> bool:
    """The member's dates are strictly inside the spans (at an end, another member may or may
    not share it)."""
    for when, span in ((member.get("published_at"), story.published_span),
                       (member.get("fetched_at"), story.fetched_span)):  # fmt: skip
        if when and (not span or str(when) in span):
            return False
    return True


def _entities_left(story: StoryRecord, member: Record, earlier: Iterable[Record]) -> bool:
    for entity in member.get("entities") or ():
        if isinstance(entity, Mapping) and entity.get("key"):
            entry = story.entities.get(str(entity["key"]))
            if entry is None or entry["count"] < 1:
                return False
            entry["count"] -= 1
    for key, entity in _first_entities(member).items():
        entry = story.entities[key]
        if not entry["count"]:
            del story.entities[key]
        elif not _differs(entry, entity, ENTITY) and not _any_entity(earlier, key):
            return False  # it may have been the entity's first member
    return True


def _titles_joined(titles: list[str], title: str, earlier: Iterable[Record]) -> list[str] | None:
    """The first ``TITLES`` distinct titles with a member of ``title`` placed after ``earlier``."""
    if not title:
        return titles
    seen, found = _titles_before(earlier, title)
    if found or len(seen) >= TITLES:
        return titles
    if titles[: len(seen)] != seen:
        return None  # the record does not add up: count it in full
    return [*seen, title, *(t for t in titles[len(seen) :] if t != title)][:TITLES]


def _titles_before(earlier: Iterable[Record], title: str) -> tuple[list[str], bool]:
    """The distinct titles of ``earlier`` in order, read until ``title`` or ``TITLES`` of them;
    whether ``title`` was among them."""
    seen: list[str] = []
    for record in earlier:
        other = _title(record)
        if other == title:
            return seen, True
        if other and other not in seen:
            seen.append(other)
            if len(seen) >= TITLES:
                break
    return seen, False


def _title(record: Record) -> str:
    return str(record.get("title") or "").strip()


def _first_entities(record: Record) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for entity in record.get("entities") or ():
        if isinstance(entity, Mapping) and entity.get("key"):
            out.setdefault(str(entity["key"]), entity)
    return out


def _any_entity(records: Iterable[Record], key: str) -> bool:
    return any(key in _first_entities(r) for r in records)


def _any_source(records: Iterable[Record], source_id: str) -> bool:
    return any((s := _source(r)) is not None and s["id"] == source_id for r in records)


def _differs(entry: Mapping[str, Any], value: Mapping[str, Any], keys: tuple[str, ...]) -> bool:
    return any(entry.get(k) != value.get(k) for k in keys)


def _take(counts: dict[str, int], key: str) -> bool:
    """One less of ``key`` (gone at none); False when there was none to take."""
    if counts.get(key, 0) < 1:
        return False
    counts[key] -= 1
    if not counts[key]:
        del counts[key]
    return True
