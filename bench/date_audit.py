"""Robustness audit of the date stage: how often each source decides and is right, per half.

Two tables on ``dates-dev`` (or ``--data-dir``), each split into the seeded halves of
``bench/dates.py`` (A, where the rules were developed; B) and all pages:

1. per source (JSON-LD, meta, ``<time>``, byline, URL, htmldate, text search): on how many pages
   it states a published date, how often that date alone is the page's day, how often it
   decides the outcome and is right then, how often it is right but loses to a wrong winner;
2. per ablation (``bench/date_ablations.py``): accuracy with that one rule or source off, and
   the pages it changes, so a rule that helps only the half it was written from stands out.

    .venv/bin/python bench/date_audit.py [--data-dir DIR] [--only NAME,...] [--no-sources]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.date_ablations import ABLATIONS, ablated  # noqa: E402
from bench.dates import default_data_dir, half_of, load_pages  # noqa: E402

SOURCES = ("jsonld", "meta", "time-tag", "byline", "url", "htmldate", "text")
GROUPS = ("A", "B", "all")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def source_days(html: bytes, url: str, fetched: datetime) -> dict[str, date | None]:
    """Each source's published day on its own, as the page writes it (no vote)."""
    from crawler.extract.bylines import byline_dates
    from crawler.extract.document import decode_html, parse_html
    from crawler.extract.metadata import read_metadata
    from crawler.extract.textdate import htmldate_day, text_date

    tree = parse_html(decode_html(html))
    meta = read_metadata(tree, url)
    days: dict[str, date | None] = {}
    for name in ("jsonld", "meta", "time-tag", "url"):
        published = meta.dates.get(name, (None, None))[0]
        days[name] = published.date() if published else None
    byline = byline_dates(tree, fetched, us=meta.us_dates)
    days["byline"] = byline.published.date() if byline.published else None
    found = htmldate_day(tree, fetched, extensive=False)
    days["htmldate"] = found.date() if found else None
    text = text_date(tree, fetched, (meta.language,))
    days["text"] = text.date() if text else None
    return days


def decide(pages: dict[str, bytes], truth: dict[str, Any], fetched_at: str) -> dict[str, Any]:
    """page id -> (day as the page states it, source) from ``page_dates``."""
    from crawler.extract.pubdate import page_dates

    out = {}
    for page_id, html in pages.items():
        dated = page_dates(html, truth[page_id].get("url") or "", {"fetched_at": fetched_at})
        out[page_id] = (_day(dated.published_local), dated.source)
    return out


def _groups(truth: dict[str, Any]) -> dict[str, list[str]]:
    halves = {h: [k for k in truth if half_of(truth[k].get("url", "")) == h] for h in "AB"}
    return {**halves, "all": sorted(truth)}


def _per_group(ids: dict[str, list[str]], hit: Callable[[str], bool]) -> list[int]:
    return [sum(1 for k in ids[g] if hit(k)) for g in GROUPS]


def source_table(
    pages: dict[str, bytes], truth: dict[str, Any], chosen: dict[str, Any], fetched_at: str
) -> None:
    """Print table 1 (markdown)."""
    fetched = datetime.fromisoformat(fetched_at)
    label = {k: _day(truth[k]["published"]) for k in truth}
    days = {k: source_days(html, truth[k].get("url") or "", fetched) for k, html in pages.items()}
    ids = _groups(truth)
    print("\n| source | states A / B / all | right alone A / B / all | decides A / B / all "
          "| right when deciding A / B / all | right but outvoted A / B / all |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for name in SOURCES:

        def states(k: str, n: str = name) -> bool:
            return days[k][n] is not None

        def right(k: str, n: str = name) -> bool:
            return days[k][n] is not None and days[k][n] == label[k]

        def decides(k: str, n: str = name) -> bool:
            return chosen[k][1] == n

        def won(k: str, n: str = name) -> bool:
            return decides(k, n) and chosen[k][0] == label[k]

        def lost(k: str, n: str = name) -> bool:
            return right(k, n) and chosen[k][0] != label[k]

        columns = (states, right, decides, won, lost)
        cells = (" / ".join(str(c) for c in _per_group(ids, f)) for f in columns)
        print(f"| {name} | {' | '.join(cells)} |")
    undated = _per_group(ids, lambda k: chosen[k][0] is None)
    print(f"\nundated A / B / all: {' / '.join(map(str, undated))}")


def ablation_table(
    pages: dict[str, bytes], truth: dict[str, Any], full: dict[str, Any], names: list[str],
    fetched_at: str,
) -> None:  # fmt: skip
    """Print table 2 (markdown): accuracy with each rule off, and the pages it changes."""
    label = {k: _day(truth[k]["published"]) for k in truth}
    ids = _groups(truth)

    def accuracy(result: dict[str, Any]) -> list[str]:
        return [
            f"{sum(result[k][0] == label[k] for k in ids[g]) / len(ids[g]):.3f}" for g in GROUPS
        ]

    print("\n| without | A | B | all | pages changed A / B | right→wrong A / B "
          "| wrong→right A / B |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    print(f"| (nothing: as shipped) | {' | '.join(accuracy(full))} | | | |")
    for name in names:
        with ablated([name]):
            result = decide(pages, truth, fetched_at)
        changed = {k for k in truth if result[k][0] != full[k][0]}
        lost = {k for k in changed if full[k][0] == label[k]}
        gained = {k for k in changed if result[k][0] == label[k]}

        def split(keys: set[str]) -> str:
            return " / ".join(str(len(keys & set(ids[h]))) for h in "AB")

        print(f"| {name} | {' | '.join(accuracy(result))} | {split(changed)} | {split(lost)} "
              f"| {split(gained)} |")  # fmt: skip
        for k in sorted(changed):
            print(f"<!-- {name}: {half_of(truth[k].get('url', ''))} {k} label={label[k]} "
                  f"shipped={full[k][0]} ({full[k][1]}) without={result[k][0]} "
                  f"({result[k][1]}) -->", file=sys.stderr)  # fmt: skip


def unlabelled_table(data_dir: Path, names: list[str], fetched_at: str) -> None:
    """Print table 3 (markdown): on the extraction sets (no date truth), the pages each rule
    changes, and on those which answer trafilatura's metadata date (a third reader) agrees with.
    """
    from trafilatura import extract_metadata

    from bench.extraction import BenchSet, find_sets

    pages: dict[str, str] = {}
    urls: dict[str, dict[str, str]] = {}
    for folder in find_sets(data_dir):
        bench_set = BenchSet.load(folder, None)
        for page_id, html in bench_set.pages.items():
            pages[f"{folder.name}/{page_id}"] = html
            urls[f"{folder.name}/{page_id}"] = {"url": bench_set.url(page_id) or ""}
    full = decide(pages, urls, fetched_at)
    print(f"\n{len(pages)} pages of {', '.join(f.name for f in find_sets(data_dir))}")
    print("\n| without | pages changed | trafilatura agrees: shipped / without / neither |")
    print("|---|---|---|")
    for name in names:
        with ablated([name]):
            result = decide({k: pages[k] for k in pages}, urls, fetched_at)
        changed = sorted(k for k in pages if result[k][0] != full[k][0])
        agree = [0, 0, 0]
        for k in changed:
            meta = extract_metadata(pages[k])
            other = _day(meta.date) if meta is not None and meta.date else None
            agree[0 if other == full[k][0] else 1 if other == result[k][0] else 2] += 1
            print(f"<!-- {name}: {k} shipped={full[k][0]} ({full[k][1]}) without={result[k][0]} "
                  f"({result[k][1]}) trafilatura={other} {urls[k]['url']} -->", file=sys.stderr)
        print(f"| {name} | {len(changed)} | {' / '.join(map(str, agree))} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=default_data_dir())
    ap.add_argument("--only", help="comma-separated ablations (default: all of them)")
    ap.add_argument("--no-sources", action="store_true", help="skip the per-source table")
    ap.add_argument("--no-ablations", action="store_true", help="skip the ablation table")
    ap.add_argument("--unlabelled", type=Path, metavar="DIR",
                    help="instead: the ablations on the extraction sets in DIR (no date truth)")
    args = ap.parse_args(argv)

    fetched_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    names = args.only.split(",") if args.only else list(ABLATIONS)
    if args.unlabelled:
        unlabelled_table(args.unlabelled, names, fetched_at)
        return 0
    truth, pages = load_pages(args.data_dir)
    full = decide(pages, truth, fetched_at)
    if not args.no_sources:
        source_table(pages, truth, full, fetched_at)
    if not args.no_ablations:
        ablation_table(pages, truth, full, names, fetched_at)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
