"""bench/stories_seventh.py: the seventh round's variants change only what they are about.

At their neutral settings they must place articles exactly as the product does (else the
paired table compares against something else); the centred cosine's expanded form must equal
the cosine of the centred vectors; the learned decision's rows and labels must describe the
candidates the clusterer scored; a model trained on one synthetic stream must place another.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from story_corpus import background, corpus, synthetic

from bench.stories import place
from bench.stories_seventh import (
    FEATURES,
    ContrastClusterer,
    LearnedClusterer,
    MemberClusterer,
    SplitClusterer,
    TopKClusterer,
    candidate_rows,
    cosine,
    link_weighted,
    models,
    subtract,
)
from tidings.core.stories import StoryClusterer, StoryParams, features_of

NO_DATES = StoryParams(time_share=0.0, split_share=0.0)


def placements(clusterer: StoryClusterer, docs: list[dict]) -> dict[str, str]:
    return {d["id"]: clusterer.add(d, features_of(d)).story_id for d in docs}


def labelled(n: int, events: int, seed: int) -> list[dict]:
    """A synthetic stream with each article's event as its ``story``."""
    return [{**d, "story": d["entities"][0]["key"]} for d in synthetic(n, events, seed)]


def test_variants_at_their_neutral_settings_place_as_the_product_does() -> None:
    docs = background() + corpus() + synthetic(80, 5)
    product = placements(StoryClusterer(NO_DATES), docs)
    assert len(set(product.values())) < len(docs)  # there are stories to join
    assert placements(MemberClusterer(), docs) == product
    for mode in ("centred", "others", "local"):
        assert placements(ContrastClusterer(mode, 0.0, NO_DATES.threshold), docs) == product
    assert placements(TopKClusterer(2, 0.0, NO_DATES.threshold), docs) == product
    unsplit = SplitClusterer(0.0)  # rho 0: no two parts are ever that far apart
    assert placements(unsplit, docs) == product == unsplit.partition()
    # a band of exactly the bar leaves the model nothing to decide: the hand decision
    assert placements(LearnedClusterer(None, 0.5, band=(1.0, 1.0)), docs) == product


def test_the_expanded_centred_cosine_is_the_cosine_of_the_centred_vectors() -> None:
    docs = labelled(120, 6, seed=3)
    clusterer = ContrastClusterer("centred", 0.5, 0.165)
    placements(clusterer, docs[:-1])
    vectors = clusterer._count_and_weigh(features_of(docs[-1]))
    scored = clusterer._scored(vectors, clusterer._lookup_terms(vectors), features_of(docs[-1]))
    assert len(scored) >= 3  # several candidates, so the centre is not any one story
    moved = 0
    for _, story in scored:
        for view in ("title", "text"):
            mean = {t: w / story.size for t, w in story.sums[view].items()}
            centre = clusterer._context[view]
            explicit = cosine(subtract(vectors[view], centre), subtract(mean, centre))
            assert math.isclose(clusterer.contrast(vectors[view], story, view), explicit,
                                rel_tol=1e-9, abs_tol=1e-12)  # fmt: skip
            moved += not math.isclose(explicit, cosine(vectors[view], mean), abs_tol=1e-6)
    assert moved  # centring changed the cosines


def test_each_candidate_row_describes_the_story_it_was_scored_against() -> None:
    docs = labelled(90, 5, seed=4)
    x, y, links = candidate_rows(docs, [1])
    assert x.shape[1] == len(FEATURES) and len(x) == len(y) == len(links) > len(docs) / 2
    size = np.exp(x[:, FEATURES.index("log size")]).round().astype(int)
    assert (links.sum(axis=1) == size).all()  # every member is of the article's event or not
    same = links[:, 0]
    assert (y[same * 2 > size] == 1).all() and (same[y == 1] * 2 >= size[y == 1]).all()
    assert 0 < y.sum() < len(y)  # the label is the majority event's, right and wrong both occur
    score = x[:, FEATURES.index("score")]
    assert score[y == 1].mean() > score[y == 0].mean() + 0.1  # right stories score higher
    assert (x[:, FEATURES.index("rank")] == 0).sum() <= len(docs)  # one best per placement


def test_link_weighting_counts_a_candidate_once_per_kind_of_link() -> None:
    x = np.array([[1.0], [2.0], [3.0]])
    links = np.array([[3, 1], [0, 2], [2, 0]])  # (same event, other events)
    xs, ys, ws = link_weighted(x, links)
    got = Counter((float(a[0]), int(b), float(w)) for a, b, w in zip(xs, ys, ws, strict=True))
    assert got == Counter({(1.0, 1, 3.0): 1, (1.0, 0, 1.0): 1, (2.0, 0, 2.0): 1, (3.0, 1, 2.0): 1})


def test_a_model_learned_on_one_stream_places_another() -> None:
    train, test = labelled(150, 6, seed=1), labelled(150, 6, seed=2)
    x, y, _ = candidate_rows(train, [1, 2])
    model = models()["logistic regression"]().fit(x, y)
    pred, _ = place(test, 1, lambda: LearnedClusterer(model, 0.5))
    gold = {d["id"]: d["story"] for d in test}
    stories = Counter(pred.values())
    majority = {s: Counter(gold[a] for a in pred if pred[a] == s) for s in stories}
    pure = sum(max(events.values()) for events in majority.values()) / len(test)
    assert pure > 0.95 and len(stories) <= 18  # about one story per event, not one per article
    never = LearnedClusterer(model, 1.01)  # no probability reaches it: every article alone
    assert len(set(placements(never, test).values())) == len(test)


def test_a_story_that_absorbed_two_events_is_split_into_them() -> None:
    docs = labelled(60, 2, seed=5)
    gold = {d["id"]: d["story"] for d in docs}
    # no threshold and no cohesion bar: every article joins the best candidate, so the two
    # events end in one story unless it is split
    greedy = StoryParams(time_share=0.0, threshold=0.0, cohesion_share=0.0, split_share=0.0)
    merged = SplitClusterer(0.0, params=greedy)
    placements(merged, docs)
    assert len(set(merged.partition().values())) == 1 and merged.splits == 0
    split = SplitClusterer(0.5, params=greedy)
    placements(split, docs)
    stories = split.partition()
    assert split.splits >= 1 and len(set(stories.values())) == 2
    for story in set(stories.values()):  # each story is one event's articles, all of them
        assert len({gold[a] for a in stories if stories[a] == story}) == 1
    first = docs[0]["id"]
    assert stories[first] == merged.partition()[first]  # the first member's part keeps the id
