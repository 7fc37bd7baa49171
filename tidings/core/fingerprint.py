"""Near-duplicate fingerprints: MinHash signatures over word shingles, with LSH bands.

Syndicated and lightly edited copies of one story share most of their 3-word shingles (high
Jaccard similarity); distinct stories share few, even when the same site's boilerplate leaks
into both. A MinHash signature estimates Jaccard similarity, and its LSH bands let the store find
candidate copies with a handful of indexed lookups instead of comparing against every article.

With 16 bands of 4 rows, a pair at Jaccard 0.7 becomes a candidate with probability 0.99 and a
pair at 0.2 with probability 0.03; candidates are then confirmed on the estimated similarity.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

SHINGLE = 3
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
#: Estimated Jaccard similarity from which two articles count as copies of one story.
SAME_STORY = 0.6

_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20261126)  # fixed: fingerprints must be comparable across runs
_A = _rng.integers(1, _PRIME, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, size=PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)
_MASK32 = np.uint64(0xFFFFFFFF)


def _shingle_hashes(text: str) -> np.ndarray:
    words = _WORD.findall(text.lower())
    if len(words) >= SHINGLE:
        shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    else:
        shingles = {" ".join(words)} if words else set()
    digests = (hashlib.blake2b(s.encode(), digest_size=4).digest() for s in shingles)
    return np.array([int.from_bytes(d, "big") for d in digests], dtype=np.uint64)


def fingerprint(text: str) -> str | None:
    """MinHash signature of ``text`` (64 × 32-bit, as hex), or None when there are no words."""
    hashes = _shingle_hashes(text)
    if hashes.size == 0:
        return None
    # (a*x + b) mod p per permutation, kept to 32 bits; uint64 arithmetic wraps, which is fine
    # for a hash family as long as every run computes it the same way.
    permuted = (np.outer(_A, hashes) + _B[:, None]) % np.uint64(_PRIME) & _MASK32
    return "".join(f"{int(v):08x}" for v in permuted.min(axis=1))


def _values(fp: str) -> list[str]:
    return [fp[i : i + 8] for i in range(0, len(fp), 8)]


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two fingerprints."""
    va, vb = _values(a), _values(b)
    if len(va) != len(vb) or not va:
        return 0.0
    return sum(x == y for x, y in zip(va, vb, strict=True)) / len(va)


def bands(fp: str) -> list[str]:
    """LSH band keys of a fingerprint (``"3:1a2b..."``); equal keys mark candidate copies."""
    values = _values(fp)
    keys = []
    for i in range(BANDS):
        band = "".join(values[i * ROWS : (i + 1) * ROWS]).encode()
        keys.append(f"{i}:{hashlib.blake2b(band, digest_size=8).hexdigest()}")
    return keys
