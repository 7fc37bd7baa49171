"""One taxonomy: the file a user names (``--taxonomy`` or ``TIDINGS_TAXONOMY``) is the one that
crawl, import and reclassify tag with and the API labels with.

A rule topic the packaged taxonomy does not have ("basic-income") is added in a copy of it; it
must tag crawled and imported articles and show its label in ``/api/v1/topics``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from classifier.rules import RuleMatcher
from search_api import create_app
from tidings.cli.main import main
from tidings.core.config import Settings
from tidings.core.store import Store
from tidings.core.taxonomy import DEFAULT_TAXONOMY, load_taxonomy
from tidings.demo.server import serve_demo_site

REPO = Path(__file__).resolve().parents[1]
RULE = """
[[topics]]
id = "basic-income"
label = "Basic income"
description = "Trials of unconditional and guaranteed incomes."
parent = "politics"
query = 'income (basic OR guaranteed) -tax'
"""
#: Demo site stories about basic-income trials (their titles, see tidings/demo/articles.toml).
INCOME_TITLES = {
    "Five-year basic income study in Kenya finds rise in small business ownership",
    "Basic income pilot in Helsinki: recipients worked as much as control group, study finds",
    "Cook County to expand guaranteed income programme after University of Chicago review",
}


@pytest.fixture(scope="module")
def taxonomy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("taxonomy") / "my-topics.toml"
    path.write_text(DEFAULT_TAXONOMY.read_text(encoding="utf-8") + RULE, encoding="utf-8")
    return path


def tagged(home: Path, topic: str) -> set[str]:
    with Store(home / "tidings.db") as store:
        return {
            a["title"]
            for batch in store.iter_articles()
            for a in batch
            if topic in {t["id"] for t in a.get("topics", [])}
        }


def test_crawl_tags_with_the_named_taxonomy_and_the_api_labels_with_it(
    tmp_path: Path, taxonomy: Path
) -> None:
    home = tmp_path / "home"
    with serve_demo_site() as site:
        result = subprocess.run(
            [sys.executable, "-m", "tidings", "crawl", "--feed", f"{site.base_url}/feed.rss",
             "--sitemap", f"{site.base_url}/sitemap.xml", "--home", str(home),
             "--taxonomy", str(taxonomy), "--log-level", "WARNING"],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert tagged(home, "basic-income") == INCOME_TITLES
    settings = Settings.from_env({"TIDINGS_HOME": str(home), "TIDINGS_TAXONOMY": str(taxonomy)})
    app = create_app(settings, config={"RATELIMIT_ENABLED": False})
    try:
        client = app.test_client()
        topics = {t["id"]: t for t in client.get("/api/v1/topics").get_json()["topics"]}
        assert topics["basic-income"] == {"id": "basic-income", "label": "Basic income", "count": 3}
        hits = client.get("/api/v1/search?topic=basic-income").get_json()["hits"]
        assert {h["title"] for h in hits} == INCOME_TITLES
    finally:
        app.extensions["tidings"].close()


def test_import_and_reclassify_tag_with_the_taxonomy_setting(
    tmp_path: Path,
    taxonomy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    body = "Officials said the trial would run for two years across several towns and cities. "
    src = tmp_path / "in.jsonl"
    src.write_text(
        "".join(
            json.dumps({"url": f"https://news.example/{i}", "title": title, "body": body * 5})
            + "\n"
            for i, title in enumerate(
                ["Guaranteed income trial begins in Leeds", "Income tax cut for basic rate payers"]
            )
        )
    )
    plain, custom = tmp_path / "plain", tmp_path / "custom"
    assert main(["--home", str(plain), "import", str(src)]) == 0  # the packaged taxonomy
    monkeypatch.setenv("TIDINGS_TAXONOMY", str(taxonomy))
    assert main(["--home", str(custom), "import", str(src)]) == 0
    assert tagged(plain, "basic-income") == set()
    assert tagged(custom, "basic-income") == {"Guaranteed income trial begins in Leeds"}
    # reclassify re-tags what was stored under the packaged taxonomy with the named one; by
    # default it skips articles of the same model version, and says how to include them
    monkeypatch.delenv("TIDINGS_TAXONOMY")
    retag = ["--home", str(plain), "reclassify", "--taxonomy", str(taxonomy)]
    assert main(retag) == 0
    assert "add --no-only-outdated" in capsys.readouterr().err
    assert tagged(plain, "basic-income") == set()
    assert main([*retag, "--no-only-outdated"]) == 0
    assert tagged(plain, "basic-income") == {"Guaranteed income trial begins in Leeds"}


def test_a_bad_taxonomy_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[topics]]\nid='x'\nlabel='X'\ndescription='d'\nquery='chip*'\n")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"url": "https://n.example/1", "title": "T", "body": "b"}) + "\n")
    assert main(["--taxonomy", str(bad), "--home", str(tmp_path), "import", str(src)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "topic #1 ('x'): invalid 'query'" in err and "wildcards" in err
    assert main(["serve", "--taxonomy", str(tmp_path / "missing.toml"), "--port", "0"]) == 2
    assert "taxonomy file not found" in capsys.readouterr().err


def test_a_changed_meaning_is_a_warning_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mixed = tmp_path / "mixed.toml"
    mixed.write_text(
        "[[topics]]\nid='gas'\nlabel='G'\ndescription='d'\nquery='gas prices OR tariffs'\n"
    )
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"url": "https://n.example/1", "title": "Gas prices", "body": "b"}) + "\n"
    )
    assert main(["--taxonomy", str(mixed), "--home", str(tmp_path / "h"), "import", str(src)]) == 0
    err = capsys.readouterr().err
    assert "tidings: warning: " in err and "topic 'gas'" in err
    assert "gas AND (prices OR tariffs)" in err and "(gas AND prices) OR tariffs" in err


def test_a_crawl_started_through_the_api_gets_the_apis_taxonomy(
    tmp_path: Path, taxonomy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TIDINGS_TAXONOMY", raising=False)
    settings = Settings(home=tmp_path / "home", taxonomy=taxonomy)
    command = [sys.executable, "-c", "import os; print('taxonomy', os.environ['TIDINGS_TAXONOMY'])"]
    app = create_app(
        settings,
        config={
            "TIDINGS_API_KEYS": ("k" * 32,),
            "TIDINGS_CRAWL_COMMAND": command,
            "TIDINGS_ALLOW_INTERNAL_HOSTS": frozenset({"127.0.0.1"}),  # the source's feed host
        },
    )
    client = app.test_client()
    auth = {"Authorization": f"Bearer {'k' * 32}"}
    source = {"id": "lo", "name": "Lo", "feeds": ["http://127.0.0.1:9/feed.xml"]}
    assert client.post("/api/v1/sources", json=source, headers=auth).status_code == 201
    resp = client.post("/api/v1/crawl", headers=auth)
    assert resp.status_code == 202, resp.get_json()
    job = resp.get_json()
    deadline = time.monotonic() + 20
    while job["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
        job = client.get(resp.headers["Location"], headers=auth).get_json()
    assert job["exit_code"] == 0 and f"taxonomy {taxonomy.resolve()}" in job["log"]


def test_the_readme_example_taxonomy_tags_with_each_rule_kind(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Taxonomy file", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.toml"
    path.write_text(example, encoding="utf-8")
    taxonomy = load_taxonomy(path)
    assert taxonomy.warnings == ()
    found = RuleMatcher(taxonomy).match(
        [
            "Ransomware gang hits hospital",
            "Quarterly results: record revenue",
            "Guaranteed income pilot extended",
            "Basic rate income tax cut",
        ],
        [[], [{"text": "Nvidia", "label": "ORG", "key": "nvidia"}], [], []],
    )
    assert [[t["id"] for t in topics] for topics in found] == [
        ["security"], ["chip-makers"], ["basic-income"], [],
    ]  # fmt: skip
