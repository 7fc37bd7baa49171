"""``bench/stories_writers.py --netns``: writers in one network namespace, PostgreSQL in
another, each round trip made 2 ms longer by ``bench/delay_relay.py``; every article stored
and placed, the same stories as one writer would make in the stored order, and the hosts
removed afterwards. Root only (CI is root); elsewhere it skips, in CI it fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from netns_hosts import can_make_hosts

REPO = Path(__file__).resolve().parents[2]
DELAY_MS = 2.0


def table(out: str) -> list[dict[str, str]]:
    """The rows of the bench's markdown table, by column name."""
    lines = [line for line in out.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
        for line in lines[1:]
    ]


def test_writers_on_one_host_place_into_a_server_on_another(tmp_path: Path) -> None:
    if reason := can_make_hosts():
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"the cross-host writers test must run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    bench = subprocess.Popen(
        [sys.executable, "bench/stories_writers.py", "--netns", "--delay-ms", str(DELAY_MS),
         "--writers", "2", "--articles", "64", "--pace-ms", "0"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = bench.communicate(timeout=300)
    assert bench.returncode == 0, err[-3000:]
    assert "server on host 10." in out and "(network namespaces)" in out
    off, on = table(out)
    assert (off["stories"], on["stories"]) == ("off", "on")
    assert off["articles"] == on["articles"] == "128"
    assert on["unplaced"] == "0" and on["= one writer"] == "yes"
    for row in (off, on):  # every statement crossed the relay: at least the delay a round trip
        assert DELAY_MS <= float(row["round trip ms"]) < 20 * DELAY_MS
    left = [p.name for p in Path("/run/netns").glob(f"td{bench.pid % 100_000}*")]
    assert left == [], "the bench left its hosts behind"
