"""What is particular to the PostgreSQL engine: choosing it, its schema versions, a server that
is not there. (What every engine promises is in tests/contract/test_store_contract.py, which
runs on PostgreSQL too.)"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest

from tidings.core.article import normalise
from tidings.core.config import Settings
from tidings.core.store import SCHEMA_VERSION, SqliteStore, StoreError, open_store
from tidings.core.store.postgres import PostgresStore
from tidings.dev.service import free_port


def test_store_url_chooses_postgresql_and_unset_means_sqlite(pg_url: str, tmp_path: Path) -> None:
    with open_store(Settings.from_env({"TIDINGS_STORE_URL": pg_url}, home=tmp_path)) as store:
        assert isinstance(store, PostgresStore)
        store.upsert([{"url": "https://a.example/1", "title": "On the server", "body": "x"}])
    with open_store(Settings.from_env({}, home=tmp_path)) as store:
        assert isinstance(store, SqliteStore) and store.count() == 0
    with PostgresStore(pg_url) as store:
        assert store.count() == 1


def test_a_store_url_that_is_not_postgresql_is_refused() -> None:
    with pytest.raises(ValueError, match="postgresql://"):
        Settings.from_env({"TIDINGS_STORE_URL": "mysql://db/tidings"})


def test_schema_version_is_recorded_and_kept_on_reopen(pg_url: str) -> None:
    PostgresStore(pg_url).close()
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    with PostgresStore(pg_url) as store:  # a second start-up migrates nothing and keeps data
        store.upsert([{"url": "https://a.example/1", "title": "Kept", "body": "x"}])
    with PostgresStore(pg_url) as store, psycopg.connect(pg_url) as conn:
        assert store.count() == 1
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone() == (1,)


def test_a_newer_schema_than_the_code_is_a_clear_error(pg_url: str) -> None:
    PostgresStore(pg_url).close()
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match=rf"schema version {SCHEMA_VERSION + 1}, newer"):
        PostgresStore(pg_url)


def test_a_version_3_database_migrates_to_stories(pg_url: str) -> None:
    """Migrations run in order from the recorded version: a version-3 store gets the story
    tables of version 4, keeping its articles."""
    with PostgresStore(pg_url) as store:
        store.upsert([normalise({"url": "https://a.example/1", "title": "T", "body": "b"})])
    with psycopg.connect(pg_url) as conn:  # as a version-3 Tidings left it
        for table in ("story_articles", "stories", "story_state", "story_pending", "story_journal"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("UPDATE schema_version SET version = 3")
    with PostgresStore(pg_url) as store:
        assert store.count() == 1 and store.story_count() == 0
        assert store.pending_stories() == []
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_hosts_starting_together_migrate_once(pg_url: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_one() -> None:
        start.wait()
        try:
            PostgresStore(pg_url, pool_max=1).close()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_no_server_is_a_store_error() -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/tidings"
    with pytest.raises(StoreError, match="cannot connect to the PostgreSQL store"):
        PostgresStore(url)


def test_cli_with_no_server_says_one_line_and_exits_2(tmp_path: Path) -> None:
    env = {**os.environ, "TIDINGS_STORE_URL": f"postgresql://u:secret@127.0.0.1:{free_port()}/db"}
    result = subprocess.run(
        [sys.executable, "-m", "tidings", "--home", str(tmp_path), "export"],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "PostgreSQL store at 127.0.0.1" in result.stderr
    assert "secret" not in result.stderr
