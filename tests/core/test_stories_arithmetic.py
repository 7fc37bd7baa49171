"""The clusterer's sparse arithmetic runs as C loops for speed, and must give the placements the
plain Python loops gave: every sum the same to the last bit (same products, same order), every
ranking the same order, every centroid the same terms in the same order (a dict's order is the
order later sums run in)."""

from __future__ import annotations

import math
import random

import pytest

from tidings.core.stories import clustering
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
        fast, plain = clustering._dot(a, b), plain_dot(a, b)
        assert (repr(fast), type(fast)) == (repr(plain), type(plain))
        assert list(clustering._unit(a).items()) == list(plain_unit(a).items())
        assert clustering._strongest(a) == sorted(a.items(), key=lambda kv: (-kv[1], kv[0]))


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
