"""The near-duplicate policy beside the fingerprints: content hashes, who is fingerprinted, and
which stored copy a record joins (engine-free: the lookups are answered from a list here)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from tidings.core.fingerprint import (
    MIN_WORDS,
    SAME_STORY,
    bands,
    cluster_for,
    content_hash,
    fingerprint,
    record_fingerprint,
    similarity,
)

WORDS = [f"w{i}" for i in range(500)]


def prose(seed: int, n: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n))


class Stored:
    """Stored articles as (id, cluster, content hash, fingerprint), first stored first."""

    def __init__(self, rows: list[tuple[str, str, str, str | None]]) -> None:
        self.rows = rows

    def exact_copy_cluster(self, chash: str, aid: str) -> str | None:
        return next((c for i, c, h, _ in self.rows if h == chash and i != aid), None)

    def band_candidates(
        self, keys: Sequence[str], aid: str, limit: int
    ) -> list[tuple[str, str | None]]:
        hits = [(c, f) for i, c, _, f in self.rows if f and i != aid and set(bands(f)) & set(keys)]
        return hits[:limit]


def test_content_hash_ignores_whitespace() -> None:
    assert content_hash({"title": "A  b", "body": "c\n\nd"}) == content_hash(
        {"title": "A b", "body": " c d "}
    )
    assert content_hash({"title": "A", "body": "c"}) != content_hash({"title": "A", "body": "d"})


def test_only_long_enough_bodies_are_fingerprinted() -> None:
    assert record_fingerprint({"title": "T", "body": prose(1, MIN_WORDS - 1)}) is None
    assert record_fingerprint({"title": "T", "body": prose(1, MIN_WORDS)}) is not None


def test_a_copy_joins_the_closest_cluster_and_the_first_wins_a_tie() -> None:
    text = prose(3)
    fp = fingerprint(text)
    near = fingerprint(text + " The agency contributed to this report.")
    far = fingerprint(prose(4))
    assert fp and near and far and similarity(fp, near) >= SAME_STORY > similarity(fp, far)
    stored = Stored([("x", "cx", "h1", far), ("a", "ca", "h2", near), ("b", "cb", "h3", near)])
    assert cluster_for("new", fp, "h9", True, stored) == "ca"
    assert cluster_for("new", far, "h9", True, Stored([("a", "ca", "h2", near)])) == "new"


def test_an_exact_copy_counts_only_for_long_texts() -> None:
    stored = Stored([("a", "ca", "same", None)])
    assert cluster_for("new", None, "same", True, stored) == "ca"
    assert cluster_for("new", None, "same", False, stored) == "new"
    assert cluster_for("a", None, "same", True, stored) == "a"  # never its own copy
