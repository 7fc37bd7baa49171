"""The clusterer's state kept compact without changing a placement: a one-member story's sums
stay packed and score to the last bit as the dicts did, every term the state keeps is one
interned string, and the packed dot runs over the side ``vectors.dot`` runs over (the order
of a float sum is part of its result)."""

from __future__ import annotations

import copy
import random
import sys
from array import array

import pytest

from tests.core.test_stories_arithmetic import plain_unit, sparse
from tidings.core.stories import split, vectors
from tidings.core.stories.clustering import VIEWS, StoryClusterer
from tidings.core.stories.features import features_of

TEXT = "harbour fire crews ships smoke dock blaze night tanker crane"


def bits(x: float) -> tuple[str, type]:
    """A sum as exactly as it can be compared (an empty sum is the int 0)."""
    return repr(x), type(x)


@pytest.mark.parametrize("seed", range(3))
def test_the_packed_dot_is_the_dicts_dot_to_the_last_bit(seed: int) -> None:
    rng = random.Random(seed)
    order_mattered = 0
    for _ in range(600):
        vec, other = sparse(rng, 60, 40), sparse(rng, 60, 40)
        if rng.random() < 0.3:  # as many terms on both sides: the tie decides the order
            other = dict(zip(sparse(rng, 60, 200), other.values(), strict=False))
            vec = dict(list(vec.items())[: len(other)])
        terms, weights = tuple(other), array("d", other.values())
        assert bits(split.dot_packed(vec, terms, weights)) == bits(vectors.dot(vec, other))
        first = split.dot_packed(vec, terms, weights, packed_first=True)
        assert bits(first) == bits(vectors.dot(other, vec))
        over_other = sum(w * vec.get(t, 0.0) for t, w in other.items())
        order_mattered += over_other != sum(w * other.get(t, 0.0) for t, w in vec.items())
    assert order_mattered  # the data can tell a wrong side from the right one


def test_a_one_member_story_keeps_its_sums_packed_and_scores_as_the_dicts_did() -> None:
    clusterer = StoryClusterer()
    clusterer.add({"id": "a0", "title": "Harbour fire", "text": TEXT})
    (story,) = clusterer.stories.values()
    assert story.dicts is None and story.packed is not None
    terms, weights, lengths = story.packed
    assert isinstance(weights, array) and len(terms) == len(weights) == sum(lengths) > 0
    as_dicts = copy.copy(story)
    as_dicts.dicts, as_dicts.packed = split.unpack(story.packed), None
    rng = random.Random(3)
    words = [t for view in as_dicts.dicts.values() for t in view]
    for _ in range(300):  # articles sharing some of its terms, of every length
        article = {v: plain_unit({**sparse(rng, 30, 20), **dict.fromkeys(
            rng.sample(words, rng.randrange(len(words))), rng.random())}) for v in VIEWS}
        packed_score = clusterer.score(story, article, None)
        assert bits(packed_score) == bits(clusterer.score(as_dicts, article, None))
        title = article["title"]
        assert bits(story.dot("title", title)) == bits(vectors.dot(title, as_dicts.dicts["title"]))
    packed = story.packed
    clusterer.add({"id": "a1", "title": "Harbour fire", "text": TEXT})
    assert story.size == 2 and story.packed is None and story.dicts is not None
    assert story.members is not None and story.members[0].vectors is packed  # the first's own


def test_every_term_the_state_keeps_is_one_interned_string() -> None:
    article = {"id": "a0", "title": "Harbour fire at Rotterdam", "text": TEXT}
    feats = features_of(article)
    # interned copies first (kept alive: an interned string no one holds is dropped), so the
    # clusterer's terms are interned only if they are these very objects
    copies = [sys.intern("".join(list(t))) for view in feats.views.values() for t in view]
    copies += [sys.intern("\x00" + t) for t in feats.views.get("names", {})]  # sketch keys
    clusterer = StoryClusterer()
    clusterer.add(article, feats)
    (story,) = clusterer.stories.values()
    sketch = vars(clusterer.sketch)["_terms"].values()
    kept = [t for view in story.sums.values() for t in view] + [t for ts in sketch for t in ts]
    assert len(kept) > 10
    assert all(term is sys.intern(term) for term in kept)
    assert {id(t) for t in kept} <= {id(t) for t in copies}
