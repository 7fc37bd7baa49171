"""Keep the crawl's own process from growing on big pages: large blocks go back to the system.

glibc serves a block of 128 KB or more with its own mapping and returns it when freed, but
each such free raises that threshold (up to 32 MB), so after the first few big pages every
page's body, text and pickled copy comes from the heap, where freed space is kept and
fragments across the reactor's and the writer's arenas. On the real pages of the extraction
sets (118 KB mean) that made the crawl's process grow ~140 MB in 1,000 pages; with the
threshold fixed it stays flat (docs/benchmarks.md, Crawl). Only the crawl's process, once its
workers are forked: they parse and tag, and mapping every large block costs them page faults.
"""

from __future__ import annotations

import ctypes
import sys

#: mallopt's parameter number for the mmap threshold (glibc's malloc.h).
_M_MMAP_THRESHOLD = -3
#: Blocks at least this big are mapped on their own and unmapped when freed (glibc's default
#: starting threshold, kept fixed).
LARGE_BLOCK = 128 * 1024


def return_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes for this process; False where there
    is no glibc (nothing changes there)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, threshold))
    except (OSError, AttributeError):  # another C library (musl has no mallopt)
        return False
