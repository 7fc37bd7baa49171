"""The OpenAPI 3.1 document generated from the code, and the browsable docs page."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

CONTRACT = [
    ("get", "/api/v1/search"),
    ("get", "/api/v1/recent"),
    ("get", "/api/v1/articles/{article_id}"),
    ("get", "/api/v1/articles/{article_id}/related"),
    ("get", "/api/v1/topics"),
    ("get", "/api/v1/sources"),
    ("get", "/api/v1/entities"),
    ("get", "/api/v1/trends"),
    ("get", "/healthz"),
    ("get", "/readyz"),
]
ADMIN = [
    ("post", "/api/v1/sources"),
    ("post", "/api/v1/crawl"),
    ("get", "/api/v1/crawl/{job_id}"),
    ("delete", "/api/v1/articles/{article_id}"),
]


def _spec(client: FlaskClient) -> dict:
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    return resp.get_json()


def test_document_is_openapi_31_and_covers_the_contract(client: FlaskClient) -> None:
    spec = _spec(client)
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["title"] == "Tidings API"
    for method, path in CONTRACT + ADMIN:
        assert method in spec["paths"][path], (method, path)
    assert "nullable" not in json.dumps(spec)  # 3.0-only keyword: 3.1 uses type: [.., "null"]
    assert spec["components"]["schemas"]["SearchResponse"]["properties"]["next_cursor"]["type"] == [
        "string",
        "null",
    ]


def test_parameters_and_problems_are_documented(client: FlaskClient) -> None:
    spec = _spec(client)
    search = spec["paths"]["/api/v1/search"]["get"]
    names = {p["name"] for p in search["parameters"]}
    assert names >= {"q", "topic", "source", "entity", "lang", "from", "to", "sort", "limit"}
    assert names >= {"cursor", "collapse", "recency", "histogram", "facet"}
    limit = next(p for p in search["parameters"] if p["name"] == "limit")["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 100, 20)
    facet = next(p for p in search["parameters"] if p["name"] == "facet")
    assert facet["schema"]["type"] == "array" and facet["explode"] is True
    assert facet["schema"]["items"]["enum"] == ["topic", "source", "entity", "language"]
    assert facet["schema"]["default"] == ["topic", "source"]
    collapse = next(p for p in search["parameters"] if p["name"] == "collapse")["schema"]
    assert collapse["enum"][:3] == ["none", "cluster", "story"] and collapse["default"] == "none"
    assert "true" in collapse["enum"]  # the older boolean spelling is documented too
    bad = spec["components"]["responses"]["BAD_REQUEST"]["content"]
    assert bad["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert {"400", "429", "503"} <= set(search["responses"])


def test_admin_operations_need_an_api_key(client: FlaskClient) -> None:
    spec = _spec(client)
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    assert schemes["apiKeyHeader"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    for method, path in ADMIN:
        op = spec["paths"][path][method]
        assert op["security"] == [{"bearerAuth": []}, {"apiKeyHeader": []}]
        assert {"401", "403"} <= set(op["responses"])
    for method, path in CONTRACT:
        assert "security" not in spec["paths"][path][method]


def test_docs_page_is_swagger_ui_from_the_package(client: FlaskClient) -> None:
    assert client.get("/api/v1/docs").status_code == 308
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert "connect-src 'self'" in csp  # "Try it out" calls this origin only
    html = page.get_data(as_text=True)
    assert "<script>" not in html  # no inline script: the CSP forbids them
    assert 'src="vendor/swagger-ui-bundle.js"' in html and 'src="docs.js"' in html
    assert 'data-spec="../openapi.json"' in html
    script = client.get("/api/v1/docs/docs.js").get_data(as_text=True)
    assert "http://" not in script and "https://" not in script  # nothing remote
    assert "validatorUrl: null" in script  # the badge would send the document elsewhere
    version = client.get("/api/v1/docs/vendor/VERSION").get_data(as_text=True).strip()
    bundle = client.get("/api/v1/docs/vendor/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and bundle.mimetype == "text/javascript"
    assert b"SwaggerUIBundle" in bundle.data and version.startswith("v5.")
    assert client.get("/api/v1/docs/vendor/index.html").status_code == 404  # only listed files


def test_story_endpoints_parameters_and_responses_are_documented(client: FlaskClient) -> None:
    spec = _spec(client)
    paths, schemas = spec["paths"], spec["components"]["schemas"]
    stories = paths["/api/v1/stories"]["get"]
    assert {p["name"] for p in stories["parameters"]} == {
        "q", "topic", "source", "entity", "lang", "from", "to", "limit"
    }  # fmt: skip
    assert "log2" in stories["description"]  # the ranking is documented
    lang = next(p for p in stories["parameters"] if p["name"] == "lang")
    assert "ignored" in lang["description"]
    listed = stories["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert listed.endswith("/StoriesResponse")
    ranked = schemas["RankedStory"]["properties"]
    assert {"headline", "first_seen", "last_seen", "article_count", "source_count", "sources",
            "entities", "topics", "score"} <= set(ranked)  # fmt: skip
    assert all(ranked[k].get("description") for k in ("first_seen", "source_count", "score"))

    one = paths["/api/v1/stories/{story_id}"]["get"]
    assert {"200", "404"} <= set(one["responses"])
    detail = schemas["StoryDetail"]["properties"]
    assert detail["timeline"]["items"]["$ref"].endswith("/DayCount")
    assert detail["articles"]["items"]["$ref"].endswith("/StoryArticle")
    hit = schemas["Hit"]["properties"]
    assert "story_id" in hit and "cluster_size" in hit  # collapse=story's groups

    feed = paths["/feeds/stories.{fmt}"]
    (fmt,) = feed["parameters"]
    assert fmt["in"] == "path" and fmt["schema"]["enum"] == ["atom", "json", "rss"]
    get = feed["get"]
    assert {p["name"] for p in get["parameters"]} == {"topic", "limit"}
    assert set(get["responses"]["200"]["content"]) == {
        "application/rss+xml", "application/atom+xml", "application/feed+json"
    }  # fmt: skip
    assert "story:" in get["description"]  # the stable entry id
    description = spec["info"]["description"]
    assert 'data-show="stories"' in description and "show=stories" in description  # widgets


def test_story_feed_parameters_are_validated_as_documented(client: FlaskClient) -> None:
    bad = client.get("/feeds/stories.json?limit=0")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    assert [p["name"] for p in bad.get_json()["invalid_params"]] == ["limit"]
    assert client.get("/feeds/stories.xml").status_code == 404
    ok = client.get("/feeds/stories.json?topic=economy&limit=1")
    assert ok.status_code == 200 and ok.mimetype == "application/feed+json"
    assert len(ok.get_json()["items"]) == 1


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/v1/docs/", "text/html"),
        ("/api/v1/docs/docs.js", "text/javascript"),
        ("/api/v1/docs/vendor/swagger-ui.css", "text/css"),
        ("/api/v1/docs/vendor/VERSION", "text/plain"),
    ],
)
def test_docs_files_name_their_charset_once(client: FlaskClient, path: str, kind: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == f"{kind}; charset=utf-8"  # was the charset twice
