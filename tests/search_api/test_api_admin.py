"""Write and admin endpoints: API keys, adding a source, starting a crawl, deleting an article."""

from __future__ import annotations

import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from api_corpus import ADMIN_CONFIG, KEY, by_title
from flask.testing import FlaskClient

from search_api import create_app
from search_api.admin import crawl_command
from tidings.core.config import Settings
from tidings.core.index import open_index
from tidings.core.store import Store

AUTH = {"Authorization": f"Bearer {KEY}"}
SOURCE = {"id": "loopback", "name": "Loopback News", "feeds": ["http://127.0.0.1:9/feed.xml"]}


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", "/api/v1/sources"), ("post", "/api/v1/crawl"), ("delete", "/api/v1/articles/x")],
)
def test_write_endpoints_need_a_key(admin_client: FlaskClient, method: str, url: str) -> None:
    resp = getattr(admin_client, method)(url, json=SOURCE)
    assert resp.status_code == 401 and resp.mimetype == "application/problem+json"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = getattr(admin_client, method)(url, json=SOURCE, headers={"X-API-Key": "nope"})
    assert wrong.status_code == 403 and wrong.get_json()["type"].endswith("api-key")
    assert "Access-Control-Allow-Origin" not in wrong.headers  # no CORS for writes


def test_no_keys_configured_refuses_every_key(fresh: tuple[Settings, Any]) -> None:
    client = create_app(fresh[0], config={"TIDINGS_API_KEYS": ()}).test_client()
    resp = client.post("/api/v1/sources", json=SOURCE, headers=AUTH)
    assert resp.status_code == 403 and "TIDINGS_API_KEYS" in resp.get_json()["detail"]


def test_add_source_writes_the_sources_file(
    admin_client: FlaskClient, fresh: tuple[Settings, Any]
) -> None:
    body = {**SOURCE, "name": 'Quote " and \\ backslash', "interval": "30m", "topics": ["ai"]}
    resp = admin_client.post("/api/v1/sources", json=body, headers={"X-API-Key": KEY})
    assert resp.status_code == 201, resp.get_json()
    assert resp.headers["Location"].endswith("/api/v1/sources")
    data = tomllib.loads((fresh[0].home / "sources.toml").read_text(encoding="utf-8"))
    assert data["sources"] == [{**body}]
    again = admin_client.post("/api/v1/sources", json=SOURCE, headers=AUTH)
    assert again.status_code == 409
    listed = admin_client.get("/api/v1/sources").get_json()["sources"]
    mine = next(s for s in listed if s["id"] == "loopback")
    assert mine["configured"] and mine["name"] == body["name"] and mine["articles"] == 0


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"name": "no id", "feeds": ["https://a.example/f"]}, "id"),
        ({"id": "Bad Id", "feeds": ["https://a.example/f"]}, "id"),
        ({"id": "ok", "feeds": ["ftp://a.example/f"]}, "feeds"),
        ({"id": "ok"}, "feeds"),
        ({"id": "ok", "feeds": ["https://a.example/f"], "colour": "red"}, "colour"),
        ({"id": "ok", "feeds": ["https://a.example/f"], "name": "a\x00b"}, "name"),
        ({"id": "ok", "feeds": ["https://a.example/f"], "interval": "soon"}, "interval"),
    ],
)
def test_bad_source_is_a_400_naming_the_field(
    admin_client: FlaskClient, body: dict[str, Any], name: str
) -> None:
    resp = admin_client.post("/api/v1/sources", json=body, headers=AUTH)
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
    assert name in [p["name"] for p in resp.get_json()["invalid_params"]]


def test_crawl_starts_a_job_and_reports_it(fresh: tuple[Settings, Any]) -> None:
    command = [sys.executable, "-c", "print('crawled')"]
    app = create_app(fresh[0], config={**ADMIN_CONFIG, "TIDINGS_CRAWL_COMMAND": command})
    client = app.test_client()
    nothing = client.post("/api/v1/crawl", headers=AUTH)
    assert nothing.status_code == 409  # no sources file yet
    assert client.post("/api/v1/sources", json=SOURCE, headers=AUTH).status_code == 201
    resp = client.post("/api/v1/crawl", json={"force": True}, headers=AUTH)
    assert resp.status_code == 202, resp.get_json()
    job = resp.get_json()
    assert job["command"] == [*command, "--force"]
    deadline = time.monotonic() + 20
    while job["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
        job = client.get(resp.headers["Location"], headers=AUTH).get_json()
    assert job["status"] == "finished" and job["exit_code"] == 0
    assert "crawled" in job["log"]
    assert client.get("/api/v1/crawl/unknown", headers=AUTH).status_code == 404
    assert client.get(resp.headers["Location"]).status_code == 401


def test_default_crawl_command_is_the_cli(tmp_path: Path) -> None:
    """Without an override a job runs `tidings crawl --sources <home>/sources.toml`."""
    command = crawl_command(tmp_path, tmp_path / "sources.toml")
    assert command == [
        sys.executable, "-m", "tidings", "--home", str(tmp_path), "crawl",
        "--sources", str(tmp_path / "sources.toml"),
    ]  # fmt: skip
    from tidings.cli.main import build_parser  # the CLI really accepts these arguments

    args = build_parser().parse_args(command[3:])
    assert args.sources == str(tmp_path / "sources.toml")


def test_delete_article_from_store_and_index(
    admin_client: FlaskClient, fresh: tuple[Settings, list[dict[str, Any]]]
) -> None:
    settings, articles = fresh
    gone = by_title(articles, "Underdogs win the cup final")
    assert admin_client.get("/api/v1/search?q=underdogs").get_json()["total"] == 1
    resp = admin_client.delete(f"/api/v1/articles/{gone['id']}", headers=AUTH)
    assert resp.status_code == 204 and resp.data == b""
    assert admin_client.get(f"/api/v1/articles/{gone['id']}").status_code == 404
    assert admin_client.get("/api/v1/search?q=underdogs").get_json()["total"] == 0
    with Store(settings.db_path) as store:
        assert store.get(gone["id"]) is None and store.count() == len(articles) - 1
    again = admin_client.delete(f"/api/v1/articles/{gone['id']}", headers=AUTH)
    assert again.status_code == 404


def test_delete_while_another_writer_holds_the_index_is_409(
    admin_client: FlaskClient, fresh: tuple[Settings, list[dict[str, Any]]]
) -> None:
    settings, articles = fresh
    target = by_title(articles, "Record broken at city marathon")
    writer = open_index(settings, writable=True)
    try:
        resp = admin_client.delete(f"/api/v1/articles/{target['id']}", headers=AUTH)
    finally:
        writer.close()
    assert resp.status_code == 409 and resp.headers["Retry-After"]
    assert resp.get_json()["type"].endswith("index-busy")
    assert admin_client.get(f"/api/v1/articles/{target['id']}").status_code == 200  # untouched


def test_delete_when_the_index_fails_leaves_a_tombstone_the_next_prune_heals(
    fresh: tuple[Settings, list[dict[str, Any]]],
) -> None:
    """The store delete succeeds and the index write fails (its server is gone): the answer is
    a 503 problem, and the deletion stays pending so it reaches the index later, never a
    searchable ghost that 404s when opened."""
    import dataclasses
    import os
    import subprocess

    from support import free_port, pending_ids

    settings, articles = fresh
    gone = by_title(articles, "Underdogs win the cup final")
    down = dataclasses.replace(
        settings, index_backend="elasticsearch", es_url=f"http://127.0.0.1:{free_port()}"
    )
    app = create_app(down, config={"TIDINGS_API_KEYS": (KEY,), "RATELIMIT_ENABLED": False})
    try:
        resp = app.test_client().delete(f"/api/v1/articles/{gone['id']}", headers=AUTH)
    finally:
        app.extensions["tidings"].close()
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    with Store(settings.db_path) as store:
        assert store.get(gone["id"]) is None and pending_ids(store) == [gone["id"]]
    done = subprocess.run(
        [sys.executable, "-m", "tidings", "--home", str(settings.home), "prune", "--days", "36500"],
        capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    index = open_index(settings)
    try:
        assert index.count() == len(articles) - 1
    finally:
        index.close()
    with Store(settings.db_path) as store:
        assert pending_ids(store) == []


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"feeds": ["https://reader:s3cret@a.example/feed.xml"]}, "feeds"),
        ({"sitemaps": ["https://reader:s3cret@a.example/sitemap.xml"]}, "sitemaps"),
        ({"home": "https://reader:s3cret@a.example/", "feeds": ["https://a.example/f"]}, "home"),
        ({"feeds": ["https://s3cret@a.example/feed.xml"]}, "feeds"),  # a token as the user name
    ],
)
def test_a_url_with_credentials_is_refused_and_never_echoed(
    admin_client: FlaskClient, fresh: tuple[Settings, Any], body: dict[str, Any], name: str
) -> None:
    resp = admin_client.post("/api/v1/sources", json={"id": "paywall", **body}, headers=AUTH)
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
    problem = resp.get_json()
    assert [p["name"] for p in problem["invalid_params"]] == [name]
    assert "user name or password" in problem["invalid_params"][0]["reason"]
    assert "s3cret" not in resp.get_data(as_text=True)
    assert not (fresh[0].home / "sources.toml").exists()
    assert "s3cret" not in admin_client.get("/api/v1/sources").get_data(as_text=True)
