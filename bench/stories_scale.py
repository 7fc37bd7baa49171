"""``bench/stories.py --scale``: the cost of placing one article as the stored corpus grows.

A synthetic stream with realistic shape: story sizes are heavy-tailed (most events get one
article, a few get hundreds: a discrete power law, exponent 2.2, capped at 300), each story has
its own key words and entities, articles mix them with Zipf-distributed background words, and
stories overlap in time (an article belongs to one of the stories open at its moment). The
stream runs through one :class:`StoryClusterer` with its features precomputed (their cost does
not depend on the corpus). At each checkpoint the next ``WINDOW`` articles are timed one
``add`` at a time, in CPU time of this process (the machine is shared: wall time there is
mostly the scheduler) and in wall time. The store's write per batch is measured in the same
run, into a real SQLite store: the whole pickled clusterer (what every batch wrote before the
journal, and what a snapshot writes now) against one journal row of the batch's placements,
and that row plus the snapshots amortised (one whenever the journal outweighs the last).
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidings.core.store import SqliteStore
from tidings.core.stories import StoryClusterer, StoryParams
from tidings.core.stories.book import MIN_SNAPSHOT_BYTES, dump, journal_entry
from tidings.core.stories.clustering import Assignment
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


class _Window:
    """One checkpoint's measurements: CPU and wall seconds per ``add``, and per batch the
    journal row (its bytes, and the CPU seconds to build and write it into a real store)."""

    def __init__(self) -> None:
        self.cpu: list[float] = []
        self.wall: list[float] = []
        self.row_bytes: list[int] = []
        self.row_cpu: list[float] = []


def _window(run: Run) -> _Window:
    clusterer, articles, store, stored = run.clusterer, run.articles, run.store, run.stored
    out = _Window()
    for _ in range(WINDOW // BATCH):
        journal = []
        for _ in range(BATCH):
            article, feats = next(articles)
            c0, w0 = time.process_time(), time.perf_counter()
            assignment = clusterer.add(article, feats)
            out.cpu.append(time.process_time() - c0)
            out.wall.append(time.perf_counter() - w0)
            run.note(assignment)
            journal.append(journal_entry(feats, assignment.joined, assignment.article_id,
                                         assignment.neighbours))  # fmt: skip
        c0 = time.process_time()
        row = dump(journal)
        with store.placing() as tx:
            tx.append_journal(stored + BATCH * (len(out.row_bytes) + 1), row)
        out.row_cpu.append(time.process_time() - c0)
        out.row_bytes.append(len(row))
    with store.placing() as tx:
        tx.save_state(stored + WINDOW, b"")  # drops the rows: the next window starts empty
    return out


def _snapshot_cpu(clusterer: StoryClusterer, store: SqliteStore, seq: int) -> tuple[float, int]:
    """CPU seconds to pickle the whole clusterer and write it into the store (what every batch
    cost before the journal; now a snapshot's cost), median of three, and its bytes."""
    times, size = [], 0
    for _ in range(3):
        c0 = time.process_time()
        state = dump(clusterer)
        with store.placing() as tx:
            tx.save_state(seq, state)
        times.append(time.process_time() - c0)
        size = len(state)
    return statistics.median(times), size


def print_header(columns: Sequence[str]) -> None:
    """A Markdown table's header and rule."""
    print("| " + " | ".join(columns) + " |\n" + "|---" * len(columns) + "|", flush=True)


@dataclass
class Run:
    """One clusterer fed by the synthetic stream, a real SQLite store beside it (temporary), and
    how many articles the clusterer holds."""

    clusterer: StoryClusterer
    articles: Iterator[tuple[dict[str, str], StoryFeatures]]
    store: SqliteStore
    stored: int = 0
    #: every placement so far (article, its story, the story it joined, the moves its join made), so
    #: two versions of the clusterer can be shown to place the whole stream alike
    placed: Any = field(default_factory=hashlib.sha1)

    def note(self, a: Assignment) -> None:
        """Add one placement to :attr:`placed`."""
        moved = ";".join(f"{m.target}:{','.join(m.moved)}" for m in a.moves)
        self.placed.update(f"{a.article_id} {a.story_id} {a.joined} {moved}\n".encode())

    def grow(self, target: int) -> None:
        """Run the stream through the clusterer until ``target`` articles are stored."""
        while self.stored < target:
            article, feats = next(self.articles)
            self.note(self.clusterer.add(article, feats))
            self.stored += 1


@contextmanager
def synthetic_run(seed: int, prefix: str, columns: Sequence[str]) -> Iterator[Run]:
    """A :class:`Run` from an empty clusterer; prints the table's header before and the run's
    total time after."""
    print_header(columns)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp, \
            SqliteStore(Path(tmp) / "tidings.db") as store:  # fmt: skip
        run = Run(StoryClusterer(StoryParams()), stream(seed), store)
        yield run
    print(f"total {time.perf_counter() - start:.0f} s wall, {time.process_time():.0f} s CPU, "
          f"for {run.stored:,} articles")  # fmt: skip


def rss_and_load() -> str:
    """The row's last two cells: peak RSS in MB and the load average."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"{rss:.0f} | " + "/".join(f"{x:.1f}" for x in os.getloadavg())


def scale(sizes: Sequence[int], seed: int) -> None:
    """Print per-article cost at each size; runs until the largest size (or Ctrl-C)."""
    columns = [
        "stored articles", "live stories", "sketch entries", "CPU µs/article (median, mean)",
        "wall µs median", "journal row KB (batch of 64)", "whole state MB",
        "store write CPU ms per batch: whole state (before)", "journal row (after)",
        "after, with snapshots amortised", "RSS MB", "load",
        "placements so far (SHA-1 of every article's story ids and splits)",
    ]  # fmt: skip
    with synthetic_run(seed, "stories-scale-", columns) as run:
        clusterer, store = run.clusterer, run.store
        try:
            for target in sorted(sizes):
                run.grow(target)
                w = _window(run)
                run.stored += WINDOW
                snap_cpu, snap_bytes = _snapshot_cpu(clusterer, store, run.stored)
                row_cpu, row_bytes = statistics.median(w.row_cpu), statistics.median(w.row_bytes)
                # a snapshot is taken once the journal outweighs the last one (book.py)
                amortised = row_cpu + snap_cpu * row_bytes / max(snap_bytes, MIN_SNAPSHOT_BYTES)
                print(f"| {target:,} | {len(clusterer.stories):,} | "
                      f"{clusterer.sketch.entries():,} | {statistics.median(w.cpu) * 1e6:.0f}, "
                      f"{statistics.mean(w.cpu) * 1e6:.0f} | {statistics.median(w.wall) * 1e6:.0f} "
                      f"| {row_bytes / 1e3:.0f} | {snap_bytes / 1e6:.1f} | {snap_cpu * 1e3:.0f} | "
                      f"{row_cpu * 1e3:.1f} | {amortised * 1e3:.1f} | {rss_and_load()} | "
                      f"{run.placed.hexdigest()[:12]} |",
                      flush=True)  # fmt: skip
        except KeyboardInterrupt:
            print(f"interrupted at {run.stored:,} stored articles")


def checkpoints(sizes: Sequence[int], seed: int, folder: Path) -> None:
    """Time one window of ``add`` at each size from a saved checkpoint: the clusterer after
    ``size`` articles of the stream and the window's next articles (``folder/<size>.pickle``,
    made by the first run, with whichever code it runs). Two versions of the clusterer that
    place alike load the same state and time the same window, in fresh processes, so their
    costs can be compared run against run without each growing its own corpus."""
    folder.mkdir(parents=True, exist_ok=True)
    missing = [s for s in sorted(sizes) if not (folder / f"{s}.pickle").exists()]
    if missing:
        run = Run(StoryClusterer(StoryParams()), stream(seed), None)  # type: ignore[arg-type]
        for size in missing:
            run.grow(size)
            window = [next(run.articles) for _ in range(WINDOW)]
            (folder / f"{size}.pickle").write_bytes(pickle.dumps((run.clusterer, window)))
            for article, feats in window:
                run.clusterer.add(article, feats)
            run.stored += WINDOW
    columns = ["stored articles", "live stories", "CPU µs/article (median, mean)",
               "placements (SHA-1 of the window's story ids)", "load"]  # fmt: skip
    print_header(columns)
    for size in sorted(sizes):
        clusterer, window = pickle.loads((folder / f"{size}.pickle").read_bytes())
        cpu, placed = [], hashlib.sha1()
        for article, feats in window:
            c0 = time.process_time()
            story = clusterer.add(article, feats).story_id
            cpu.append(time.process_time() - c0)
            placed.update(story.encode())
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"| {size:,} | {len(clusterer.stories):,} | {statistics.median(cpu) * 1e6:.0f}, "
              f"{statistics.mean(cpu) * 1e6:.0f} | {placed.hexdigest()[:12]} | {load} |",
              flush=True)  # fmt: skip
