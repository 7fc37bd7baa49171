"""``bench/delay_relay.py``: a client behind it waits the delay once more per round trip, and
what it relays arrives whole and in order (a PostgreSQL session through it works)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from tidings.dev.postgres import PostgresCluster
from tidings.dev.service import free_port

RELAY = Path(__file__).resolve().parents[2] / "bench" / "delay_relay.py"
DELAY_MS = 20.0


def _round_trip_ms(conn: psycopg.Connection) -> float:
    started = time.perf_counter()
    conn.execute("SELECT 1")
    return 1000 * (time.perf_counter() - started)


def test_each_round_trip_takes_the_delay_longer_and_data_passes_intact(
    pg_cluster: PostgresCluster,
) -> None:
    port = free_port()
    relay = subprocess.Popen(
        [sys.executable, str(RELAY), "127.0.0.1", str(port), pg_cluster.host,
         str(pg_cluster.port), str(DELAY_MS)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert relay.stdout is not None and relay.stdout.readline().strip() == "ready"
        relayed_url = pg_cluster.url.replace(f":{pg_cluster.port}/", f":{port}/")
        with psycopg.connect(pg_cluster.url) as direct, psycopg.connect(relayed_url) as relayed:
            plain = statistics.median(_round_trip_ms(direct) for _ in range(10))
            delayed = statistics.median(_round_trip_ms(relayed) for _ in range(10))
            assert plain < DELAY_MS / 2
            assert DELAY_MS <= delayed < DELAY_MS * 5
            # a reply of many chunks arrives whole and in order
            rows = relayed.execute("SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g")
            assert [r[0] for r in rows.fetchall()] == list(range(1, 20001))
    finally:
        relay.kill()
        relay.wait()
