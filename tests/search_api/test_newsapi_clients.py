"""The real NewsAPI clients, unchanged, against a live Tidings serving a fresh demo corpus.

`tidings demo` (what `make demo` runs) crawls the bundled demo site over loopback, tags,
stores, indexes and serves it, here with one API key configured. Then:

- PyPI `newsapi-python` (`NewsApiClient`), pointed at it by patching its URL constants;
- the npm `newsapi` package under Node (`tests/search_api/newsapi_node/clients.js`), pointed at
  it with its own `corsProxyUrl` option; `make test` installs it (`make node-test-deps`:
  `npm ci` in that folder, from its package-lock.json). Missing, the test fails (never skips).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from newsapi import NewsApiClient, const
from newsapi.newsapi_exception import NewsAPIException
from support import free_port, get_json, wait_for_http

from search_api.newsapi.shapes import cut_content
from tidings.core.taxonomy import load_taxonomy
from tidings.demo.articles import OUTLETS, load_articles, syndicated_pairs

KEY = "demo-newsapi-key-0123456789"
NODE_DIR = Path(__file__).with_name("newsapi_node")
SERVED = [a for a in load_articles() if a.served]
PAIR = syndicated_pairs()[0]  # two copies of one story on the demo site


@dataclass
class Live:
    base: str

    def api(self, path: str, **params: Any) -> Any:
        query = urllib.parse.urlencode(params, doseq=True)
        return get_json(f"{self.base}{path}?{query}")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    home = tmp_path_factory.mktemp("newsapi-demo")
    log = home / "demo.log"
    port, site_port = free_port(), free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TIDINGS_INDEX": "embedded"}
    env["TIDINGS_API_KEYS"] = KEY
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "tidings", "demo", "--home", str(home),
             "--port", str(port), "--site-port", str(site_port)],
            stdout=log_file, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/healthz", timeout=300, alive=lambda: process.poll() is None)
        yield Live(base)
    except Exception:
        pytest.fail(f"demo did not come up:\n{log.read_text()[-4000:]}")
    finally:
        process.kill()
        process.wait(10)


@pytest.fixture()
def client(live: Live, monkeypatch: pytest.MonkeyPatch) -> NewsApiClient:
    for name in ("EVERYTHING_URL", "TOP_HEADLINES_URL", "SOURCES_URL"):
        path = getattr(const, name).split("newsapi.org", 1)[1]
        monkeypatch.setattr(const, name, f"{live.base}{path}")
    return NewsApiClient(api_key=KEY)


def _titles(answer: dict[str, Any]) -> list[str]:
    assert answer["status"] == "ok"
    return [a["title"] for a in answer["articles"]]


def _category_urls(live: Live, category: str) -> set[str]:
    """The URLs Tidings' own search finds in the topics the taxonomy files under ``category``."""
    topics = [t for t, c in load_taxonomy().categories().items() if c == category]
    found = live.api("/api/v1/search", topic=topics, sort="date", limit=100)
    return {h["url"] for h in found["hits"]}


def test_python_client_everything(client: NewsApiClient, live: Live) -> None:
    answer = client.get_everything(q="Northwind Semiconductor", sort_by="relevancy")
    assert set(_titles(answer)) >= {PAIR[0].title, PAIR[1].title}
    assert answer["totalResults"] == len(answer["articles"])
    first = answer["articles"][0]
    assert first["source"] == {"id": "circuit-daily", "name": "Circuit Daily"}
    assert first["publishedAt"].endswith("Z") and len(first["publishedAt"]) == 20
    hit = live.api("/api/v1/search", q=f'title:"{first["title"]}"')["hits"][0]
    stored = live.api(f"/api/v1/articles/{hit['id']}")
    assert first["url"] == stored["url"]
    assert first["content"] == cut_content(stored["body"])
    assert first["content"].endswith(f"[+{len(stored['body'].strip()) - 200} chars]")

    in_title = client.get_everything(qintitle="Helix", page_size=10)  # sent as "qintitle"
    assert in_title["totalResults"] == 2
    assert all("Helix" in t for t in _titles(in_title))


def test_python_client_top_headlines_and_sources(client: NewsApiClient, live: Live) -> None:
    revenue = client.get_top_headlines(q="revenue", page_size=50)
    titles = _titles(revenue)
    assert "Baiyun Search's revenue falls 3% as ad sales slump" in titles
    dates = [a["publishedAt"] for a in revenue["articles"]]
    assert dates == sorted(dates, reverse=True)  # top headlines: newest first

    tech = client.get_top_headlines(category="technology", page_size=100)
    assert tech["totalResults"] > 0
    assert {a["url"] for a in tech["articles"]} == _category_urls(live, "technology")

    sources = client.get_sources()
    assert sources["status"] == "ok"
    (demo,) = [s for s in sources["sources"] if s["id"] == "circuit-daily"]
    assert demo["name"] == "Circuit Daily" and demo["language"] == "en"
    english = client.get_sources(language="en")["sources"]
    assert demo in english and {s["id"] for s in english} == set(OUTLETS)  # the demo's outlets


def test_python_client_raises_newsapi_errors(client: NewsApiClient) -> None:
    wrong = NewsApiClient(api_key=KEY + "-wrong")
    with pytest.raises(NewsAPIException) as raised:
        wrong.get_everything(q="revenue")
    assert raised.value.get_code() == "apiKeyInvalid"
    assert raised.value.get_status() == "error"
    with pytest.raises(NewsAPIException) as raised:
        client.get_everything(q="(revenue OR sales")
    assert raised.value.get_code() == "parameterInvalid"


def test_node_client(live: Live) -> None:
    node = shutil.which("node")
    assert node, "node (20+) is needed for the npm newsapi client test"
    if not (NODE_DIR / "node_modules" / "newsapi").is_dir():
        pytest.fail(
            f"the npm newsapi client is not installed: run `make node-test-deps` "
            f"(npm ci in {NODE_DIR})",
            pytrace=False,
        )
    run = subprocess.run(
        [node, "clients.js", live.base, KEY, "Northwind Semiconductor"],
        cwd=NODE_DIR, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)

    everything = out["everything"]["ok"]
    assert {PAIR[0].title, PAIR[1].title} <= set(_titles(everything))
    assert len(everything["articles"]) <= 5  # pageSize=5
    assert set(_titles(out["topHeadlines"]["ok"])) >= {PAIR[0].title, PAIR[1].title}
    # the client's default top-headlines request is language=en alone: every English article
    default = out["topHeadlinesDefault"]["ok"]
    assert default["totalResults"] == len(SERVED)
    assert sorted(s["id"] for s in out["sources"]["ok"]["sources"]) == sorted(OUTLETS)
    assert out["noCache"]["ok"]["totalResults"] == everything["totalResults"]  # X-No-Cache
    assert out["wrongKey"]["error"]["name"] == "NewsAPIError: apiKeyInvalid"
    assert out["malformed"]["error"]["name"] == "NewsAPIError: parameterInvalid"
