"""Fuzzed query parameters never give a 5xx (../shared/DESIGN.md reliability figure)."""

from __future__ import annotations

import random
from urllib.parse import quote

from flask.testing import FlaskClient

NAMES = ["q", "topic", "source", "from", "to", "sort", "limit", "cursor"]
ATOMS = [
    "",
    " ",
    "0",
    "-1",
    "1e3",
    "99999999999999999999",
    "2024-05-01",
    "2024-02-30",
    "2024-05-01T25:00",
    "0001-01-01",
    "9999-12-31T23:59:59+14:00",
    "date",
    "relevance",
    "\x00",
    "\ud7ff",
    "☃",
    "%",
    "'",
    '"',
    "<b>",
    "&amp;",
    "*",
    "title:",
    "(",
    "AND",
    "NOT",
    "eyJzIjoiZGF0ZSIsImsiOi0xLCJpIjoxfQ",
    "eyJzIjoicmVsZXZhbmNlIiwibyI6MWUzMDB9",
]


def _value(rng: random.Random) -> str:
    return "".join(rng.choice(ATOMS) for _ in range(rng.randint(1, 3)))


def test_fuzzed_parameters_never_5xx(client: FlaskClient) -> None:
    rng = random.Random(20240501)
    for _ in range(300):
        query = [(rng.choice(NAMES), _value(rng)) for _ in range(rng.randint(1, 4))]
        path = rng.choice(["/api/v1/search", "/api/v1/recent", "/feeds/recent.rss", "/"])
        resp = client.get(path, query_string=query)
        assert resp.status_code < 500, (path, query, resp.get_data(as_text=True)[:300])
        if resp.status_code == 400 and path != "/":
            assert resp.mimetype == "application/problem+json"


#: The story surfaces: the API's list and one story, the analyst page's story view, the story
#: feed and the widget's story mode (each a problem document or an HTML page, never a 5xx).
STORY_PATHS = ["/api/v1/stories", "/stories", "/feeds/stories.json", "/widget"]
STORY_NAMES = ["q", "topic", "source", "entity", "lang", "from", "to", "limit", "show", "theme"]


def test_fuzzed_story_requests_never_5xx(client: FlaskClient) -> None:
    rng = random.Random(20241206)
    for _ in range(300):
        query = [(rng.choice(STORY_NAMES), _value(rng)) for _ in range(rng.randint(1, 4))]
        path = rng.choice(STORY_PATHS)
        resp = client.get(path, query_string=query)
        assert resp.status_code < 500, (path, query, resp.get_data(as_text=True)[:300])
        if resp.status_code >= 400 and path != "/stories":
            assert resp.mimetype == "application/problem+json", (path, query)
    for _ in range(100):
        story_id = quote(_value(rng), safe="")
        for path in (f"/api/v1/stories/{story_id}", f"/stories/{story_id}"):
            resp = client.get(path)
            assert resp.status_code == 404, (path, resp.status_code)  # no such story
            if path.startswith("/api/"):
                assert resp.mimetype == "application/problem+json", path
