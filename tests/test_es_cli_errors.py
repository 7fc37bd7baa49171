"""A cluster the CLI cannot use is one line on stderr and exit 2, for every command that
touches the index: a wrong password, a closed port, a web server that is not Elasticsearch, a
cluster that answers with a fault (5xx, 429). The API answers those with a 503 problem.

The proxy (:mod:`es_proxy`) in front of the session's real node gives the 401s and the faults;
the right password reaches the real cluster through the same proxy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from es_proxy import PASSWORD, USER, WRONG, AuthProxy, not_elasticsearch
from support import free_port

REPO = Path(__file__).resolve().parents[1]
RECORD = {
    "id": "x1", "url": "https://a.example/x1", "title": "Harbour reopens",
    "body": "The harbour reopened today after repairs to the northern pier.",
    "source": {"id": "a", "name": "A", "domain": "a.example"},
}  # fmt: skip


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose store holds one article (imported with the embedded index), so reindex
    and prune have something to do."""
    path = tmp_path_factory.mktemp("cli-es-errors")
    (path / "one.jsonl").write_text(json.dumps(RECORD) + "\n")
    result = tidings(path, {"TIDINGS_INDEX": "embedded"}, "import", str(path / "one.jsonl"),
                     "--no-classify")  # fmt: skip
    assert result.returncode == 0, result.stderr
    return path


def tidings(home: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tidings", "--home", str(home), *argv], cwd=REPO,
        env={**os.environ, **env}, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


COMMANDS = {
    "import": lambda home: ["import", str(home / "one.jsonl"), "--no-classify"],
    "reindex": lambda home: ["reindex"],
    "prune": lambda home: ["prune", "--days", "30"],
    "reclassify": lambda home: ["reclassify"],
    "serve": lambda home: ["serve", "--port", str(free_port())],
    "crawl": lambda home: ["crawl", "--feed", "http://127.0.0.1:9/feed.rss", "--no-classify"],
}


def assert_one_line_error(
    result: subprocess.CompletedProcess[str], command: str, says: str
) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    # the integ-test build's one warning (no 'english' analyzer) is logged, not the error
    lines = [line for line in result.stderr.splitlines() if "'english' analyzer" not in line]
    assert len(lines) == 1, result.stderr[-3000:]
    assert lines[0].startswith(f"tidings {command}: error: "), lines[0]
    assert says in lines[0], lines[0]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_wrong_password_is_one_line_and_exit_2(
    command: str, home: Path, proxy: AuthProxy
) -> None:
    refused = proxy.refused
    url = proxy.url.replace("http://", f"http://{USER}:{WRONG}@")
    env = {"TIDINGS_INDEX": "elasticsearch", "TIDINGS_ES_URL": url,
           "TIDINGS_ES_INDEX": f"cli-errors-{uuid.uuid4().hex[:8]}"}  # fmt: skip
    result = tidings(home, env, *COMMANDS[command](home))
    assert_one_line_error(result, command, "refused the credentials (401)")
    assert "security_exception" in result.stderr or "unable to authenticate" in result.stderr
    assert WRONG not in result.stderr  # the URL's password is never printed
    assert proxy.refused > refused  # the proxy, not something else, said no


def test_right_password_through_the_proxy_reaches_the_real_node(
    home: Path, proxy: AuthProxy, es_url: str
) -> None:
    alias = f"cli-errors-{uuid.uuid4().hex[:8]}"
    url = proxy.url.replace("http://", f"http://{USER}:{PASSWORD}@")
    env = {"TIDINGS_INDEX": "elasticsearch", "TIDINGS_ES_URL": url, "TIDINGS_ES_INDEX": alias}
    forwarded = proxy.forwarded
    result = tidings(home, env, "reindex")
    assert result.returncode == 0, result.stderr
    assert proxy.forwarded > forwarded
    with urllib.request.urlopen(f"{es_url}/{alias}/_count", timeout=30) as response:
        assert json.load(response)["count"] == 1  # the stored article, on the real node


@pytest.mark.parametrize("command", ["import", "serve", "crawl"])
@pytest.mark.parametrize(
    ("kind", "says"),
    [("closed port", "is unreachable"), ("web page (200)", "is not Elasticsearch"),
     ("web page (404)", "is not Elasticsearch")],
)  # fmt: skip
def test_wrong_url_is_one_line_and_exit_2(home: Path, command: str, kind: str, says: str) -> None:
    server = None
    if kind == "closed port":
        url = f"http://127.0.0.1:{free_port()}"
    else:
        server = not_elasticsearch(200 if "200" in kind else 404)
        url = server.url
    try:
        env = {"TIDINGS_INDEX": "elasticsearch", "TIDINGS_ES_URL": url}
        result = tidings(home, env, *COMMANDS[command](home))
    finally:
        if server is not None:
            server.stop()
    assert_one_line_error(result, command, says)
    assert url in result.stderr


def test_api_answers_503_problem_for_a_wrong_password(home: Path, proxy: AuthProxy) -> None:
    # gunicorn runs create_app() without the CLI's check: the API itself must say 503, not 500
    from search_api import create_app
    from tidings.core.config import Settings

    url = proxy.url.replace("http://", f"http://{USER}:{WRONG}@")
    settings = Settings(home=home, index_backend="elasticsearch", es_url=url, es_index="cli-api")
    client = create_app(settings, config={"RATELIMIT_ENABLED": False}).test_client()
    for path in ("/api/v1/search?q=harbour", "/api/v1/recent"):
        response = client.get(path)
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.content_type.startswith("application/problem+json")
        problem = response.get_json()
        assert problem["status"] == 503 and "refused the credentials" in problem["detail"]
        assert WRONG not in response.get_data(as_text=True)


def es_indices(es_url: str, alias: str) -> list[str]:
    """The concrete indices on the real node whose names start with ``alias``."""
    url = f"{es_url}/_cat/indices/{alias}*?format=json&expand_wildcards=all"
    with urllib.request.urlopen(url, timeout=30) as response:
        return sorted(row["index"] for row in json.load(response))


def fresh_env(proxy: AuthProxy) -> dict[str, str]:
    return {"TIDINGS_INDEX": "elasticsearch", "TIDINGS_ES_URL": proxy.with_password(),
            "TIDINGS_ES_INDEX": f"cli-faults-{uuid.uuid4().hex[:8]}"}  # fmt: skip


@pytest.mark.parametrize("command", ["import", "reindex"])
def test_a_failing_cluster_during_the_writes_is_one_line_and_exit_2(
    command: str, home: Path, proxy: AuthProxy, es_url: str, tmp_path: Path
) -> None:
    env = fresh_env(proxy)
    if command == "import":  # a record the store does not hold yet, so it must be indexed
        home = tmp_path
        (home / "one.jsonl").write_text(json.dumps({**RECORD, "id": "x2"}) + "\n")
    with proxy.failing("_bulk", 500):
        result = tidings(home, env, *COMMANDS[command](home))
    assert_one_line_error(result, command, "cannot answer now (500)")
    assert "node not connected" in result.stderr  # the cluster's own reason
    if command == "reindex":  # a failed rebuild leaves no index behind, empty or half-built
        assert es_indices(es_url, env["TIDINGS_ES_INDEX"]) == []


def test_checking_the_cluster_creates_no_index(home: Path, proxy: AuthProxy, es_url: str) -> None:
    from tidings.cli.common import check_index
    from tidings.core.config import Settings

    env = fresh_env(proxy)
    settings = Settings(home=home, index_backend="elasticsearch", es_url=env["TIDINGS_ES_URL"],
                        es_index=env["TIDINGS_ES_INDEX"])  # fmt: skip
    check_index(settings)
    assert es_indices(es_url, env["TIDINGS_ES_INDEX"]) == []
    with proxy.failing("_cluster/health", 502), pytest.raises(Exception, match=r"\(502\)"):
        check_index(settings)


@pytest.mark.parametrize("command", ["import", "serve", "crawl"])
def test_a_cluster_that_cannot_answer_the_check_is_one_line_and_exit_2(
    command: str, home: Path, proxy: AuthProxy
) -> None:
    with proxy.failing("_cluster/health", 502):  # a gateway with no node behind it
        result = tidings(home, fresh_env(proxy), *COMMANDS[command](home))
    assert_one_line_error(result, command, "cannot answer now (502)")


@pytest.mark.parametrize("status", [500, 429, 502])
def test_api_answers_503_problems_while_the_cluster_fails_and_recovers(
    status: int, home: Path, proxy: AuthProxy
) -> None:
    from search_api import create_app
    from tidings.core.config import Settings

    env = fresh_env(proxy)
    assert tidings(home, env, "reindex").returncode == 0  # the stored article, indexed
    settings = Settings(home=home, index_backend="elasticsearch", es_url=env["TIDINGS_ES_URL"],
                        es_index=env["TIDINGS_ES_INDEX"])  # fmt: skip
    config = {"RATELIMIT_ENABLED": False, "TIDINGS_SEARCH_CACHE_SECONDS": 0}
    client = create_app(settings, config=config).test_client()
    stored_id = client.get("/api/v1/search?q=harbour").get_json()["hits"][0]["id"]
    paths = ["/api/v1/search?q=harbour", "/api/v1/search?q=harbour&sort=date&facet=entity",
             "/api/v1/recent", "/api/v1/trends?q=harbour", f"/api/v1/articles/{stored_id}/related"]
    with proxy.failing("_search", status):
        for path in paths:
            response = client.get(path)
            assert response.status_code == 503, (path, response.get_data(as_text=True))
            assert response.content_type.startswith("application/problem+json")
            problem = response.get_json()
            assert problem["status"] == 503, problem
            assert f"cannot answer now ({status})" in problem["detail"], problem
            assert response.headers.get("Retry-After")
    found = client.get("/api/v1/search?q=harbour")  # back by itself: no restart
    assert found.status_code == 200 and found.get_json()["total"] == 1
