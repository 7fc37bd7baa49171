"""Bad command-line input found by the product audit: each was a traceback before its fix.

The contract (README, "Commands"): bad arguments, missing files or bad settings print one line
on stderr and exit with code 2. Each test runs the real ``main`` on a tmp home.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tidings.cli import common
from tidings.cli.main import main

RECORD = {
    "url": "https://news.example/kept",
    "title": "Chipmaker raises its forecast",
    "body": "The chipmaker said revenue rose as demand for accelerators kept growing. " * 3,
    "published_at": "2026-11-20T10:00:00Z",
}


def one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``tidings ARGV``; assert exit code 2 and a single stderr line, and return it."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code  # type: ignore[assignment]
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, (code, err[-2000:])
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--no-serve", "--site-port", "99999"],
        ["demo", "--no-serve", "--port", "70000"],
        ["dev", "postgres", "--port", "²"],
        ["serve", "--port", "²"],
    ],
)
def test_ports_out_of_range_or_not_ascii_are_usage_errors(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = one_line_exit_2(["--home", str(tmp_path), *argv], capsys)
    assert "port" in line


@pytest.mark.parametrize("value", ["٣", "１", "²", "-1", "65536", ""])
def test_port_takes_ascii_digits_0_to_65535(value: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        common.port(value)
    assert common.port("0") == 0 and common.port("65535") == 65535
    assert common.port(" 8000 ") == 8000


@pytest.mark.parametrize("interval", ["²", "٣٠"])
def test_sources_add_interval_in_other_digits(
    interval: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sources.toml"
    argv = ["sources", "add", "--sources", str(path), "--feed", "http://127.0.0.1:9/f"]
    line = one_line_exit_2([*argv, "--interval", interval], capsys)
    assert "interval" in line and not path.exists()


def test_sources_add_to_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sources", "add", "--sources", str(tmp_path), "--feed", "http://127.0.0.1:9/f"]
    line = one_line_exit_2(argv, capsys)
    assert str(tmp_path) in line and "cannot be updated" in line


def test_sources_add_to_a_file_that_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sources.toml"
    path.write_bytes(b"\xff\xfe# not UTF-8\n")
    argv = ["sources", "add", "--sources", str(path), "--feed", "http://127.0.0.1:9/f"]
    assert "not UTF-8" in one_line_exit_2(argv, capsys)
    assert path.read_bytes() == b"\xff\xfe# not UTF-8\n"  # nothing lost


def imported_home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A home holding one imported article (no tagging: fast)."""
    home = tmp_path / "home"
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(RECORD) + "\n")
    assert main(["--home", str(home), "import", str(src), "--no-classify"]) == 0
    capsys.readouterr()
    return home


def exported(home: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["--home", str(home), "export"]) == 0
    return [json.loads(line)["url"] for line in capsys.readouterr().out.splitlines()]


def test_import_of_a_line_that_is_not_utf8_names_the_line_and_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = imported_home(tmp_path, capsys)
    src = tmp_path / "mixed.jsonl"
    good = json.dumps({**RECORD, "url": "https://news.example/other"}).encode()
    src.write_bytes(good + b"\n" + b'{"title": "caf\xe9"}\n')
    line = one_line_exit_2(["--home", str(home), "import", str(src), "--no-classify"], capsys)
    assert line.endswith(f"{src}:2: not UTF-8 text")
    assert exported(home, capsys) == [RECORD["url"]]  # nothing of the bad file was stored


@pytest.mark.parametrize(("field", "value"), [("body", 5), ("body", None), ("summary", 5),
                                              ("word_count", "many")])  # fmt: skip
def test_import_of_a_record_with_a_field_of_another_type_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: object
) -> None:
    home = imported_home(tmp_path, capsys)
    src = tmp_path / "typed.jsonl"
    odd = {**RECORD, "url": "https://news.example/odd", field: value}
    other = {**RECORD, "url": "https://news.example/other"}
    src.write_text(json.dumps(other) + "\n" + json.dumps(odd) + "\n")
    argv = ["--home", str(home), "import", str(src), "--no-classify"]
    if value is None:  # no text: read as empty, as a missing body is
        assert main(argv) == 0
        capsys.readouterr()
        assert sorted(exported(home, capsys)) == sorted([RECORD["url"], other["url"], odd["url"]])
        return
    line = one_line_exit_2(argv, capsys)  # was a traceback (body, word_count) or stored (summary)
    assert line.startswith("tidings import: error: ") and f"{src}:2: '{field}' must be" in line
    assert exported(home, capsys) == [RECORD["url"]]  # nothing of the bad file was stored


@pytest.mark.parametrize(
    ("argv", "env"),
    [(["prune", "--days", str(10**30)], {}), (["prune"], {"TIDINGS_RETENTION_DAYS": "9" * 20})],
)
def test_prune_keeping_more_days_than_the_calendar_holds_prunes_nothing(
    argv: list[str],
    env: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = imported_home(tmp_path, capsys)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["--home", str(home), *argv]) == 0
    assert "pruned 0 articles" in capsys.readouterr().err
    assert exported(home, capsys) == [RECORD["url"]]


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [("--since", "99999999999999999999d", "--since"), ("--workers", str(10**30), "--workers")],
)
def test_crawl_numbers_too_large_are_usage_errors(
    option: str, value: str, named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--home", str(tmp_path), "crawl", "--feed", "http://127.0.0.1:9/f", option, value]
    assert named in one_line_exit_2(argv, capsys)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIDINGS_ES_URL", "https://elastic:s3cret@es.example.net"),  # no port: the client's
        ("TIDINGS_ES_URL", "https://elastic:s3cret@[::1:9200"),  # ValueError was a traceback
        ("TIDINGS_STORE_URL", "mysql://tidings:s3cret@db/tidings"),  # was echoed, password too
        ("TIDINGS_STORE_URL", "postgresql://tidings:s3cret@[::1/db"),  # psycopg's traceback
    ],
)
def test_a_bad_service_url_is_one_line_that_never_shows_its_password(
    name: str,
    value: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TIDINGS_INDEX", "elasticsearch")
    monkeypatch.setenv(name, value)
    line = one_line_exit_2(["--home", str(tmp_path), "reindex"], capsys)
    assert name in line and "s3cret" not in line


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIDINGS_API_KEYS_FILE", "/nonexistent/keys.txt"),
        ("TIDINGS_RATELIMIT", "lots"),  # was a 500 on every request
        ("TIDINGS_RATELIMIT_ADMIN", "5 per fortnight"),
        ("TIDINGS_RATELIMIT_STORAGE", "bogus://user:s3cret@host"),
    ],
)
def test_a_bad_web_setting_is_an_error_naming_it(name: str, value: str) -> None:
    from search_api.config import from_env

    with pytest.raises(ValueError, match=name) as raised:
        from_env({name: value})
    assert "s3cret" not in str(raised.value)


def test_a_missing_keys_file_stops_serve_before_it_listens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDINGS_API_KEYS_FILE", str(tmp_path / "keys.txt"))
    line = one_line_exit_2(["--home", str(tmp_path), "serve", "--port", "0"], capsys)
    assert line.endswith(f"TIDINGS_API_KEYS_FILE cannot be read: {tmp_path / 'keys.txt'}: "
                         "No such file or directory")  # fmt: skip


def test_crawl_set_value_of_the_wrong_type_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--home", str(tmp_path), "crawl", "--feed", "http://127.0.0.1:9/f", "--no-classify"]
    line = one_line_exit_2([*base, "--set", "DOWNLOAD_TIMEOUT=abc"], capsys)  # was exit 0
    assert "DOWNLOAD_TIMEOUT" in line and "number" in line
    assert "ROBOTSTXT_OBEY" in one_line_exit_2([*base, "--set", "ROBOTSTXT_OBEY=maybe"], capsys)


def test_a_crawl_scrapy_cannot_start_exits_2_not_0(tmp_path: Path) -> None:
    broken = 'DOWNLOADER_MIDDLEWARES={"no.such.Middleware": 1}'  # a dict: not type-checked
    argv = ["--home", str(tmp_path), "crawl", "--feed", "http://127.0.0.1:9/f", "--no-classify"]
    done = subprocess.run(  # a process of its own: Twisted's reactor starts once per process
        [sys.executable, "-m", "tidings", *argv, "--log-level", "ERROR", "--set", broken],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("tidings crawl: error: the crawl stopped: ModuleNotFoundError")


@pytest.mark.parametrize("command", [["export"], ["reindex"], ["prune", "--days", "7"]])
@pytest.mark.parametrize("store", ["garbage", "directory"])
def test_a_store_file_that_is_not_a_database_is_one_line(
    command: list[str], store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "tidings.db"
    if store == "garbage":
        db.write_bytes(b"not SQLite at all\n" * 400)
    else:
        db.mkdir()
    line = one_line_exit_2(["--home", str(tmp_path), *command], capsys)
    assert "the SQLite store cannot be used" in line


def test_an_index_path_that_is_a_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = imported_home(tmp_path, capsys)
    index = home / "index"
    shutil.rmtree(index)
    index.write_text("not an index\n")
    line = one_line_exit_2(["--home", str(home), "reindex"], capsys)
    assert line.endswith(f"the index path {index} is a file, not a directory")
    assert exported(home, capsys) == [RECORD["url"]]  # the store still holds everything


def run_tidings(*argv: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """``tidings ARGV`` in a process of its own (its standard output is the test's to break)."""
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "tidings", *argv], stderr=subprocess.PIPE, text=True,
        timeout=120, **kwargs,
    )  # fmt: skip


def test_export_into_a_closed_pipe_ends_quietly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = imported_home(tmp_path, capsys)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tidings", "--home", str(home), "export"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    proc.stdout.close()  # `tidings export | head -0`: the reader is gone before the first line
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 141 and err == "", err[-2000:]  # was a BrokenPipeError traceback


def test_export_onto_a_full_disk_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = imported_home(tmp_path, capsys)
    with open("/dev/full", "w") as full:
        done = run_tidings("--home", str(home), "export", stdout=full)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr == "tidings export: error: No space left on device\n"


def test_crawl_of_an_opml_list_without_a_usable_feed_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = tmp_path / "list.opml"
    opml.write_text('<opml><body><outline text="x" xmlUrl="javascript:alert(1)"/></body></opml>')
    line = one_line_exit_2(["--home", str(tmp_path), "crawl", "--opml", str(opml)], capsys)
    assert line.endswith(f"nothing to crawl: {opml} has no feed with an http(s) URL")


def test_import_from_stdin_names_the_bad_line_as_dash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\xff\n")))
    line = one_line_exit_2(["--home", str(tmp_path), "import", "-", "--no-classify"], capsys)
    assert line == "tidings import: error: -:1: not UTF-8 text"  # was a temporary file's path


def test_sources_add_feed_with_a_control_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sources.toml"
    argv = ["sources", "add", "--sources", str(path), "--feed", "http://127.0.0.1:9/f\x01.xml"]
    assert "feeds" in one_line_exit_2(argv, capsys) and not path.exists()


def test_store_copy_to_a_url_libpq_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = imported_home(tmp_path, capsys)
    argv = ["--home", str(home), "store", "copy", "--to", "postgresql://[::1/db"]
    assert "--to" in one_line_exit_2(argv, capsys)  # was psycopg's ProgrammingError traceback


def test_an_unreachable_feed_is_logged_without_a_traceback(tmp_path: Path) -> None:
    done = run_tidings(
        "--home", str(tmp_path), "crawl", "--feed", "http://127.0.0.1:9/feed.xml", "--no-classify",
        stdout=subprocess.PIPE,
    )  # fmt: skip
    assert done.returncode == 1 and "errors: connection 1" in done.stdout  # its only source
    assert "Connection was refused" in done.stderr  # logged, as one line per error
    assert "Traceback" not in done.stderr  # was Scrapy's robots.txt traceback


def test_gunicorn_stops_on_a_bad_web_setting_in_one_line(tmp_path: Path) -> None:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    done = subprocess.run(
        [str(gunicorn), "-c", "python:search_api.gunicorn_conf", "--check-config",
         "search_api:create_app()"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "TIDINGS_HOME": str(tmp_path), "TIDINGS_RATELIMIT": "lots"},
    )  # fmt: skip
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: TIDINGS_RATELIMIT must be like '1200 per minute', not 'lots'"
    )


def test_demo_on_a_port_in_use_stops_before_it_crawls(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run_tidings(
            "--home", str(tmp_path), "demo", "--port", str(port), "--site-port", "0",
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert last.endswith(f"port {port} on 127.0.0.1 is already in use; choose another with --port")
    assert "crawled the demo site" not in done.stderr  # was: a whole crawl first, then the error


@pytest.mark.parametrize(
    "argv",
    [
        ["import", "DIR"],
        ["extract", "DIR"],
        ["sources", "list", "--sources", "DIR"],
        ["sources", "import-opml", "DIR"],
        ["crawl", "--opml", "DIR"],
        ["evaluate", "--data", "DIR"],
    ],
)
def test_a_directory_where_a_file_is_wanted_is_named_as_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    argv = ["--home", str(tmp_path / "home"), *(str(folder) if a == "DIR" else a for a in argv)]
    line = one_line_exit_2(argv, capsys)
    assert line.endswith(f"is a directory, not a file: {folder}"), line  # was "... not found"


@pytest.mark.parametrize("argv", [["import", "PIPE"], ["sources", "check", "--sources", "PIPE"]])
def test_a_pipe_where_a_file_is_wanted_is_named_as_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    pipe = tmp_path / "a-pipe"
    os.mkfifo(pipe)  # as `tidings import <(zcat records.jsonl.gz)` hands it over
    argv = ["--home", str(tmp_path / "home"), *(str(pipe) if a == "PIPE" else a for a in argv)]
    line = one_line_exit_2(argv, capsys)  # was "... not found: /dev/fd/63"
    assert line.endswith(f"is not a regular file (a pipe or device): {pipe}"), line


@pytest.mark.parametrize(
    "command",
    [["export"], ["reindex"], ["prune", "--days", "3"], ["sources", "health"],
     ["serve", "--port", "0"], ["import", "--no-classify", "RECORDS"]],
)  # fmt: skip
def test_a_home_that_is_a_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    home = tmp_path / "home"
    home.write_text("not a directory\n")
    records = tmp_path / "one.jsonl"
    records.write_text(json.dumps(RECORD) + "\n")
    argv = ["--home", str(home), *(str(records) if a == "RECORDS" else a for a in command)]
    line = one_line_exit_2(argv, capsys)  # was "no store", "File exists", exit 0, or serving 503s
    assert line.endswith(f"the home {home} (--home or TIDINGS_HOME) is not a directory")
    assert home.read_text() == "not a directory\n"


@pytest.mark.parametrize("option", ["--feed", "--sitemap"])
def test_a_url_with_credentials_is_refused_without_showing_them(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "https://reader:s3cret@paywall.example/feed.xml"
    path = tmp_path / "sources.toml"
    for given in ([option, url], ["--discover", url]):  # --discover: refused before fetching
        argv = ["sources", "add", "--sources", str(path), *given]
        line = one_line_exit_2(argv, capsys)
        assert "user name or password" in line and "s3cret" not in line and not path.exists()
    argv = ["--home", str(tmp_path), "crawl", option, url, "--no-classify"]
    line = one_line_exit_2(argv, capsys)
    assert "user name or password" in line and "s3cret" not in line
    path.write_text(f'[[sources]]\nid = "paywall"\nfeeds = ["{url}"]\n', encoding="utf-8")
    line = one_line_exit_2(["sources", "check", "--sources", str(path)], capsys)
    assert "feeds[0]" in line and "s3cret" not in line
