"""``tidings dev elasticsearch`` and the node it runs (the same one the test session uses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tidings.dev import elasticsearch as dev
from tidings.dev.elasticsearch import ElasticsearchNode


def test_session_node_is_a_loopback_single_node_cluster(es_node: ElasticsearchNode) -> None:
    with urllib.request.urlopen(f"{es_node.url}/_nodes/_local/settings", timeout=10) as resp:
        (node,) = json.load(resp)["nodes"].values()
    assert node["version"] == dev.DEFAULT_VERSION
    assert node["settings"]["discovery"]["type"] == "single-node"
    assert node["settings"]["network"]["host"] == "127.0.0.1"
    assert es_node.workdir is not None
    data = node["settings"]["path"]["data"]
    assert (data if isinstance(data, list) else [data]) == [str(es_node.workdir / "data")]


def test_node_never_runs_as_root(es_node: ElasticsearchNode) -> None:
    assert es_node.process is not None
    uids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{es_node.process.pid}\n" in text or status.parent.name == str(
            es_node.process.pid
        ):
            uids.append(int(text.split("\nUid:\t", 1)[1].split()[0]))
    assert uids and all(uid != 0 for uid in uids)


def test_unpack_keeps_the_executable_bits(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        script = zipfile.ZipInfo("es/bin/elasticsearch")
        script.external_attr = 0o755 << 16
        zf.writestr(script, "#!/bin/sh\n")
        config = zipfile.ZipInfo("es/config/jvm.options")
        config.external_attr = 0o644 << 16
        zf.writestr(config, "-Xms1g\n")
    dev._unpack(archive, tmp_path / "out")
    assert os.access(tmp_path / "out/es/bin/elasticsearch", os.X_OK)
    assert not os.access(tmp_path / "out/es/config/jvm.options", os.X_OK)


def test_cache_folder_can_be_moved(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TIDINGS_ES_CACHE", str(tmp_path))
    assert dev.cache_root() == tmp_path


@pytest.mark.parametrize("args", [["--heap", "lots"], ["--port", "70000"]])
def test_bad_arguments_are_one_line_and_exit_2(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tidings", "dev", "elasticsearch", *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "error:" in result.stderr
