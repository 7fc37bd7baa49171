"""Near-duplicate fingerprints: MinHash signatures over word shingles, with LSH bands.

Syndicated and lightly edited copies of one story share most of their 3-word shingles (high
Jaccard similarity); distinct stories share few, even when the same site's boilerplate leaks
into both. A MinHash signature estimates Jaccard similarity, and its LSH bands let the store find
candidate copies with a handful of indexed lookups instead of comparing against every article.

With 16 bands of 4 rows, a pair at Jaccard 0.7 becomes a candidate with probability 0.99 and a
pair at 0.2 with probability 0.03; candidates are then confirmed on the estimated similarity.

The near-duplicate policy (which records are fingerprinted, which stored copy a record joins)
is here too, in :func:`cluster_for`: a store engine only answers the two lookups of
:class:`CopyFinder`.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

SHINGLE = 3
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
#: Estimated Jaccard similarity from which two articles count as copies of one story.
SAME_STORY = 0.6
#: Bodies shorter than this are not fingerprinted or matched on exact content: short texts
#: ("Live updates", a one-line brief) are too alike across stories to call them copies.
MIN_WORDS = 30
#: At most this many articles sharing an LSH band are compared (boilerplate-heavy bands).
MAX_CANDIDATES = 500

_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20261126)  # fixed: fingerprints must be comparable across runs
_A = _rng.integers(1, _PRIME, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, size=PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")
_MASK32 = np.uint64(0xFFFFFFFF)
#: One odd multiplier per word of a shingle (the last also drives the finaliser).
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x94D049BB133111EB], dtype=np.uint64)
assert len(_MIX) == SHINGLE


def _shingle_hashes(text: str) -> np.ndarray:
    """32-bit hashes of the text's distinct word 3-shingles, computed as arrays.

    Each word is hashed once (CRC-32, in C); a shingle's hash mixes its three word hashes with
    odd 64-bit multipliers and a xor-shift finaliser, and keeps the top 32 bits. A Python hash
    per shingle string cost ~0.4 ms an article; this is a few numpy operations.
    """
    words = _WORD.findall(text.lower())
    if not words:
        return np.empty(0, dtype=np.uint64)
    ids = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words))
    width = min(SHINGLE, ids.size)  # a text shorter than a shingle is one shingle
    count = ids.size - width + 1
    mixed = sum(ids[k : k + count] * _MIX[k] for k in range(width))
    mixed ^= mixed >> np.uint64(31)
    mixed *= _MIX[2]
    mixed ^= mixed >> np.uint64(29)
    return np.unique(mixed >> np.uint64(32))


def fingerprint(text: str) -> str | None:
    """MinHash signature of ``text`` (64 × 32-bit, as hex), or None when there are no words."""
    hashes = _shingle_hashes(text)
    if hashes.size == 0:
        return None
    # (a*x + b) mod p per permutation, kept to 32 bits; uint64 arithmetic wraps, which is fine
    # for a hash family as long as every run computes it the same way.
    permuted = (np.outer(_A, hashes) + _B[:, None]) % np.uint64(_PRIME) & _MASK32
    return permuted.min(axis=1).astype(">u4").tobytes().hex()


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


# -- the near-duplicate policy -------------------------------------------------------------------


def content_hash(record: dict[str, Any]) -> str:
    """sha256 of title and body with whitespace normalised: equal text, equal hash."""
    title = _SPACE.sub(" ", str(record.get("title") or "")).strip()
    body = _SPACE.sub(" ", str(record.get("body") or "")).strip()
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def long_enough(record: dict[str, Any]) -> bool:
    """Whether the body is long enough to be called a copy of another (``MIN_WORDS``)."""
    return len(str(record.get("body") or "").split()) >= MIN_WORDS


def record_fingerprint(record: dict[str, Any]) -> str | None:
    """The fingerprint of a record that comes without one (title + body), None when short."""
    if not long_enough(record):
        return None
    return fingerprint(f"{record.get('title') or ''}\n{record.get('body') or ''}")


class CopyFinder(Protocol):
    """The two lookups a store engine answers for :func:`cluster_for` (excluding ``aid``)."""

    def exact_copy_cluster(self, chash: str, aid: str) -> str | None:
        """The cluster of the first stored article with this content hash, or None."""

    def band_candidates(
        self, keys: Sequence[str], aid: str, limit: int
    ) -> list[tuple[str, str | None]]:
        """``(cluster_id, fingerprint)`` of up to ``limit`` stored articles sharing a band
        key, first stored first."""


def cluster_for(
    aid: str,
    fp: str | None,
    chash: str,
    long_body: bool,
    copies: CopyFinder,
) -> str:
    """The cluster an article joins: that of an exact copy of a long enough text, else of the
    most similar fingerprint at or above ``SAME_STORY`` (the first stored wins a tie), else its
    own id."""
    if long_body and (exact := copies.exact_copy_cluster(chash, aid)) is not None:
        return exact
    if not fp:
        return aid
    best: str | None = None
    best_score = SAME_STORY
    for cluster, other in copies.band_candidates(bands(fp), aid, MAX_CANDIDATES):
        score = similarity(fp, other) if other else 0.0
        if score > best_score or (best is None and score == best_score):
            best, best_score = cluster, score
    return best or aid
