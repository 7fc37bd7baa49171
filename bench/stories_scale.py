"""``bench/stories.py --scale``: the cost of placing one article as the stored corpus grows.

A synthetic stream with realistic shape: story sizes are heavy-tailed (most events get one
article, a few get hundreds: a discrete power law, exponent 2.2, capped at 300), each story has
its own key words and entities, articles mix them with Zipf-distributed background words, and
stories overlap in time (an article belongs to one of the stories open at its moment). The
stream runs through one :class:`StoryClusterer`; at each checkpoint the next ``WINDOW`` articles
are timed one ``add`` at a time (features precomputed: their cost does not depend on the corpus).
"""

from __future__ import annotations

import math
import os
import random
import resource
import statistics
import time
from collections.abc import Iterator, Sequence

from tidings.core.stories import StoryClusterer, StoryParams
from tidings.core.stories.features import StoryFeatures

VOCABULARY = 60_000
ENTITY_POOL = 200_000
WINDOW = 2_000
OPEN_STORIES = 400


def _story_size(rng: random.Random) -> int:
    # inverse CDF of a discrete Pareto tail with exponent 2.2 (P(size >= k) ~ k^-1.2)
    return min(300, int((1 - rng.random()) ** (-1 / 1.2)))


def _zipf_sampler(rng: random.Random, n: int) -> list[int]:
    weights = [1 / (k + 1) for k in range(n)]
    return rng.choices(range(n), weights=weights, k=200_000)


def stream(seed: int) -> Iterator[tuple[dict[str, str], StoryFeatures]]:
    """Endless (article, features) pairs; a new story opens whenever one closes."""
    rng = random.Random(seed)
    background = _zipf_sampler(rng, VOCABULARY)
    n = 0
    open_stories: list[list] = []  # [remaining, keywords, entities, t]
    day = 0.0

    def word() -> str:
        return f"w{background[rng.randrange(len(background))]}"

    def new_story() -> list:
        return [_story_size(rng), [f"k{rng.randrange(VOCABULARY)}" for _ in range(12)],
                [f"e{rng.randrange(ENTITY_POOL)}" for _ in range(3)], day]  # fmt: skip

    open_stories.extend(new_story() for _ in range(OPEN_STORIES))
    while True:
        i = rng.randrange(len(open_stories))
        story = open_stories[i]
        day += 1 / 2000  # ~2,000 articles a day
        title = rng.sample(story[1], 4) + [word() for _ in range(4)]
        body = [rng.choice(story[1]) if rng.random() < 0.25 else word() for _ in range(150)]
        ents = story[2][: rng.randint(1, 3)] + [f"e{rng.randrange(ENTITY_POOL)}"]
        names = [e.replace("e", "n", 1) for e in ents]
        views = {"title": _tf(title), "text": _tf(title + body), "names": _tf(names),
                 "entities": _tf(ents)}  # fmt: skip
        feats = StoryFeatures(views=views, seen_at=day)
        n += 1
        yield {"id": f"a{n}"}, feats
        story[0] -= 1
        if story[0] <= 0:
            open_stories[i] = new_story()


def _tf(terms: Sequence[str]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for t in terms:
        counts[t] = counts.get(t, 0) + 1
    return {t: 1 + math.log(c) for t, c in counts.items()}


def scale(sizes: Sequence[int], seed: int) -> None:
    """Print per-article cost at each size; runs until the largest size (or Ctrl-C)."""
    clusterer = StoryClusterer(StoryParams())
    articles = stream(seed)
    print("| stored articles | live stories | median µs/article | p90 µs | RSS MB | load |")
    print("|---|---|---|---|---|---|", flush=True)
    stored = 0
    start = time.perf_counter()
    try:
        for target in sorted(sizes):
            while stored < target:
                article, feats = next(articles)
                clusterer.add(article, feats)
                stored += 1
            costs = []
            for _ in range(WINDOW):
                article, feats = next(articles)
                t0 = time.perf_counter()
                clusterer.add(article, feats)
                costs.append(time.perf_counter() - t0)
            stored += WINDOW
            costs.sort()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            median, p90 = statistics.median(costs) * 1e6, costs[int(0.9 * len(costs))] * 1e6
            load = "/".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"| {target:,} | {len(clusterer.stories):,} | {median:.0f} | {p90:.0f} | "
                  f"{rss:.0f} | {load} |", flush=True)  # fmt: skip
    except KeyboardInterrupt:
        print(f"interrupted at {stored:,} stored articles")
    print(f"total {time.perf_counter() - start:.0f} s for {stored:,} articles")
