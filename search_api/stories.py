"""Stories under ``/api/v1``: recent stories ranked, and one story with its full coverage.

A story groups every outlet's articles about one event (:mod:`tidings.core.stories`); its
record comes from the store of record. The list is ranked by one documented mix
(:func:`rank`); its filters and ``q`` (the search query language) run on the index's story
documents (:mod:`tidings.core.index.stories`: headline, member headlines, entities, sources,
topics, last seen), never on a scan of the stories.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from flask import Response, jsonify, request
from werkzeug.datastructures import MultiDict

from search_api.caching import cacheable
from search_api.feeds import feed_response
from search_api.openapi import ApiBlueprint
from search_api.params import DEFAULT_LIMIT, RecentParams, StoriesArgs, StoryFeedArgs
from search_api.problems import Problem
from search_api.public_url import external_url
from search_api.resources import resources
from search_api.schemas import StoriesResponse, StoryDetail
from search_api.searching import index_call
from tidings.core.article import date_or_none
from tidings.core.index.stories import StoryQuery
from tidings.core.stories.record import summary

bp = ApiBlueprint("stories", __name__, url_prefix="/api/v1", description="Stories (events).")

#: Matching stories (most recently seen first) read before ranking.
WINDOW = 2000
MAX_ID = 64


def rank(story: dict[str, Any], newest: str | None) -> float:
    """Size, source diversity and recency: each doubling of articles adds 1, each doubling of
    sources adds 2, and each day between the story's last article and the newest story's
    last article takes 1 away."""
    articles, sources = story["article_count"], story["source_count"]
    score = math.log2(max(articles, 1)) + 2 * math.log2(max(sources, 1))
    last = date_or_none(story.get("last_seen"))
    top = date_or_none(newest)
    if last and top:
        score -= max(0.0, (top - last).total_seconds() / 86400)
    return round(score, 4)


def _iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") if moment else None


def _query(args: dict[str, Any]) -> StoryQuery:
    return StoryQuery(
        q=args.get("q") or "",
        topics=tuple(args.get("topics") or ()),
        sources=tuple(args.get("sources") or ()),
        entities=tuple(args.get("entities") or ()),
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
        limit=WINDOW,
    )


@bp.get("/stories")
@bp.arguments(StoriesArgs, location="query", as_kwargs=False)
@bp.response(200, StoriesResponse)
@bp.problems(304, 429, 503)
def stories(args: dict[str, Any]) -> Response:
    """Recent stories, ranked by size, source diversity and recency.

    `score` = log2(articles) + 2 × log2(sources) − days between the story's last article and the
    newest story's. Filters: `topic`, `source`, `entity` (any of the story's), `q` (the search
    query language over the story's headlines, entities and sources), `from`/`to` (its last
    article's date).
    """
    return cacheable(jsonify({"stories": ranked_stories(args)}))


def ranked_stories(args: dict[str, Any]) -> list[dict[str, Any]]:
    """The stories ``args`` select (StoriesArgs' names: q, topics, sources, entities,
    date_from, date_to, limit), best first: the API's list and the analyst page's story view."""
    store = resources().store
    ids = index_call(lambda index: index.stories.search(_query(args)))
    found = [summary(s) for s in store.stories(ids)]
    newest_story = store.recent_stories(1, _iso(args.get("date_from")), _iso(args.get("date_to")))
    newest = newest_story[0].get("last_seen") if newest_story else None
    chosen = [{**s, "score": rank(s, newest)} for s in found]
    chosen.sort(key=lambda s: (-s["score"], s["id"]))
    return chosen[: args.get("limit") or DEFAULT_LIMIT]


@bp.get("/stories/<story_id>")
@bp.response(200, StoryDetail)
@bp.problems(304, 404, 429, 503)
def story(story_id: str) -> Response:
    """One story with its full coverage: every article with its source and time, a per-day
    timeline and the entities."""
    return cacheable(jsonify(story_coverage(story_id)))


def story_coverage(story_id: str) -> dict[str, Any]:
    """One story with every article (source, time), its per-day timeline and entities; a 404
    Problem if there is no such story. The API's answer and the analyst page's story view."""
    found = resources().store.story(story_id) if len(story_id) <= MAX_ID else None
    if found is None:
        raise Problem(404, detail=f"no story with id {story_id[:MAX_ID]!r}")
    articles = resources().store.get_many(found["article_ids"])
    body = summary(found)
    body["timeline"] = [{"date": d, "count": n} for d, n in sorted(found.get("days", {}).items())]
    body["articles"] = sorted(
        (
            {k: a.get(k) for k in ("id", "title", "url", "source", "published_at", "cluster_id")}
            for a in articles
        ),
        key=lambda a: (str(a.get("published_at") or ""), a["id"]),
    )
    return body


# -- feeds ---------------------------------------------------------------------------------

feeds_bp = ApiBlueprint(
    "story_feeds", __name__, url_prefix="/feeds", description="Feeds of stories."
)
#: A feed's media type per format (the path's extension).
FEED_RESPONSES = {
    "200": {
        "description": "The feed: `.rss` RSS 2.0, `.atom` Atom 1.0, `.json` JSON Feed 1.1. "
        "Cacheable (strong ETag, Last-Modified, 304 on a conditional request).",
        "content": {
            "application/rss+xml": {"schema": {"type": "string"}},
            "application/atom+xml": {"schema": {"type": "string"}},
            "application/feed+json": {"schema": {"type": "object"}},
        },
    }
}


def other_sources(count: int) -> str:
    """``+1 source``, ``+4 sources``: how a story's line says how many other outlets report it
    (the feeds' titles and both widget forms); empty when none do."""
    if count <= 0:
        return ""
    return f"+{count} source{'' if count == 1 else 's'}"


def story_entry(story: dict[str, Any], lead: dict[str, Any] | None) -> dict[str, Any]:
    """A story as a feed entry: a stable id (readers never show it twice), its headline, the
    link of the article the headline comes from, updated whenever an article joins."""
    others = other_sources(story["source_count"] - 1)
    names = ", ".join(str(s.get("name") or s["id"]) for s in story["sources"][:5])
    covered = f"{story['article_count']} articles from {story['source_count']} sources: {names}"
    return {
        "id": f"story:{story['id']}",
        "title": story["headline"] + (f" ({others})" if others else ""),
        "summary": covered,
        "url": (lead or {}).get("url"),
        "published_at": story["first_seen"],
        "updated_at": story["last_seen"],
        "topics": [{"id": t["id"]} for t in story["topics"]],
        "source": {"name": f"{story['source_count']} sources"},
    }


@feeds_bp.get("/stories.<any(rss, atom, json):fmt>")
@feeds_bp.arguments(StoryFeedArgs, location="query", as_kwargs=False)
@feeds_bp.doc(responses=FEED_RESPONSES)
@feeds_bp.problems(304, 404, 429, 503)  # 404: a format other than rss, atom, json
def stories_feed(args: RecentParams, fmt: str) -> Response:
    """Stories, one entry each, most recently grown first; `topic`: only stories in it.

    An entry's id (`story:ID`) stays the same as the story grows, and its `updated` time moves
    on, so a reader shows it once and refreshes it; its title is the headline, with
    "(+N sources)" when other outlets report it too.
    """
    topic, limit = args.topic, args.limit
    found = [summary(s) for s in resources().store.recent_stories(WINDOW)]
    if topic:
        found = [s for s in found if topic in {t["id"] for t in s["topics"]}]
    found = found[:limit]
    leads = {
        a["id"]: a
        for a in resources().store.get_many(
            [s["headline_article_id"] for s in found if s["headline_article_id"]]
        )
    }
    entries = [story_entry(s, leads.get(s["headline_article_id"] or "")) for s in found]
    key = f"stories:topic:{topic}" if topic else "stories"
    title = f"Tidings: stories in {topic}" if topic else "Tidings: stories"
    home = external_url("pages.home", topic=topic)
    args = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k in ("topic", "limit")])
    return feed_response(fmt, entries, key, title, "Stories, one entry each", home,
                         "story_feeds.stories_feed", args)  # fmt: skip
