"""Site memory measured on crawls of real sites: body F1 and articles/s with and without it.

The pages of extraction-dev2's sites with at least ``--min-pages`` pages (real sites of 2012,
each page with its site's own menus, prompts, "related" boxes and footers) are served from
loopback hosts, one host per site (127.0.0.k), each with its sitemap, and crawled end to end
(``tidings crawl`` defaults, tagging off unless ``--classify``) three times in one run:

* ``off`` — ``TIDINGS_SITE_MEMORY=false``: every page as the extractor makes it;
* ``cold`` — site memory from nothing: each site's first pages teach the later ones;
* ``warm`` — site memory the cold crawl left in its store (the next crawl of those sites).

The stored bodies of each crawl are scored with the shared scorer against the ground truth,
per source and for the sites with many pages; articles/s and CPU come from the same crawls.

``--saved-bodies`` measures the memory alone instead, offline: the bodies a full run of
``bench/extraction.py --only-ours`` saved for extraction-dev2, each cleaned by a memory of its
site's other pages (leave one out) and in crawl order (earlier pages only).

    .venv/bin/python bench/site_memory.py                    # three crawls
    .venv/bin/python bench/extraction.py --only-ours --repeat 1
    .venv/bin/python bench/site_memory.py --saved-bodies     # offline, from those bodies
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.crawl import CRAWL_HEADER, _cpu_seconds, _print_table, _row, run_config  # noqa: E402
from bench.real_site import RealPage, serve_hosts, unpack  # noqa: E402
from bench.shared_data import data_root, load_scorer  # noqa: E402
from crawler.extract.site_memory import MAX_LINES, SiteMemory  # noqa: E402

SET = "extraction-dev2"
#: Sites with at least this many pages also get a row of their own.
MANY_PAGES = 10


def by_site(ids: list[str], pages: dict[str, dict], min_pages: int) -> dict[str, list[str]]:
    """Page ids per site (sorted), for sites with at least ``min_pages`` of ``ids``."""
    sites: dict[str, list[str]] = defaultdict(list)
    for page_id in sorted(ids):
        domain = pages.get(page_id, {}).get("domain")
        if domain:
            sites[domain].append(page_id)
    return {d: found for d, found in sites.items() if len(found) >= min_pages}


def score_table(
    scorer: Any, truth: dict[str, Any], sites: dict[str, list[str]], runs: dict[str, dict]
) -> None:
    """One row per source (and for sites of ``MANY_PAGES`` or more), F1 (P/R) per run, and how
    many bodies differ from the first run's."""
    chosen = [i for ids in sites.values() for i in ids]
    many = {i for ids in sites.values() if len(ids) >= MANY_PAGES for i in ids}
    rows = {"all": chosen, f"sites >= {MANY_PAGES} pages": [i for i in chosen if i in many]}
    for source in sorted({i.split("-")[0] for i in chosen}):
        rows[source] = [i for i in chosen if i.startswith(f"{source}-")]
    first = next(iter(runs.values()))
    names = list(runs)
    print(f"{'pages':<22} {'n':>4}  " + "  ".join(f"{n:>26}" for n in names) + "  changed")
    for row, ids in rows.items():
        if not ids:
            continue
        gt = {i: truth[i]["articleBody"] for i in ids}
        cells = []
        for pred in runs.values():
            m = scorer.score(gt, {i: pred.get(i, "") for i in ids}, n_bootstrap=0, seed=0)
            cells.append(f"{m['f1']:.4f} (P {m['precision']:.3f} R {m['recall']:.3f})")
        changed = [sum(1 for i in ids if p.get(i) != first.get(i)) for p in runs.values()]
        print(f"{row:<22} {len(ids):>4}  " + "  ".join(f"{c:>26}" for c in cells)
              + "  " + "/".join(map(str, changed[1:])))  # fmt: skip


# -- crawls -------------------------------------------------------------------------------------


def stored_bodies(home: Path) -> dict[str, str]:
    """Page id -> stored body of a crawl's store (the id is the served file's name)."""
    from tidings.core.config import Settings
    from tidings.core.store import open_store

    with open_store(Settings.from_env(home=home)) as store:
        return {
            r["url"].rsplit("/", 1)[1].removesuffix(".html"): r["body"]
            for batch in store.iter_articles()
            for r in batch
        }


def copy_memory(source_ids: list[str], cold: Path, warm: Path) -> int:
    """Give the warm crawl's store the site memory the cold crawl left; lines copied."""
    from tidings.core.config import Settings
    from tidings.core.store import open_store

    copied = 0
    with open_store(Settings.from_env(home=cold)) as old, \
            open_store(Settings.from_env(home=warm)) as new:  # fmt: skip
        for sid in source_ids:
            pages, lines = old.site_lines(sid)
            if pages:
                new.add_site_lines(sid, pages, lines, keep=MAX_LINES)
                copied += len(lines)
    return copied


def crawl_main(args: argparse.Namespace) -> int:
    from crawler.run.scaling import default_workers
    from tidings.core.sources import adhoc_sources

    folder = args.data_dir
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    meta = json.loads((folder / "pages.json").read_text(encoding="utf-8"))
    served = [i for i in truth if (folder / "html" / f"{i}.html.gz").exists()]
    sites = by_site(served, meta, args.min_pages)
    if len(sites) > 254:
        raise SystemExit(f"{len(sites)} sites: more than the 254 loopback hosts 127.0.0.1-254")
    pages = [RealPage(folder.name, i, k) for k, ids in enumerate(sites.values()) for i in ids]
    root = Path(tempfile.mkdtemp(prefix="tidings-sitemem-"))
    size = unpack(folder.parent, pages, root / "site")
    ready: Any = multiprocessing.get_context("fork").Queue()
    server = multiprocessing.get_context("fork").Process(
        target=serve_hosts, args=(pages, str(root / "site"), len(sites), ready), daemon=True
    )
    server.start()
    sitemaps = [f"{base}/sitemap.xml" for base in ready.get(timeout=60)]
    source_ids = [s.id for s in adhoc_sources([], sitemaps)]
    workers = default_workers() if args.workers is None else args.workers
    common = {"workers": workers, "classify": args.classify, "batch_size": 64,
              "sitemaps": sitemaps}  # fmt: skip
    print(f"{len(pages)} pages of {len(sites)} sites ({size / len(pages) / 1024:.0f} KB mean), "
          f"one loopback host each; pool of {workers}, tagging {'on' if args.classify else 'off'};"
          f" load average {_load()}", flush=True)  # fmt: skip
    results: dict[str, Any] = {}
    bodies: dict[str, dict[str, str]] = {}
    try:
        for name, memory in (("off", False), ("cold", True), ("warm", True)):
            home = root / name
            home.mkdir()
            if name == "warm":
                copied = copy_memory(source_ids, root / "cold", home)
                print(f"  warm: {copied} remembered lines from the cold crawl", file=sys.stderr)
            cpu = _cpu_seconds(server.pid)
            config = {**common, "home": str(home),
                      "overrides": {"TIDINGS_SITE_MEMORY": memory}}  # fmt: skip
            results[name] = run_config(config)
            results[name]["cpu_site_s"] = round(_cpu_seconds(server.pid) - cpu, 1)
            bodies[name] = stored_bodies(home)
            print(f"  {name}: done, load average {_load()}", file=sys.stderr, flush=True)
    finally:
        server.terminate()
        shutil.rmtree(root, ignore_errors=True)
    _print_table(CRAWL_HEADER, [_row(n, r, len(pages)) for n, r in results.items()])
    rates = {n: _rate(r) for n, r in results.items()}
    cpu = {n: _cpu_ms(r) for n, r in results.items()}
    print("vs off: " + ", ".join(
        f"{n} {rates[n] / rates['off']:.2f}x articles/s, {cpu[n] / cpu['off']:.2f}x CPU "
        f"({cpu[n]:.0f} vs {cpu['off']:.0f} CPU-ms an article, crawler and workers)"
        for n in ("cold", "warm")))  # fmt: skip
    print(f"body F1 of the stored bodies (shared scorer); load average {_load()}")
    score_table(load_scorer("extraction_score.py", folder), truth, sites, bodies)
    return 0


def _rate(result: dict[str, Any]) -> float:
    report = result["report"]
    return (report["inserted"] + report["updated"]) / max(report["elapsed_s"], 1e-9)


def _cpu_ms(result: dict[str, Any]) -> float:
    """CPU-ms a stored article, crawler and workers: under a shared machine's load, steadier
    than articles/s."""
    report = result["report"]
    cpu = result["cpu_main_s"] + result["cpu_workers_s"]
    return 1000 * cpu / max(1, report["inserted"] + report["updated"])


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


# -- offline, from saved bodies -----------------------------------------------------------------


def leave_one_out(site: str, ids: list[str], pred: dict[str, str]) -> dict[str, str]:
    """Each page cleaned by a memory of the site's other pages."""
    out = {}
    for page_id in ids:
        memory = SiteMemory()
        for other in ids:
            if other != page_id:
                memory.learn(site, pred[other])
        out[page_id] = memory.clean(site, pred[page_id])
    return out


def crawl_order(site: str, ids: list[str], pred: dict[str, str]) -> dict[str, str]:
    """Pages in id order, each cleaned by what the earlier ones taught, then learnt."""
    memory, out = SiteMemory(), {}
    for page_id in ids:
        out[page_id] = memory.clean(site, pred[page_id])
        memory.learn(site, pred[page_id])
    return out


def offline_main(args: argparse.Namespace) -> int:
    if not args.saved_bodies.is_file():
        print(f"error: {args.saved_bodies} not found (run bench/extraction.py --only-ours "
              "first)", file=sys.stderr)  # fmt: skip
        return 2
    truth = json.loads((args.data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    meta = json.loads((args.data_dir / "pages.json").read_text(encoding="utf-8"))
    pred = json.loads(args.saved_bodies.read_text(encoding="utf-8"))
    sites = by_site(list(pred), meta, args.min_pages)
    loo: dict[str, str] = {}
    ordered: dict[str, str] = {}
    for site, ids in sites.items():
        loo.update(leave_one_out(site, ids, pred))
        ordered.update(crawl_order(site, ids, pred))
    print(f"{len(sites)} sites with >= {args.min_pages} pages")
    runs = {"as extracted": pred, "leave-one-out": loo, "crawl order": ordered}
    score_table(load_scorer("extraction_score.py", args.data_dir), truth, sites, runs)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=data_root() / SET)
    ap.add_argument("--min-pages", type=int, default=4, help="pages a site needs (default 4)")
    ap.add_argument("--workers", type=int, default=None, help="pool (default: one per core)")
    ap.add_argument("--classify", action="store_true", help="tag in the crawls too")
    saved = REPO / "var" / "bench-extraction" / f"{SET}.tidings.json"
    ap.add_argument("--saved-bodies", type=Path, nargs="?", const=saved, default=None,
                    help=f"offline mode, from these bodies (default {saved})")  # fmt: skip
    args = ap.parse_args(argv)
    return offline_main(args) if args.saved_bodies else crawl_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
