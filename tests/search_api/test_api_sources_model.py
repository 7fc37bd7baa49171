"""One sources model for the API and the CLI: what the API accepts, the crawler crawls."""

from __future__ import annotations

import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_corpus import KEY
from flask.testing import FlaskClient

from tidings.core.config import Settings
from tidings.core.store import Store
from tidings.demo.server import DemoSite, serve_demo_site

REPO = Path(__file__).resolve().parents[2]
AUTH = {"X-API-Key": KEY}


@pytest.fixture()
def site() -> Iterator[DemoSite]:
    served = serve_demo_site(port=0)
    try:
        yield served
    finally:
        served.stop()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"interval": "0"}, "interval"),
        ({"interval": "0m"}, "interval"),
        ({"interval": "15 minutes"}, "interval"),
        ({"feeds": ["http://127.0.0.1:99999/feed.rss"]}, "feeds"),
        ({"home": "http://127.0.0.1:0x50/"}, "home"),
    ],
)
def test_api_refuses_what_the_crawler_would_refuse(
    admin_client: FlaskClient, fresh: tuple[Settings, Any], change: dict[str, Any], field: str
) -> None:
    body = {"id": "gazette", "feeds": ["http://127.0.0.1:8/feed.rss"], **change}
    resp = admin_client.post("/api/v1/sources", json=body, headers=AUTH)
    assert resp.status_code == 400, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    assert field in [p["name"] for p in resp.get_json()["invalid_params"]]
    assert not (fresh[0].home / "sources.toml").exists()  # nothing written


def test_source_added_through_the_api_is_crawled_by_the_cli(
    admin_client: FlaskClient, fresh: tuple[Settings, Any], site: DemoSite
) -> None:
    home = fresh[0].home
    source = {"id": "circuit", "name": "Circuit Daily", "feeds": [f"{site.base_url}/feed.rss"],
              "interval": "30m", "language": "en"}  # fmt: skip
    resp = admin_client.post("/api/v1/sources", json=source, headers=AUTH)
    assert resp.status_code == 201, resp.get_json()
    with Store(home / "tidings.db") as store:
        before = store.count()
    result = subprocess.run(
        [sys.executable, "-m", "tidings", "--home", str(home), "crawl", "--sources",
         str(home / "sources.toml"), "--no-classify", "--log-level", "WARNING"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with Store(home / "tidings.db") as store:
        crawled = [a for batch in store.iter_articles() for a in batch
                   if a["source"]["id"] == "circuit"]  # fmt: skip
        assert store.count() == before + len(crawled)
    assert len(crawled) >= 10
    assert {a["source"]["name"] for a in crawled} == {"Circuit Daily"}


def test_concurrent_adds_keep_every_source(
    admin_client: FlaskClient, fresh: tuple[Settings, Any]
) -> None:
    """The API (any worker) and the CLI append through one locked writer: none is lost."""
    start = threading.Barrier(8)
    codes: list[int] = []

    def add(i: int) -> None:
        start.wait()
        body = {"id": f"site-{i}", "feeds": [f"http://127.0.0.1:{8000 + i}/feed.rss"]}
        codes.append(admin_client.post("/api/v1/sources", json=body, headers=AUTH).status_code)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [201] * 8
    text = (fresh[0].home / "sources.toml").read_text(encoding="utf-8")
    ids = sorted(s["id"] for s in tomllib.loads(text)["sources"])
    assert ids == [f"site-{i}" for i in range(8)]


def test_a_broken_sources_file_on_the_server_is_a_409_not_the_clients_400(
    admin_client: FlaskClient, fresh: tuple[Settings, Any]
) -> None:
    path = fresh[0].home / "sources.toml"
    path.write_text('[[sources]]\nid = "old"\nfeeds = ["http://127.0.0.1:1/f"]\ninterval = 0\n')
    body = {"id": "new", "feeds": ["http://127.0.0.1:2/f"]}
    resp = admin_client.post("/api/v1/sources", json=body, headers=AUTH)
    assert resp.status_code == 409 and "tidings sources check" in resp.get_json()["detail"]
    assert str(path) not in resp.get_json()["detail"]  # no server paths in answers
    assert admin_client.post("/api/v1/crawl", headers=AUTH).status_code == 409
