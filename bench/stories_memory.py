"""``bench/stories.py --memory``: where the story clusterer's state holds its bytes.

The synthetic stream of ``--scale`` (:mod:`bench.stories_scale`) runs through one clusterer;
at each size the state is walked object by object (``sys.getsizeof``, each object counted
once, by the first structure that reaches it) and its bytes are given per structure: the
stories' per-view sums, the young stories' members, the candidate sketch's two maps, the
hashed document frequencies, the rest of each story, and the term strings (counted apart, as
several structures share them). The process's resident memory after a collection (VmRSS) and
a SHA-1 of every placement so far (as ``--scale`` prints it) come with each row, so two
versions of the clusterer can be shown to place alike and compared by what they hold.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Sequence
from dataclasses import fields, is_dataclass
from typing import Any

from bench.stories_scale import Run, print_header, stream
from tidings.core.stories import StoryClusterer, StoryParams

#: Containers the walk descends into; anything else is a leaf (counted by its own size).
_CONTAINERS = (dict, list, tuple, set, frozenset)


class Walk:
    """Deep sizes of objects, each object counted once across every :meth:`size` call; strings
    are set apart in :attr:`strings` (shared by many structures, so owned by none)."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.strings = 0

    def size(self, *roots: Any) -> int:
        total, stack = 0, list(roots)
        while stack:
            obj = stack.pop()
            if id(obj) in self.seen:
                continue
            self.seen.add(id(obj))
            if isinstance(obj, str):
                self.strings += sys.getsizeof(obj)
                continue
            total += sys.getsizeof(obj)
            if isinstance(obj, dict):
                stack.extend(obj.keys())
                stack.extend(obj.values())
            elif isinstance(obj, _CONTAINERS):
                stack.extend(obj)
            elif is_dataclass(obj):  # its fields, without making it a __dict__ it lacks
                stack.extend(getattr(obj, f.name) for f in fields(obj))
            elif hasattr(obj, "__dict__"):
                stack.append(vars(obj))
            elif hasattr(obj, "__slots__"):
                stack.extend(getattr(obj, s) for s in _slots(obj) if hasattr(obj, s))
        return total


def _slots(obj: Any) -> Iterable[str]:
    for cls in type(obj).__mro__:
        slots = getattr(cls, "__slots__", ())
        yield from (slots,) if isinstance(slots, str) else slots


def state_bytes(clusterer: StoryClusterer) -> dict[str, int]:
    """The clusterer's bytes per structure (see the module docstring). Every root stays
    referenced until the walk ends: a freed one's id could be a later object's."""
    walk = Walk()
    stories = list(clusterer.stories.values())
    sums, maps = [_sums_of(st) for st in stories], _maps(clusterer.sketch)
    out = {
        "sums": walk.size(*sums),
        "members": walk.size(*(st.members for st in stories)),
        "sketch postings": walk.size(maps[0]),
        "sketch stories": walk.size(maps[1]),
        "frequencies": walk.size(clusterer.df),
        "stories, rest": walk.size(clusterer.stories, stories),
    }
    out["term strings"] = walk.strings
    return out


def _sums_of(story: Any) -> Any:
    """What holds a story's sums: its dicts, or its packed form (older versions: ``sums``)."""
    if hasattr(story, "dicts"):
        return story.dicts, story.packed
    return story.sums


def _maps(sketch: Any) -> list[Any]:
    """The sketch's term -> stories map, then whatever else it holds (story -> its terms)."""
    state = dict(vars(sketch))
    return [state.pop("_postings"), state]


def rss_mb() -> float:
    """Resident memory now (not the peak), after a full collection."""
    gc.collect()
    with open("/proc/self/status", encoding="ascii") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return kb / 1024


def memory(sizes: Sequence[int], seed: int) -> None:
    """Print the state's bytes per structure at each size."""
    names = ["sums", "members", "sketch postings", "sketch stories", "frequencies",
             "stories, rest", "term strings"]  # fmt: skip
    print_header(["stored articles", "live stories", *(f"{n} MB" for n in names), "total MB",
                  "RSS MB (now)", "placements so far (SHA-1)"])  # fmt: skip
    run = Run(StoryClusterer(StoryParams()), stream(seed), None)  # type: ignore[arg-type]
    for target in sorted(sizes):
        run.grow(target)
        rss = rss_mb()  # before the walk, which allocates
        parts = state_bytes(run.clusterer)
        cells = " | ".join(f"{parts[n] / 1e6:.1f}" for n in names)
        print(f"| {target:,} | {len(run.clusterer.stories):,} | {cells} | "
              f"{sum(parts.values()) / 1e6:.1f} | {rss:.0f} | "
              f"{run.placed.hexdigest()[:12]} |", flush=True)  # fmt: skip
