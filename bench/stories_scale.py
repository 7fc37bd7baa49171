"""``bench/stories.py --scale``: the cost of placing one article as the stored corpus grows.

A synthetic stream with realistic shape: story sizes are heavy-tailed (most events get one
article, a few get hundreds: a discrete power law, exponent 2.2, capped at 300), each story has
its own key words and named people/places, articles mix them with Zipf-distributed background
words, and stories overlap in time (an article belongs to one of the stories open at its
moment). The articles are records with a title, a body and entities, placed in batches of
``BATCH`` through :class:`StoryBook` on a scratch SQLite file, which is the ingest path's whole
story cost: features, the clusterer's ``add``, the story records, and the clusterer state's
persistence (journal row per batch, a snapshot now and then). At each checkpoint the next
``WINDOW`` articles are timed batch by batch.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tidings.core.stories.book import StoryBook

VOCABULARY = 60_000
ENTITY_POOL = 200_000
WINDOW = 2_048
BATCH = 64
OPEN_STORIES = 400


def _story_size(rng: random.Random) -> int:
    # inverse CDF of a discrete Pareto tail with exponent 2.2 (P(size >= k) ~ k^-1.2)
    return min(300, int((1 - rng.random()) ** (-1 / 1.2)))


def _zipf_sampler(rng: random.Random, n: int) -> list[int]:
    weights = [1 / (k + 1) for k in range(n)]
    return rng.choices(range(n), weights=weights, k=200_000)


def stream(seed: int) -> Iterator[dict[str, Any]]:
    """Endless article records; a new story opens whenever one closes."""
    rng = random.Random(seed)
    background = _zipf_sampler(rng, VOCABULARY)
    n = 0
    open_stories: list[list[Any]] = []  # [remaining, keywords, entity numbers]
    start = 1_700_000_000.0

    def word() -> str:
        return f"w{background[rng.randrange(len(background))]}"

    def new_story() -> list[Any]:
        return [_story_size(rng), [f"k{rng.randrange(VOCABULARY)}" for _ in range(12)],
                [rng.randrange(ENTITY_POOL) for _ in range(3)]]  # fmt: skip

    open_stories.extend(new_story() for _ in range(OPEN_STORIES))
    while True:
        i = rng.randrange(len(open_stories))
        story = open_stories[i]
        n += 1
        ents = story[2][: rng.randint(1, 3)] + [rng.randrange(ENTITY_POOL)]
        title = " ".join(rng.sample(story[1], 4) + [word() for _ in range(4)])
        sentences = []
        for _ in range(10):  # ten sentences of 15 words, a name in each
            words = [rng.choice(story[1]) if rng.random() < 0.25 else word() for _ in range(14)]
            words.insert(rng.randrange(1, 14), f"Nam{rng.choice(ents)}")
            sentences.append(" ".join(words) + ".")
        yield {
            "id": f"a{n}",
            "title": title,
            "body": " ".join(sentences),
            "entities": [{"key": f"e{e}", "label": "ORG", "text": f"E{e}"} for e in ents],
            "published_at": time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + n * 43.2)
            ),  # ~2,000 articles a day
        }
        story[0] -= 1
        if story[0] <= 0:
            open_stories[i] = new_story()


def _place(book: StoryBook, articles: Iterator[dict[str, Any]]) -> float:
    batch = [next(articles) for _ in range(BATCH)]
    t0 = time.perf_counter()
    book.place(batch)
    return time.perf_counter() - t0


def _state_sizes(book: StoryBook) -> str:
    snap = book.db.execute("SELECT seq, length(state) FROM story_snapshot").fetchone()
    rows, size = book.db.execute(
        "SELECT COUNT(*), COALESCE(SUM(length(entries)), 0) FROM story_journal"
    ).fetchone()
    snap_mb = snap[1] / 1e6 if snap else 0.0
    return f"{snap_mb:.0f} MB / {rows} rows, {size / 1e6:.1f} MB"


def scale(sizes: Sequence[int], seed: int) -> None:
    """Print per-article cost at each size; runs until the largest size (or Ctrl-C)."""
    articles = stream(seed)
    print("| stored articles | live stories | median µs/article | p90 µs | "
          "snapshot / journal | RSS MB | load |\n|---|---|---|---|---|---|---|",
          flush=True)  # fmt: skip
    stored = 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tidings-stories-scale-") as tmp:
        book = StoryBook(Path(tmp) / "stories.db")
        try:
            for target in sorted(sizes):
                while stored < target:
                    _place(book, articles)
                    stored += BATCH
                costs = []
                for _ in range(WINDOW // BATCH):
                    costs.append(_place(book, articles) / BATCH)
                    stored += BATCH
                costs.sort()
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                median = statistics.median(costs) * 1e6
                p90 = costs[int(0.9 * len(costs))] * 1e6
                live = len(book._current_state().stories)
                load = "/".join(f"{x:.1f}" for x in os.getloadavg())
                print(f"| {target:,} | {live:,} | {median:.0f} | {p90:.0f} | "
                      f"{_state_sizes(book)} | {rss:.0f} | {load} |", flush=True)  # fmt: skip
        except KeyboardInterrupt:
            print(f"interrupted at {stored:,} stored articles")
        finally:
            book.close()
    print(f"total {time.perf_counter() - start:.0f} s for {stored:,} articles")
