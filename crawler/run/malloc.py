"""Keep the crawl's own process from growing: large blocks and free heap pages go back to the
system.

glibc serves a block of 128 KB or more with its own mapping and returns it when freed, but
each such free raises that threshold (up to 32 MB), so after the first few big pages every
page's body, text and pickled copy comes from the heap, where freed space is kept and
fragments across the reactor's and the writer's arenas. On the real pages of the extraction
sets (118 KB mean) that made the crawl's process grow ~140 MB in 1,000 pages; with the
threshold fixed it stays flat (docs/benchmarks.md, Crawl). Only the crawl's process, once its
workers are forked: they parse and tag, and mapping every large block costs them page faults.

Smaller blocks (a record's body, its features) still come from glibc's heaps, and a crawl frees
them among blocks that last (the story state, caches), so the heaps fill with free space glibc
keeps: on the generated site the heaps grew 20–70 MB between two hand-backs 30 s apart while
the blocks in use stayed level. :func:`release_free_memory` (``malloc_trim``) hands every whole
free page back; the pipeline calls it every :data:`TRIM_EVERY` seconds.
"""

from __future__ import annotations

import ctypes
import functools
import sys

#: mallopt's parameter number for the mmap threshold (glibc's malloc.h).
_M_MMAP_THRESHOLD = -3
#: Blocks at least this big are mapped on their own and unmapped when freed (glibc's default
#: starting threshold, kept fixed).
LARGE_BLOCK = 128 * 1024
#: Seconds between two hand-backs of free heap pages in a crawl (each took ~3.5 ms on the
#: generated site: 0.14 s over a 208 s crawl).
TRIM_EVERY = 5.0


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """This process's C library if it is glibc (it has ``mallopt`` and ``malloc_trim``)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    glibc = hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim")  # musl has neither
    return libc if glibc else None


def return_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes for this process; False where there
    is no glibc (nothing changes there)."""
    libc = _glibc()
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, threshold)) if libc is not None else False


def release_free_memory() -> bool:
    """Hand the whole pages that glibc's heaps hold free back to the system (``malloc_trim(0)``:
    every heap, not only its top). False where there is no glibc (nothing changes there)."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
