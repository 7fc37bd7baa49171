"""Document frequencies in a table of fixed size, so IDF costs the same memory at any corpus size.

Terms are hashed (CRC-32, stable across processes, unlike ``hash()``) into ``2**bits`` counters,
the hashing trick of Weinberger et al. (2009) applied to the IDF table: a rare term that shares a
counter with a common one looks common and weighs less. With 2**20 counters per view and the few
thousand terms of news vocabulary common enough to matter, about one rare term in a hundred is
so damped; terms that are never seen again cost nothing, which a dictionary of terms could not
promise (its size grows with every new name and number).
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable

import numpy as np

DEFAULT_BITS = 20


class HashedCounts:
    """How many documents had each term, counted in ``2**bits`` hashed cells."""

    def __init__(self, bits: int = DEFAULT_BITS) -> None:
        self.mask = (1 << bits) - 1
        self.cells = array("I", bytes(4 << bits))

    def cell(self, term: str) -> int:
        return zlib.crc32(term.encode()) & self.mask

    def add(self, terms: Iterable[str]) -> list[int]:
        """Count one document's distinct terms; returns each term's cell, in order."""
        mask = self.mask
        cells = [zlib.crc32(t.encode()) & mask for t in terms]
        for cell in set(cells):
            self.cells[cell] += 1
        return cells

    def __getitem__(self, term: str) -> int:
        return self.cells[self.cell(term)]

    def __getstate__(self) -> tuple[int, bytes, bytes]:
        # The state is saved after every batch: a young table is mostly zeros, so it is saved
        # as (cells, counts) of the non-zero cells until half are set (zlib was 3x slower).
        counts = np.frombuffer(self.cells, dtype=np.uint32)
        used = np.flatnonzero(counts).astype(np.uint32)
        if len(used) * 2 < len(counts):
            return self.mask, used.tobytes(), counts[used].tobytes()
        return self.mask, b"", counts.tobytes()

    def __setstate__(self, state: tuple[int, bytes, bytes]) -> None:
        self.mask, used, counts = state
        if len(counts) != 4 * (self.mask + 1):  # the sparse form (an empty table has no cells)
            dense = np.zeros(self.mask + 1, dtype=np.uint32)
            dense[np.frombuffer(used, dtype=np.uint32)] = np.frombuffer(counts, dtype=np.uint32)
            counts = dense.tobytes()
        self.cells = array("I")
        self.cells.frombytes(counts)
