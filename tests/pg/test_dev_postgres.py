"""``tidings dev postgres`` and the private cluster it runs (the same one the test session uses)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tidings.dev.postgres import PostgresCluster


def test_session_cluster_listens_on_loopback_only(pg_cluster: PostgresCluster) -> None:
    with psycopg.connect(pg_cluster.url) as conn:
        listen = conn.execute("SHOW listen_addresses").fetchone()
        port = conn.execute("SHOW port").fetchone()
        database = conn.execute("SELECT current_database()").fetchone()
    assert listen == ("127.0.0.1",)
    assert port == (str(pg_cluster.port),)
    assert database == ("tidings",)


def test_cluster_never_runs_as_root(pg_cluster: PostgresCluster) -> None:
    assert pg_cluster.process is not None
    status = Path(f"/proc/{pg_cluster.process.pid}/status").read_text()
    uid = int(status.split("\nUid:\t", 1)[1].split()[0])
    assert uid == os.geteuid() if os.geteuid() != 0 else uid != 0


def test_fresh_database_is_empty_each_time(pg_cluster: PostgresCluster) -> None:
    url = pg_cluster.fresh_database("t_fresh")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE leftover (x int)")
    url = pg_cluster.fresh_database("t_fresh")
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()
    assert tables == (0,)


def test_cli_prints_a_working_url_and_removes_the_cluster_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tidings", "dev", "postgres", "--database", "devdb"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("postgresql://") and url.endswith("/devdb"), url
        with psycopg.connect(url) as conn:
            folder = conn.execute("SHOW data_directory").fetchone()[0]
        assert Path(folder).is_dir()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        assert not Path(folder).exists()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url, connect_timeout=2)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("args", [["--database", "Bad-Name"], ["--port", "70000"]])
def test_bad_arguments_are_one_line_and_exit_2(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tidings", "dev", "postgres", *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "error:" in result.stderr
