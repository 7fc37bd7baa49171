"""``bench/stories.py --scale``: the cost of placing one article as the stored corpus grows.

A synthetic stream with realistic shape: story sizes are heavy-tailed (most events get one
article, a few get hundreds: a discrete power law, exponent 2.2, capped at 300), each story has
its own key words and entities, articles mix them with Zipf-distributed background words, and
stories overlap in time (an article belongs to one of the stories open at its moment). The
stream runs through one :class:`StoryClusterer` with its features precomputed (their cost does
not depend on the corpus). At each checkpoint the next ``WINDOW`` articles are timed one
``add`` at a time, in CPU time of this process (the machine is shared: wall time there is
mostly the scheduler) and in wall time, with the size of a batch's placements pickled (what a
journal row per batch would hold) and of the whole pickled clusterer (what the store saves
after every batch today).
"""

from __future__ import annotations

import math
import os
import pickle
import random
import resource
import statistics
import time
from collections.abc import Iterator, Sequence

from tidings.core.stories import StoryClusterer, StoryParams
from tidings.core.stories.features import StoryFeatures

VOCABULARY = 60_000
ENTITY_POOL = 200_000
WINDOW = 2_048
BATCH = 64  # the ingest path's batch
OPEN_STORIES = 400


def _story_size(rng: random.Random) -> int:
    # inverse CDF of a discrete Pareto tail with exponent 2.2 (P(size >= k) ~ k^-1.2)
    return min(300, int((1 - rng.random()) ** (-1 / 1.2)))


def stream(seed: int) -> Iterator[tuple[dict[str, str], StoryFeatures]]:
    """Endless (article, features) pairs; a new story opens whenever one closes."""
    rng = random.Random(seed)
    zipf = [1 / (k + 1) for k in range(VOCABULARY)]
    background = [f"w{k}" for k in rng.choices(range(VOCABULARY), weights=zipf, k=500_000)]
    n = 0
    open_stories: list[list] = []  # [remaining, keywords, entities]
    day = 0.0

    def new_story() -> list:
        return [_story_size(rng), [f"k{rng.randrange(VOCABULARY)}" for _ in range(12)],
                [f"e{rng.randrange(ENTITY_POOL)}" for _ in range(3)]]  # fmt: skip

    open_stories.extend(new_story() for _ in range(OPEN_STORIES))
    while True:
        i = rng.randrange(len(open_stories))
        story = open_stories[i]
        day += 1 / 2000  # ~2,000 articles a day
        at = rng.randrange(len(background) - 150)
        words = background[at : at + 112] + rng.choices(story[1], k=38)  # a quarter on-story
        title = rng.sample(story[1], 4) + background[at + 112 : at + 116]
        ents = story[2][: rng.randint(1, 3)] + [f"e{rng.randrange(ENTITY_POOL)}"]
        names = [e.replace("e", "n", 1) for e in ents]
        views = {"title": _tf(title), "text": _tf(title + words), "names": _tf(names),
                 "entities": _tf(ents)}  # fmt: skip
        n += 1
        yield {"id": f"a{n}"}, StoryFeatures(views=views, seen_at=day)
        story[0] -= 1
        if story[0] <= 0:
            open_stories[i] = new_story()


def _tf(terms: Sequence[str]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for t in terms:
        counts[t] = counts.get(t, 0) + 1
    return {t: 1 + math.log(c) for t, c in counts.items()}


def _window(clusterer: StoryClusterer, articles: Iterator) -> tuple[list[float], list[float], int]:
    """CPU and wall seconds per ``add`` over one window, and its largest batch of placements
    pickled, in bytes."""
    cpu, wall, journal_max = [], [], 0
    for _ in range(WINDOW // BATCH):
        journal = []
        for _ in range(BATCH):
            article, feats = next(articles)
            c0, w0 = time.process_time(), time.perf_counter()
            assignment = clusterer.add(article, feats)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
            journal.append((feats, assignment.story_id))
        journal_max = max(journal_max, len(pickle.dumps(journal, pickle.HIGHEST_PROTOCOL)))
    return cpu, wall, journal_max


def scale(sizes: Sequence[int], seed: int) -> None:
    """Print per-article cost at each size; runs until the largest size (or Ctrl-C)."""
    clusterer = StoryClusterer(StoryParams())
    articles = stream(seed)
    print("| stored articles | live stories | sketch entries | CPU µs/article (median, mean) | "
          "wall µs median | batch of 64 placements KB | pickled state MB | RSS MB | load |\n"
          "|---|---|---|---|---|---|---|---|---|", flush=True)  # fmt: skip
    stored = 0
    start = time.perf_counter()
    try:
        for target in sorted(sizes):
            while stored < target:
                article, feats = next(articles)
                clusterer.add(article, feats)
                stored += 1
            cpu, wall, journal = _window(clusterer, articles)
            stored += WINDOW
            snapshot = len(pickle.dumps(clusterer, pickle.HIGHEST_PROTOCOL))
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            load = "/".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"| {target:,} | {len(clusterer.stories):,} | {clusterer.sketch.entries():,} | "
                  f"{statistics.median(cpu) * 1e6:.0f}, {statistics.mean(cpu) * 1e6:.0f} | "
                  f"{statistics.median(wall) * 1e6:.0f} | {journal / 1e3:.0f} | "
                  f"{snapshot / 1e6:.0f} | {rss:.0f} | {load} |", flush=True)  # fmt: skip
    except KeyboardInterrupt:
        print(f"interrupted at {stored:,} stored articles")
    print(f"total {time.perf_counter() - start:.0f} s wall, {time.process_time():.0f} s CPU, "
          f"for {stored:,} articles")  # fmt: skip
