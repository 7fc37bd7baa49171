"""Whole-record output of two code versions on every page, and what changed between them.

An output-changing speed cut is judged page by page, not only by a set's mean F1: this dumps
the record ``extract_article`` builds (fixed ``fetched_at``) for every page of the sets it is
given, as sorted JSON, and compares two dumps: pages whose record changed, which fields, and for
changed bodies how their F1 against the set's ground truth moved (the shared scorer's per-page
counts), with how many pages got better and worse.

    # dump with the code on PYTHONPATH (a worktree, or main from `git archive`)
    PYTHONPATH=/tmp/main .venv/bin/python bench/record_diff.py dump /tmp/main.json
    # --tagged: each record tagged too (topics, entities, explanations), in the crawl's batches
    PYTHONPATH=/tmp/main .venv/bin/python bench/record_diff.py dump --tagged /tmp/main.json
    .venv/bin/python bench/record_diff.py dump /tmp/branch.json
    .venv/bin/python bench/record_diff.py compare /tmp/main.json /tmp/branch.json
    # CPU ms a page of the whole record (every 4th page; a warm pass, then the timed one):
    # alternate the two versions in fresh processes
    PYTHONPATH=/tmp/main .venv/bin/python bench/record_diff.py cpu --every 4
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SETS = ("extraction-dev", "extraction-dev2", "dates-dev")
FETCHED_AT = "2026-12-07T00:00:00Z"
#: A page's F1 moved when it changed by more than this.
MOVED = 0.01
#: The record's date fields: a body change must leave them alone.
DATE_FIELDS = ("published_at", "updated_at", "date_source")
#: What a page with no known URL is extracted as (as in bench/extraction.py).
NO_URL = "file:///page.html"


def _pages(data: Path, name: str) -> list[tuple[str, str, str]]:
    """(key, url, html) of every page of set ``name``."""
    truth = json.loads((data / name / "ground-truth.json").read_text())
    pages = []
    for page_id, entry in sorted(truth.items()):
        path = data / name / "html" / f"{page_id}.html.gz"
        if not path.is_file():
            continue
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        pages.append((f"{name}/{page_id}", entry.get("url") or NO_URL, html))
    return pages


def dump(out: Path, data: Path, tagged: bool = False) -> None:
    """Write every page's record (or its rejection reason) as sorted JSON; ``tagged``: tagged
    by the default model, in batches of the crawl's size, in page order."""
    from crawler.extract import extract_article
    from crawler.extract.errors import NotAnArticle

    records: dict[str, dict[str, object]] = {}
    for name in SETS:
        for key, url, html in _pages(data, name):
            try:
                records[key] = dict(extract_article(html, url, {"fetched_at": FETCHED_AT}))
            except NotAnArticle as exc:
                records[key] = {"rejected": str(exc)}
    if tagged:
        _tag([r for r in records.values() if "rejected" not in r])
    out.write_text(json.dumps(records, sort_keys=True, ensure_ascii=False, indent=0))
    print(f"{len(records)} records -> {out} (code from {sys.modules['crawler'].__file__})")


def _tag(records: list[dict[str, object]]) -> None:
    """Tag ``records`` in place as a crawl's worker does: the default model, batches of the
    pool's size."""
    import tempfile

    from classifier.tagger import Tagger
    from crawler.run.workers import DEFAULT_MAX_BATCH
    from tidings.core.config import Settings

    with tempfile.TemporaryDirectory() as home:
        tagger = Tagger.load(Settings.from_env(home=home).model_dir)
    for k in range(0, len(records), DEFAULT_MAX_BATCH):
        tagger.tag(records[k : k + DEFAULT_MAX_BATCH])


def cpu(data: Path, every: int) -> None:
    """Print the CPU milliseconds a page of ``extract_article`` on every ``every``-th page of
    the sets, the fastest of two passes after a warm one (imports and first-call loads)."""
    from crawler.extract import extract_article
    from crawler.extract.errors import NotAnArticle

    pages = [page for name in SETS for page in _pages(data, name)[::every]]
    passes = []
    for _ in range(3):
        started = time.process_time()
        for _key, url, html in pages:
            with contextlib.suppress(NotAnArticle):
                extract_article(html, url, {"fetched_at": FETCHED_AT})
        passes.append((time.process_time() - started) * 1000 / len(pages))
    print(f"{len(pages)} pages, CPU ms a page: {min(passes[1:]):.2f} "
          f"(warm pass {passes[0]:.2f}; code from {sys.modules['crawler'].__file__})")  # fmt: skip


def compare(old_path: Path, new_path: Path, data: Path) -> None:
    """Print how many records changed, which fields, and the changed bodies' F1 movement."""
    sys.path.insert(0, str(REPO))
    from bench.shared_data import load_scorer

    scorer = load_scorer("extraction_score.py", data)
    old, new = json.loads(old_path.read_text()), json.loads(new_path.read_text())
    truths = {n: json.loads((data / n / "ground-truth.json").read_text()) for n in SETS}
    fields: dict[str, int] = {}
    rows = []
    for key in sorted(old):
        a, b = old[key], new.get(key)
        if a == b:
            continue
        for field in sorted(set(a) | set(b or {})):
            if a.get(field) != (b or {}).get(field):
                fields[field] = fields.get(field, 0) + 1
        name, page_id = key.split("/", 1)
        truth = truths[name][page_id].get("articleBody")
        if truth is None or a.get("body") == (b or {}).get("body"):
            continue
        f1s = [_f1(scorer, truth, r.get("body") or "") for r in (a, b or {})]
        rows.append((name, page_id, *f1s))
    changed = sum(old[k] != new.get(k) for k in old)
    print(f"{changed} of {len(old)} records changed; fields: {fields}")
    print("| set | records changed | dates changed | bodies scored, changed | worse | better "
          f"| within ±{MOVED} | mean ΔF1 over the set | worst Δ |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for name in SETS:
        keys = [k for k in old if k.startswith(name + "/")]
        records = sum(old[k] != new.get(k) for k in keys)
        dated = sum(old[k].get(f) != (new.get(k) or {}).get(f) for k in keys for f in DATE_FIELDS)
        mine = [r for r in rows if r[0] == name]
        deltas = [r[3] - r[2] for r in mine]
        worse = sum(d < -MOVED for d in deltas)
        better = sum(d > MOVED for d in deltas)
        print(f"| {name} | {records} / {len(keys)} | {dated} | {len(mine)} | {worse} | {better} | "
              f"{len(mine) - worse - better} | {sum(deltas) / max(len(keys), 1):+.4f} | "
              f"{min(deltas, default=0):+.3f} |")  # fmt: skip
    for name, page_id, f_old, f_new in sorted(rows, key=lambda r: r[3] - r[2])[:15]:
        print(f"  {name}/{page_id}: {f_old:.3f} -> {f_new:.3f}")


def _f1(scorer: object, truth: str, text: str) -> float:
    """One page's F1 by the shared scorer's own per-page counts."""
    (tp, fp, fn), _exact = scorer.page_counts(truth, text)  # type: ignore[attr-defined]
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["dump", "compare", "cpu"])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--every", type=int, default=4, help="cpu: every N-th page of each set")
    parser.add_argument("--tagged", action="store_true", help="dump: tag the records too")
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_intermixed_args()
    if args.mode == "cpu":
        cpu(args.data_dir, args.every)
    elif args.mode == "dump":
        dump(args.files[0], args.data_dir, args.tagged)
    else:
        compare(args.files[0], args.files[1], args.data_dir)


if __name__ == "__main__":
    main()
