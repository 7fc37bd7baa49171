"""What schema 7's heal adds when a phantom's placement is still in the story journal.

The heal (:mod:`tidings.core.store.story_repair`) takes a phantom's placement back out of the
clusterer's state when the journal still holds it: it loads the snapshot, replays the journal
less that placement, pickles the result as a new snapshot and saves it
(:func:`tidings.core.stories.book.without_placements`). ``bench/story_repair.py`` timed the heal
without a journal (the member scan only); this times the replay at a realistic size.

At each size the synthetic stream of ``bench/stories.py --scale`` (heavy-tailed story sizes,
20,000 live stories at most) runs through one clusterer; it is saved as the snapshot of a real
SQLite store (WAL, temporary directory), then the next articles are placed with a journal row
per batch of 64 until the journal outweighs the snapshot: the most journal a store holds before
the next snapshot folds it in (``book.py``), so the worst case. Two heals are timed, each in its
own write transaction, in CPU seconds of this process and wall seconds:

- **folded**: one phantom member placed before the snapshot: found and removed, nothing replayed
  (the baseline: the member scan, the recount, reading the state);
- **in the journal**: one phantom member placed in the journal's first row: the same, plus the
  replay of every row and the new snapshot. The difference is the replay's extra cost.

    nice -n 15 .venv/bin/python bench/story_heal_replay.py [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.stories_catchup import _journal_window  # noqa: E402
from bench.stories_scale import rss_and_load, synthetic_run  # noqa: E402
from bench.story_repair import timed_heal  # noqa: E402
from tidings.core.store import SqliteStore  # noqa: E402
from tidings.core.stories.book import MIN_SNAPSHOT_BYTES, dump  # noqa: E402

COLUMNS = [
    "stored articles (snapshot)", "live stories (at the heal)", "snapshot MB", "journal rows",
    "journal MB",
    "heal, phantom folded: CPU s", "wall s", "heal, phantom in the journal: CPU s", "wall s",
    "extra CPU s", "RSS MB", "load",
]  # fmt: skip


def add_phantom(store: SqliteStore, position: int) -> None:
    """A member row at stream position ``position`` whose article was never stored."""
    with store.placing() as tx:
        tx.add_members([(f"phantom-{position}", f"s-phantom-{position}", position)])


def heal_costs(sizes: list[int], seed: int) -> None:
    with synthetic_run(seed, "story-heal-", COLUMNS) as run:
        clusterer, store = run.clusterer, run.store
        for size in sorted(sizes):
            run.grow(size)
            snapshot_at = run.stored
            snapshot = dump(clusterer)
            with store.placing() as tx:
                tx.save_state(snapshot_at, snapshot)
            journal: list[int] = []
            while sum(journal) < max(len(snapshot), MIN_SNAPSHOT_BYTES):
                run.stored, sizes_of_rows = _journal_window(
                    clusterer, run.articles, store, run.stored
                )
                journal += sizes_of_rows
            add_phantom(store, snapshot_at)  # folded into the snapshot: nothing to replay
            folded = timed_heal(store, None)
            add_phantom(store, snapshot_at + 1)  # the journal's first placement
            replayed = timed_heal(store, None)
            with store.placing() as tx:
                healed_at = tx.state_seq()
                assert healed_at is not None and healed_at > run.stored, "no new snapshot"
                assert not tx.journal(healed_at), "the journal was not folded in"
            print(f"| {size:,} | {len(clusterer.stories):,} | {len(snapshot) / 1e6:.1f} | "
                  f"{len(journal)} | {sum(journal) / 1e6:.1f} | {folded['CPU s']:.2f} | "
                  f"{folded['wall s']:.2f} | {replayed['CPU s']:.2f} | {replayed['wall s']:.2f} | "
                  f"{replayed['CPU s'] - folded['CPU s']:.2f} | {rss_and_load()} |",
                  flush=True)  # fmt: skip
            run.stored = healed_at  # the heal took a position of its own
            with store.placing() as tx:
                tx.save_state(run.stored, b"")  # the next size starts from a clean store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    heal_costs(args.sizes, args.seed)


if __name__ == "__main__":
    main()
