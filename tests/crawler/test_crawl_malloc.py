"""The crawl's process hands large blocks back to the system (crawler/run/malloc.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from crawl_run import REPO

#: Frees an 8 MB block (glibc then raises its mmap threshold past 1 MB), then holds five 1 MB
#: blocks; prints how many mappings appeared meanwhile (a mapped block adds one; heap: none).
PROBE = """
import sys
from crawler.run.malloc import return_large_blocks

def mappings():
    with open("/proc/self/maps") as maps:
        return sum(1 for _ in maps)

if sys.argv[1] == "fixed":
    assert return_large_blocks()
first = bytearray(8 * 1024 * 1024)
del first
before = mappings()
held = [bytearray(1024 * 1024) for _ in range(5)]
print(mappings() - before)
"""


def new_mappings(mode: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, mode], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_large_blocks_get_mappings_of_their_own_so_freeing_them_returns_the_memory() -> None:
    assert new_mappings("plain") == 0  # glibc's default: from the heap, kept when freed
    assert new_mappings("fixed") >= 1  # mapped on their own: unmapped when freed
