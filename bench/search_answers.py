"""Record the API's search answers over a home, and compare two records: did a change keep them?

``--out FILE`` sends ``bench/api_load.py``'s open-loop mix (``--per-case`` distinct searches of
each kind) and variants of it (histogram, collapse by story, every facet, filters and dates, the
empty query) through the app in process, caches off, follows each answer's ``next_cursor`` for
a second page, and writes every answer as one JSON line. ``--compare A B`` reports how many
answers differ, and how, by kind; exit status 1 if any does.

Cursors are compared decoded: a relevance cursor's ``asof`` (the newest ingest stamp of the
first page's matches) depends on when the index was built, not on the code, so it is left out;
every other field of a cursor, and the whole rest of each answer (hits and their order, scores,
highlights, totals, facet counts, histogram), must be equal.

    PYTHONPATH=/tmp/main-copy .venv/bin/python bench/search_answers.py --home H1 --out main.jsonl
    PYTHONPATH=. .venv/bin/python bench/search_answers.py --home H2 --out mine.jsonl
    .venv/bin/python bench/search_answers.py --compare main.jsonl mine.jsonl
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import api_load  # noqa: E402  (bench/ is not a package on the path)
from search_profile import app_client, get_ok  # noqa: E402

#: Added to the mix's paths: what the mix does not ask (kind -> query suffix).
VARIANTS = {
    "histogram": "&histogram=1",
    "collapse by story": "&collapse=story",
    "every facet": "&facet=topic,source,entity,language",
    "filters and dates": "&source=source3&source=source7&lang=en&from=2024-03-01&to=2024-09-30",
}


def more_phrases(fetch: Any, seed: int = 7) -> list[str]:
    """Phrases beyond the mix's two-word ones: ``search_profile.py``'s 20 (the mix at its
    default size), three words, in titles only, repeated words, and beside other clauses."""
    rng = random.Random(seed)
    words = [" ".join(f"w{w}" for w in rng.sample(range(1, 30), 3)) for _ in range(20)]
    titles = [f"w{a} w{b}" for a, b in (rng.sample(range(1, 40), 2) for _ in range(10))]
    queries = [f'"{p}"' for p in words] + [f'title:"{p}"' for p in titles]
    queries += ['"w1 w1"', '"w2 w2 w1"', '"w1 w2" w5', '"w3 w4" OR "w5 w6"', '-"w1 w2" w3']
    paths = [f"/api/v1/search?q={quote(q)}" for q in queries]
    return api_load.search_mix(fetch, 20)["phrase"] + paths


#: Date-sorted listings whose deeper pages are recorded too (beside the mix's common words):
#: mid and rare words, a phrase, a topic, a month, everything (read over key ranges below the
#: cursor since tail2).
DEEP_LISTINGS = ["q=w150", "q=w1500", "q=%22w3+w11%22", "q=w5&topic=sport",
                 "q=w5&from=2024-03-01&to=2024-03-31", "q="]  # fmt: skip


def deeper_pages(fetch: Any, depths: tuple[int, ...] = (3, 12, 40)) -> list[str]:
    """Pages ``depths`` (20 hits a page) of each of DEEP_LISTINGS, by their cursors."""
    out = []
    for listing in DEEP_LISTINGS:
        base, cursor = f"/api/v1/search?{listing}&sort=date", None
        for page in range(1, max(depths) + 1):
            cursor = fetch(base + (f"&cursor={quote(cursor)}" if cursor else ""))["next_cursor"]
            if cursor is None:
                break
            if page + 1 in depths:
                out.append(f"{base}&cursor={quote(cursor)}")
    return out


def search_paths(fetch: Any, per_case: int) -> dict[str, list[str]]:
    """The open-loop mix, more phrases and, for a few of each of the mix's kinds, each of
    VARIANTS."""
    mix = api_load.search_mix(fetch, per_case)
    paths = {kind: list(dict.fromkeys(ps)) for kind, ps in mix.items()}
    paths["more phrases"] = more_phrases(fetch)
    paths["deeper date pages"] = deeper_pages(fetch)
    sample = [p for ps in mix.values() for p in ps[:3] if "cursor=" not in p]
    for name, suffix in VARIANTS.items():
        paths[name] = [p + suffix for p in sample]
    listing = [f"/api/v1/search?q={suffix}" for suffix in ("", "&topic=sport", "&facet=topic")]
    paths["empty query"] = listing + [p + "&histogram=1" for p in listing]
    return paths


def plain_cursor(cursor: str | None) -> dict[str, Any] | None:
    """A cursor's payload without the build-dependent ``asof``."""
    if cursor is None:
        return None
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    payload.pop("a", None)
    return payload


def rebuild_in_one_segment(home: Path) -> None:
    """Index ``home``'s store anew as one segment (one commit, a writer memory it never fills).

    Two builds then have the same layout whatever the schema, so hits of equal score come in
    the same order (tantivy breaks ties by document address, and orders its segments by their
    random ids): ``tidings reindex`` cuts its commit into segments whenever the writer's memory
    fills, which a larger document does sooner.
    """
    import shutil

    from tidings.core.config import Settings
    from tidings.core.index import embedded
    from tidings.core.store import open_store

    embedded.WRITER_HEAP = 4_000_000_000  # read when the writer is made; tantivy's most
    shutil.rmtree(home / "index", ignore_errors=True)
    writer = embedded.EmbeddedIndex(home / "index", writable=True)
    with open_store(Settings(home=home)) as store, writer:
        writer.rebuild(store.iter_articles(1000))
    with embedded.EmbeddedIndex(home / "index") as index:
        print(f"{index.count()} articles in {index._searcher().num_segments} segment(s)")


def record(home: Path, out: Path, per_case: int) -> int:
    with tempfile.TemporaryDirectory(prefix="tidings-answers-") as tmp, out.open("w") as sink:
        client = app_client(home, Path(tmp))
        written = 0
        for kind, paths in search_paths(lambda p: get_ok(client, p), per_case).items():
            for path in paths:
                answer = get_ok(client, path)
                pages = [answer]
                if answer.get("next_cursor"):
                    first = path.split("&cursor=")[0]  # a deep page's own cursor, replaced
                    pages.append(get_ok(client, f"{first}&cursor={quote(answer['next_cursor'])}"))
                for page in pages:
                    page["next_cursor"] = plain_cursor(page.get("next_cursor"))
                    page["query"].pop("cursor", None)  # echoed back: its asof is the build's
                sink.write(json.dumps({"kind": kind, "path": path, "pages": pages}) + "\n")
                written += 1
    print(f"{written} searches ({sum(1 for _ in out.open())} lines) written to {out}")
    return 0


def differences(a: Any, b: Any, where: str = "") -> list[str]:
    """Where two JSON values differ (paths like ``pages[0].facets.topic``), at most a few."""
    if type(a) is not type(b):
        return [where or "."]
    if isinstance(a, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            out += differences(a.get(key), b.get(key), f"{where}.{key}")
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{where} (length {len(a)} != {len(b)})"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in differences(x, y, f"{where}[{i}]")]  # fmt: skip
    return [] if a == b else [where]


def compare(first: Path, second: Path) -> int:
    read = [{row["path"]: row for row in map(json.loads, p.open())} for p in (first, second)]
    a, b = read
    if set(a) != set(b):
        print(f"the records hold different searches: {len(set(a) ^ set(b))} not in both")
        return 1
    per_kind: Counter[str] = Counter()
    differing: Counter[str] = Counter()
    for path, row in a.items():
        per_kind[row["kind"]] += 1
        found = differences(row["pages"], b[path]["pages"])
        if found:
            differing[row["kind"]] += 1
            if differing[row["kind"]] <= 2:
                print(f"DIFFERENT {path}: {', '.join(found[:6])}")
    for kind, n in per_kind.items():
        print(f"{kind:30} {n:4d} searches, {differing[kind]:4d} different")
    total = sum(differing.values())
    pages = sum(len(r["pages"]) for r in a.values())
    print(f"{len(a)} searches ({pages} pages): {total} different")
    return 1 if total else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="record the answers over this home")
    parser.add_argument("--out", type=Path, help="write them here (JSON lines)")
    parser.add_argument("--per-case", type=int, default=50, help="distinct searches per kind")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    parser.add_argument(
        "--one-segment",
        action="store_true",
        help="first index the home's store anew as one segment (give a copy of the home)",
    )
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if not args.home or not args.out:
        parser.error("give --home and --out, or --compare A B")
    if args.one_segment:
        rebuild_in_one_segment(args.home)
    return record(args.home, args.out, args.per_case)


if __name__ == "__main__":
    raise SystemExit(main())
