"""The clusterer's sparse arithmetic runs as C loops for speed, and must give the placements the
plain Python loops gave: every sum the same to the last bit (same products, same order), every
ranking the same order, every centroid the same terms in the same order (a dict's order is the
order later sums run in)."""

from __future__ import annotations

import math
import random
from array import array

import pytest

from tidings.core.stories import clustering, split, vectors
from tidings.core.stories.clustering import Story, StoryClusterer, StoryParams
from tidings.core.stories.features import StoryFeatures


def plain_dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def plain_unit(vec: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {t: v / norm for t, v in vec.items()} if norm else {}


def sparse(rng: random.Random, terms: int, most: int) -> dict[str, float]:
    """Weights as the clusterer sees them: sublinear counts (many ties) and unit shares."""
    weights = (1.0, 1.0 + math.log(2), 1.0 + math.log(3), rng.random(), rng.random() * 3)
    return {f"t{rng.randrange(terms)}": rng.choice(weights) for _ in range(rng.randrange(most))}


@pytest.mark.parametrize("seed", range(5))
def test_dot_unit_and_ranking_equal_the_plain_loops_bit_for_bit(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        a, b = sparse(rng, 300, 200), sparse(rng, 300, 200)
        fast, plain = vectors.dot(a, b), plain_dot(a, b)
        assert (repr(fast), type(fast)) == (repr(plain), type(plain))
        assert list(vectors.unit(a).items()) == list(plain_unit(a).items())
        assert vectors.strongest(a) == sorted(a.items(), key=lambda kv: (-kv[1], kv[0]))


def test_a_pruned_centroid_keeps_the_strongest_terms_in_the_plain_order() -> None:
    rng = random.Random(7)
    clusterer = StoryClusterer(StoryParams(centroid_terms=50))
    story, plain = Story(id="s"), {view: {} for view in clustering.VIEWS}
    for _ in range(30):
        vectors = {view: plain_unit(sparse(rng, 400, 80)) for view in clustering.VIEWS}
        clusterer._join(story, vectors, StoryFeatures(vectors))
        for view, vec in vectors.items():
            sums = plain[view]
            for t, v in vec.items():
                sums[t] = sums.get(t, 0.0) + v
            if len(sums) > 50:
                plain[view] = dict(sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))[:50])
        assert {v: list(s.items()) for v, s in story.sums.items()} == {
            v: list(s.items()) for v, s in plain.items()
        }


@pytest.mark.parametrize("seed", range(3))
def test_packed_member_vectors_give_back_the_same_dicts_and_similarities(seed: int) -> None:
    """A young story's members are kept packed (terms + float64 weights): unpacked, each view
    is the same dict (terms, weights to the last bit, order), so every similarity a split
    check computes is the one the dicts gave."""
    rng = random.Random(seed)
    weights = StoryParams().weights
    for _ in range(100):
        a = {view: plain_unit(sparse(rng, 300, 120)) for view in clustering.VIEWS}
        b = {view: plain_unit(sparse(rng, 300, 120)) for view in clustering.VIEWS}
        back = split.unpack(split.pack(a))
        assert {v: [(t, w.hex()) for t, w in d.items()] for v, d in back.items()} == {
            v: [(t, w.hex()) for t, w in a[v].items()] for v in clustering.VIEWS
        }
        assert split.similarity(back, b, weights).hex() == split.similarity(a, b, weights).hex()
        packed = split.similarity_to_packed(split.pack(a), b, weights)
        assert packed.hex() == split.similarity(a, b, weights).hex()
        assert split.similarity(b, back, weights).hex() == split.similarity(b, a, weights).hex()


def test_packed_terms_are_interned_so_members_share_them() -> None:
    made = "".join(["ter", "m"])  # a fresh string object, equal to "term"
    assert made is not "term" and made == "term"  # noqa: F632
    terms, _, _ = split.pack({view: {made: 1.0} for view in clustering.VIEWS})
    other, _, _ = split.pack({view: {"".join(["te", "rm"]): 1.0} for view in clustering.VIEWS})
    assert terms[0] is other[0]


def test_a_young_story_keeps_its_members_packed() -> None:
    clusterer = StoryClusterer()
    text = "harbour fire crews ships smoke dock blaze night"
    for i in range(3):
        clusterer.add({"id": f"a{i}", "title": "Harbour fire", "text": text})
    (story,) = clusterer.stories.values()
    assert story.size == 3 and story.members is not None
    for member in story.members:
        assert member.vectors is not None and isinstance(member.vectors[1], array)
        assert len(member.vectors[0]) == len(member.vectors[1]) == sum(member.vectors[2]) > 0
