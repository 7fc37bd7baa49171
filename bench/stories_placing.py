"""``bench/stories.py --placing``: the CPU of placing real article records in stories.

The records are those a crawl stores: each page of the extraction sets (``--real SET``, under
``--data-dir``) through ``crawler.extract.extract_article`` and the tagger (default model), with
a fixed ``fetched_at`` so two runs see the same input. Building them costs minutes, so they are
cached in ``--records FILE.jsonl`` (built when missing, read as they are otherwise). They are
then stored into a fresh SQLite store (temporary directory) in batches of 64 through
:meth:`tidings.core.stories.book.StoryBook.store`, the writer's one call, and the placement's
CPU seconds (what ``Stored.cpu_seconds`` counts: features, clusterer, story records, journal)
are summed, with the whole ``store`` call's CPU beside them. ``--repeat N`` stores the records
again under new ids N times, so the clusterer holds more than one set's worth of stories.

``--out PRED.json`` writes every article's story and every story's members in order (the
placements, compared with ``cmp`` between two versions); ``--profile OUT.prof`` runs the stores
under cProfile (read with ``python -m pstats``); ``--split`` prints placing's CPU by part, each
part's function wrapped with a CPU clock while the records are stored (``bench/stage_costs.py``).
"""

from __future__ import annotations

import cProfile
import json
import os
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.stage_costs import timed as cpu_timed
from tidings.core.store import SqliteStore
from tidings.core.stories import book, clustering
from tidings.core.stories.book import StoryBook

BATCH = 64
FETCHED_AT = "2026-12-06T12:00:00+00:00"


def build_records(data_dir: Path, sets: list[str], out: Path) -> None:
    """Extract and tag every page of ``sets``; write the records as JSON Lines to ``out``."""
    from bench.real_site import load_pages, page_html
    from classifier.tagger import Tagger
    from crawler.extract import NotAnArticle, extract_article
    from tidings.core.config import BUNDLED_MODEL_DIR

    tagger = Tagger.load(BUNDLED_MODEL_DIR)
    records: list[dict[str, Any]] = []
    for page in load_pages(data_dir, sets, hosts=8):
        url = f"http://127.0.0.{page.host + 1}:8000{page.path}"
        try:
            records.append(dict(extract_article(page_html(data_dir, page), url,
                                                {"fetched_at": FETCHED_AT})))  # fmt: skip
        except NotAnArticle:
            continue
    for k in range(0, len(records), BATCH):
        tagger.tag(records[k : k + BATCH])
    with out.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def load_records(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _copies(records: list[dict[str, Any]], repeat: int) -> list[dict[str, Any]]:
    """The records, then ``repeat`` more rounds of them under new ids and URLs."""
    out = [dict(r) for r in records]
    for n in range(1, repeat + 1):
        out += [{**r, "id": f"{r['id']}-{n}", "url": f"{r['url']}?copy={n}"} for r in records]
    return out


#: What ``--split`` times: (owner, {function: part}); "finish" includes its journal row.
PARTS = (
    (book, {"features_of": "features"}),
    (clustering.StoryClusterer, {"_count_and_weigh": "clusterer: count and weigh",
                                 "_scored": "clusterer: candidates and scores",
                                 "_apply": "clusterer: join and post"}),
    (book._Batch, {"_open": "open: catch up, known stories", "_finish": "finish (all)"}),
    (book.StoryBook, {"_persist": "finish: journal row or snapshot"}),
)  # fmt: skip


def split(records: list[dict[str, Any]]) -> None:
    """Store ``records`` as :func:`place_all` does, each part of placing on a CPU clock, and
    print CPU µs an article by part and its share of placing."""
    spent: dict[str, float] = defaultdict(float)
    with ExitStack() as stack:
        for owner, names in PARTS:
            stack.enter_context(cpu_timed(owner, names, spent))
        placed, _, _ = place_all(records, None)
    top = ("features", "clusterer: count and weigh", "clusterer: candidates and scores",
           "clusterer: join and post", "open: catch up, known stories", "finish (all)")  # fmt: skip
    spent["finish: members and story records"] = (
        spent["finish (all)"] - spent["finish: journal row or snapshot"]
    )
    spent["rest (ids, assignment, timers)"] = placed - sum(spent[p] for p in top)
    n = len(records)
    print("| part of placing | CPU µs/article | share |\n|---|---|---|")
    for part, seconds in spent.items():
        print(f"| {part} | {seconds / n * 1e6:.0f} | {seconds / placed:.1%} |")
    print(f"| placing (all) | {placed / n * 1e6:.0f} | 100% |")


def place_all(
    records: list[dict[str, Any]], profile: Path | None
) -> tuple[float, float, dict[str, str]]:
    """Store ``records`` in batches through a fresh book; (placement CPU s, store call CPU s,
    article id -> story id)."""
    writer = StoryBook()
    placed_cpu = call_cpu = 0.0
    stories: dict[str, str] = {}
    profiler = cProfile.Profile() if profile else None
    with tempfile.TemporaryDirectory(prefix="stories-placing-") as tmp, \
            SqliteStore(Path(tmp) / "tidings.db") as store:  # fmt: skip
        for k in range(0, len(records), BATCH):
            batch = [dict(r) for r in records[k : k + BATCH]]
            started = time.thread_time()
            if profiler:
                profiler.enable()
            stored = writer.store(store, batch)
            if profiler:
                profiler.disable()
            call_cpu += time.thread_time() - started
            placed_cpu += stored.cpu_seconds
            stories.update((str(a["id"]), str(a.get("story_id"))) for a in stored.result.articles)
    if profiler and profile:
        profiler.dump_stats(str(profile))
    return placed_cpu, call_cpu, stories


def placements(stories: dict[str, str]) -> dict[str, Any]:
    """What ``--out`` writes: each article's story, and each story's members in order."""
    members: dict[str, list[str]] = defaultdict(list)
    for aid, sid in stories.items():
        members[sid].append(aid)
    return {"articles": stories, "stories": dict(sorted(members.items()))}


def main(args: Any) -> None:
    """Run the bench (``args`` from ``bench/stories.py``'s parser)."""
    if not args.records.exists():
        started = time.process_time()
        build_records(args.data_dir, args.real, args.records)
        print(f"built {args.records} in {time.process_time() - started:.0f} CPU s")
    records = _copies(load_records(args.records), args.repeat)
    if args.split:
        split(records)
        return
    placed, call, stories = place_all(records, args.profile)
    n = len(records)
    print("| articles | stories | placing CPU µs/article | store call CPU µs/article | load |")
    print("|---|---|---|---|---|")
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"| {n:,} | {len(set(stories.values())):,} | {placed / n * 1e6:.0f} | "
          f"{call / n * 1e6:.0f} | {load} |")  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(placements(stories), indent=1, sort_keys=True))
