"""`tidings import`, `export` and `reindex`, and the CLI's one-line errors, on a real tmp home."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tidings.cli import data_commands
from tidings.cli.main import main
from tidings.core.config import Settings
from tidings.core.index import open_index
from tidings.core.index.base import SearchRequest
from tidings.core.store import Store

BODY = (
    "The chipmaker said quarterly revenue rose as demand for accelerators used to train large "
    "language models kept growing in data centres across Europe and Asia, and it raised its "
    "forecast for the year while warning that export rules could slow sales to some customers. "
)


def record(n: int, **extra: object) -> dict:
    return {
        "url": f"https://news.example/story-{n}",
        "title": f"Story number {n} about chips",
        "body": BODY + f"Detail {n}.",
        "published_at": f"2026-11-{n % 28 + 1:02d}T10:00:00Z",
        **extra,
    }


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tidings", *argv], capture_output=True, text=True, timeout=120
    )


def test_import_then_export_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    home = tmp_path / "home"
    src = write_jsonl(
        tmp_path / "in.jsonl",
        [record(n, topics=[{"id": "business", "score": 0.9, "origin": "model"}]) for n in range(5)],
    )
    assert main(["--home", str(home), "import", str(src), "--no-classify"]) == 0
    assert "5 new" in capsys.readouterr().err
    assert main(["--home", str(home), "import", str(src), "--no-classify"]) == 0
    assert "5 unchanged" in capsys.readouterr().err
    assert main(["--home", str(home), "export"]) == 0
    exported = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(r["url"] for r in exported) == sorted(record(n)["url"] for n in range(5))
    assert all(r["topics"][0]["id"] == "business" for r in exported)
    index = open_index(Settings(home=home))
    try:
        assert index.search(SearchRequest(q="accelerators")).total == 5
    finally:
        index.close()


def test_import_summary_accounts_for_a_url_given_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    home = tmp_path / "home"
    again = record(1, title="Story number 1, corrected")
    src = write_jsonl(tmp_path / "in.jsonl", [record(1), record(2), again])
    assert main(["--home", str(home), "import", str(src), "--no-classify"]) == 0
    summary = capsys.readouterr().err  # was "3 records: 2 new, 0 updated, 0 unchanged"
    assert "imported 3 records from" in summary
    assert "2 new, 0 updated, 0 unchanged, 1 replaced by a later line with the same URL" in summary
    assert main(["--home", str(home), "export"]) == 0
    titles = {json.loads(line)["title"] for line in capsys.readouterr().out.splitlines()}
    assert titles == {again["title"], record(2)["title"]}  # the later line is what is stored


def stored_rows(home: Path) -> list[tuple]:
    with Store(home / "tidings.db") as store:
        records = [r for batch in store.iter_articles() for r in batch]
    return sorted((r["id"], r["fingerprint"], r["cluster_id"], r["title"]) for r in records)


def test_large_import_prepared_in_a_worker_stores_what_the_inline_path_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past IMPORT_BATCH records, a worker process parses, normalises and fingerprints them.
    rows = [record(n) for n in range(23)]
    rows += [{**record(100 + n), "title": f"Copy {n}", "body": BODY + "Detail 3."} for n in (1, 2)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    monkeypatch.setattr(data_commands, "IMPORT_BATCH", 10)  # 25 records: the worker, 3 batches
    assert main(["--home", str(tmp_path / "worker"), "import", str(src), "--no-classify"]) == 0
    monkeypatch.setattr(data_commands, "IMPORT_BATCH", 1000)  # one batch, in this process
    assert main(["--home", str(tmp_path / "inline"), "import", str(src), "--no-classify"]) == 0
    worker, inline = stored_rows(tmp_path / "worker"), stored_rows(tmp_path / "inline")
    assert len(worker) == 25 and all(fp for _, fp, _, _ in worker)
    assert worker == inline
    copies = {cluster for _, _, cluster, title in worker if title.startswith("Copy")}
    assert len(copies) == 1 and copies != {None}  # the copies of story 3 share its cluster


def test_import_from_stdin_classifies_untagged_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    lines = "".join(json.dumps(record(n)) + "\n" for n in range(3))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    assert main(["--home", str(home), "import", "-"]) == 0
    with Store(home / "tidings.db") as store:
        stored = [r for batch in store.iter_articles() for r in batch]
    assert len(stored) == 3
    assert all(r["topics"] and r["model_version"] for r in stored)
    assert all(
        any(t["id"] == "technology" or t["id"] == "business" for t in r["topics"]) for r in stored
    )


def test_bad_line_is_one_line_error_and_nothing_is_written(tmp_path: Path) -> None:
    home = tmp_path / "home"
    src = write_jsonl(tmp_path / "in.jsonl", [record(1), record(2), "{not json", record(3)])
    done = run("--home", str(home), "import", str(src), "--no-classify")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and f"{src}:3: not valid JSON" in done.stderr
    assert not (home / "tidings.db").exists()
    src = write_jsonl(tmp_path / "in2.jsonl", [record(1), {"url": "ftp://x", "title": "t"}])
    done = run("--home", str(home), "import", str(src), "--no-classify")
    assert done.returncode == 2 and ":2: " in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "argv, message",
    [
        (["import", "missing.jsonl"], "file not found: missing.jsonl"),
        (["export"], "no store at"),
        (["reindex"], "no store at"),
        (["crawl"], "error"),
        (["serve", "--port", "notaport"], "not a port number"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_wrong_arguments_exit_2_with_one_line(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    done = run("--home", str(tmp_path / "empty"), *argv)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


def test_help_lists_every_command() -> None:
    done = run("--help")
    for command in (
        "demo",
        "crawl",
        "extract",
        "train",
        "evaluate",
        "import",
        "export",
        "reindex",
        "serve",
    ):
        assert command in done.stdout


def test_prune_removes_old_articles_from_store_and_index(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from datetime import UTC, datetime, timedelta

    home = tmp_path / "home"
    now = datetime.now(UTC)
    rows = [
        record(n, published_at=(now - timedelta(days=age)).isoformat())
        for n, age in enumerate([400, 200, 40, 5, 1])
    ]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    assert main(["--home", str(home), "import", str(src), "--no-classify"]) == 0
    assert main(["--home", str(home), "prune", "--days", "30"]) == 0
    assert "pruned 3 articles" in capsys.readouterr().err
    with Store(home / "tidings.db") as store:
        kept = sorted(r["url"] for batch in store.iter_articles() for r in batch)
    assert kept == sorted([rows[3]["url"], rows[4]["url"]])
    index = open_index(Settings(home=home))
    try:
        assert index.count() == 2
    finally:
        index.close()


def test_prune_needs_a_period(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    done = run("--home", str(tmp_path), "prune")
    assert done.returncode == 2 and "--days N or TIDINGS_RETENTION_DAYS" in done.stderr
    monkeypatch.setenv("TIDINGS_RETENTION_DAYS", "soon")
    done = run("--home", str(tmp_path), "prune")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "TIDINGS_RETENTION_DAYS must be a positive whole number" in done.stderr


@pytest.mark.parametrize(
    "command", [("import", "{src}", "--no-classify"), ("prune", "--days", "30"), ("reindex",)]
)
def test_index_writes_while_another_process_writes_the_index_fail_in_one_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """Another process holds the index writer: one line naming the problem, exit 2."""
    home = tmp_path / "home"
    src = write_jsonl(tmp_path / "in.jsonl", [record(n) for n in range(2)])
    assert run("--home", str(home), "import", str(src), "--no-classify").returncode == 0
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\nfrom pathlib import Path\nfrom tidings.core.config import Settings\n"
         "from tidings.core.index import open_index\n"
         f"index = open_index(Settings(home=Path({str(home)!r})), writable=True)\n"
         "print('holding', flush=True)\nsys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        done = run("--home", str(home), *(part.format(src=src) for part in command))
    finally:
        holder.communicate("", timeout=30)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"tidings {command[0]}: error: ") and "writing" in lines[0]
