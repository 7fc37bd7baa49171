"""Site memory on real sites: our bodies of extraction-dev2's multi-page sites, with and without
what the site's other pages taught (:mod:`crawler.extract.site_memory`).

Reads the bodies a full run of ``bench/extraction.py --only-ours`` saved for extraction-dev2
(``--predictions``) and groups the pages by site (``pages.json``'s ``domain``; pages without one
are left out). On every site with at least ``--min-pages`` pages it scores, with the shared
scorer, the bodies as extracted, each body cleaned by a memory of the site's *other* pages
(leave one out), and in crawl order (each page cleaned by what the pages before it taught, then
learnt), per source. No page is extracted again: this isolates the memory's effect.

    .venv/bin/python bench/extraction.py --only-ours --repeat 1     # writes the predictions
    .venv/bin/python bench/site_memory.py
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.shared_data import data_root, load_scorer  # noqa: E402
from crawler.extract.site_memory import SiteMemory  # noqa: E402


def by_site(pred: dict[str, str], pages: dict[str, dict], min_pages: int) -> dict[str, list[str]]:
    """Page ids per site (sorted), for sites with at least ``min_pages`` predicted pages."""
    sites: dict[str, list[str]] = defaultdict(list)
    for page_id in sorted(pred):
        domain = pages.get(page_id, {}).get("domain")
        if domain:
            sites[domain].append(page_id)
    return {d: ids for d, ids in sites.items() if len(ids) >= min_pages}


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=data_root() / "extraction-dev2")
    saved = REPO / "var" / "bench-extraction" / "extraction-dev2.tidings.json"
    ap.add_argument("--predictions", type=Path, default=saved)
    ap.add_argument("--min-pages", type=int, default=4)
    args = ap.parse_args(argv)
    if not args.predictions.is_file():
        print(f"error: {args.predictions} not found (run bench/extraction.py --only-ours first)",
              file=sys.stderr)  # fmt: skip
        return 2
    scorer = load_scorer("extraction_score.py", args.data_dir)
    truth = json.loads((args.data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = json.loads((args.data_dir / "pages.json").read_text(encoding="utf-8"))
    pred = json.loads(args.predictions.read_text(encoding="utf-8"))
    sites = by_site(pred, pages, args.min_pages)
    loo: dict[str, str] = {}
    crawl: dict[str, str] = {}
    for site, ids in sites.items():
        loo.update(leave_one_out(site, ids, pred))
        crawl.update(crawl_order(site, ids, pred))
    chosen = [i for ids in sites.values() for i in ids]
    print(f"{len(sites)} sites with >= {args.min_pages} pages, {len(chosen)} pages")
    print(f"{'source':<12} {'pages':>5} {'changed':>7}  {'as extracted':>12} "
          f"{'leave-one-out':>13} {'crawl order':>11}   (F1; P/R)")  # fmt: skip
    for source in ("all", *sorted({i.split("-")[0] for i in chosen})):
        ids = [i for i in chosen if source == "all" or i.startswith(f"{source}-")]
        gt = {i: truth[i]["articleBody"] for i in ids}
        scores = [scorer.score(gt, {i: p[i] for i in ids}, n_bootstrap=0, seed=0)
                  for p in (pred, loo, crawl)]  # fmt: skip
        changed = sum(1 for i in ids if loo[i] != pred[i])
        cells = [f"{m['f1']:.4f} ({m['precision']:.3f}/{m['recall']:.3f})" for m in scores]
        print(f"{source:<12} {len(ids):>5} {changed:>7}  " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
