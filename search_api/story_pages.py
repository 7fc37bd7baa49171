"""The analyst page's story view: stories matching the page's query, and one story's coverage.

Same URL state as the article view (``/``): the query and filters are read and written by the
one request codec (:func:`~search_api.params.parse_search`, :func:`~search_api.pages.page_args`),
so switching views keeps them. The stories come from the same functions as ``/api/v1/stories``
(:mod:`search_api.stories`); a story's per-day timeline is drawn like the page's volume chart
(server-rendered SVG, redrawn by ``analyst.js`` with the vendored uPlot). Autoescaped: headlines
are crawled text.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, render_template, request

from search_api.feeds import feed_links
from search_api.markup import safe_url
from search_api.pages import chart_data, page_args, security_headers
from search_api.params import FILTER_PARAMS, PARAMS, parse_search
from search_api.problems import Problem
from search_api.records import topic_ids
from search_api.stories import ranked_stories, story_coverage
from tidings.core.index.base import SearchRequest

log = logging.getLogger(__name__)

bp = Blueprint("story_pages", __name__)
bp.after_request(security_headers)


def story_filters(query: SearchRequest) -> dict[str, Any]:
    """The page's query as the stories list's arguments (StoriesArgs' names)."""
    return {PARAMS[p]: getattr(query, PARAMS[p]) for p in (*FILTER_PARAMS, "limit")}


@bp.get("/stories")
def stories() -> tuple[str, int]:
    """Stories for the query in the URL, best first: headline, sources, first and last seen."""
    query = SearchRequest()
    found: list[dict[str, Any]] = []
    error: Problem | None = None
    try:
        query = parse_search(request.args)
        found = ranked_stories(story_filters(query))
    except Problem as problem:  # shown on the page, as on the article view
        if problem.status >= 500:
            log.warning("story view: %s", problem.detail)
        error = problem
    return render_template(
        "stories.html",
        query=query,
        page_args=page_args(query, (*FILTER_PARAMS, "limit")),
        stories=found,
        error=error,
        topic_ids=topic_ids,
        feeds=feed_links(None),
        view_endpoint="story_pages.stories",
        view_args=page_args(query, FILTER_PARAMS),
    ), (error.status if error else 200)


@bp.get("/stories/<story_id>")
def story(story_id: str) -> str:
    """One story: every article with its source and time, the per-day timeline, entities."""
    found = story_coverage(story_id)
    return render_template(
        "story.html",
        s=found,
        chart=chart_data([(d["date"], d["count"]) for d in found["timeline"]]),
        safe_url=safe_url,
        feeds=feed_links(None),
    )
