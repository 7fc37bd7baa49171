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


#: Fills the heap with 40,000 blocks of 4 KB, frees nine of every ten (the tenth keeps each
#: hole's neighbours alive, as the story state does among a crawl's freed pages), then prints
#: the process's anonymous memory in KB before and after the hand-back.
TRIM_PROBE = """
import sys
from crawler.run.malloc import release_free_memory

def anonymous_kb():
    with open("/proc/self/smaps_rollup") as rollup:
        return next(int(line.split()[1]) for line in rollup if line.startswith("Anonymous"))

blocks = [bytes(4000) + i.to_bytes(4, "little") for i in range(40_000)]
kept = blocks[::10]
del blocks
before = anonymous_kb()
if sys.argv[1] == "trim":
    assert release_free_memory()
print(before, anonymous_kb())
"""


def anonymous_kb_around(mode: str) -> tuple[int, int]:
    result = subprocess.run(
        [sys.executable, "-c", TRIM_PROBE, mode],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    before, after = map(int, result.stdout.split())
    return before, after


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_free_heap_pages_between_live_blocks_go_back_to_the_system() -> None:
    before, after = anonymous_kb_around("keep")
    assert before - after < 10_000  # glibc keeps ~140 MB of holes between the live blocks
    before, after = anonymous_kb_around("trim")
    assert before - after > 100_000  # handed back: most of the 160 MB freed
