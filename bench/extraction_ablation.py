"""Ablation of our body rules on every extraction set, in one pass: what each rule is worth.

For each page the record is built once with every rule on, and each rule of
``bench/extraction.py``'s ``ABLATIONS`` is watched: a rule *fires* on a page when its result
differs from what its switched-off stand-in would have returned there. Only on those pages is the
page extracted again with that one rule off; elsewhere switching it off cannot change the body
(the pipeline is deterministic), so the all-rules body stands. The figures are therefore those
of ``bench/extraction.py --only-ours --without RULE`` run once per rule, at a fraction of the
time. Groups: each set, each source of a set with ``ids/``, and the quick sample's and the rest's
part of each source (the sample is what tuning looked at; the rest was never looked at).

    .venv/bin/python bench/extraction_ablation.py            # every set under ../shared/data
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.extraction import ABLATIONS, BenchSet, Ours, find_sets  # noqa: E402
from bench.shared_data import data_root, load_scorer  # noqa: E402

#: The body-module name whose value decides the link guard (a threshold, not a function).
LINK_GUARD = "link-guard"


class Watch:
    """Wraps the body rules so that one extraction says which of them fired on the page."""

    def __init__(self) -> None:
        from crawler.extract import body

        self.body = body
        self.fired: set[str] = set()
        self.originals = {name: getattr(body, name) for name, _ in ABLATIONS.values()}
        self.originals["link_share"] = body.link_share
        for rule, (name, stand_in) in ABLATIONS.items():
            if callable(stand_in):
                setattr(body, name, self._watched(rule, self.originals[name], stand_in))
        body.link_share = self._watched_link_share()

    def _watched(self, rule: str, real: Callable[..., Any], stand_in: Callable[..., Any]):
        def watched(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            if result != stand_in(*args, **kwargs):
                self.fired.add(rule)
            return result

        return watched

    def _watched_link_share(self) -> Callable[..., float]:
        real = self.originals["link_share"]

        def watched(*args: Any, **kwargs: Any) -> float:
            share = real(*args, **kwargs)
            if share > self.originals["MOSTLY_LINKS"]:
                self.fired.add(LINK_GUARD)
            return share

        return watched

    def without(self, rule: str) -> dict[str, Any]:
        """Switch ``rule`` off (the others stay watched); returns what to restore."""
        name, stand_in = ABLATIONS[rule]
        saved = {name: getattr(self.body, name)}
        setattr(self.body, name, stand_in)
        return saved

    def restore(self, saved: dict[str, Any]) -> None:
        for name, value in saved.items():
            setattr(self.body, name, value)


def ablate(bench: BenchSet, ours: Ours, watch: Watch) -> dict[str, dict[str, str]]:
    """Bodies per variant ('all rules' and one per rule switched off) for every page."""
    preds: dict[str, dict[str, str]] = {"all rules": {}, **{rule: {} for rule in ABLATIONS}}
    for page_id, html in bench.pages.items():
        watch.fired = set()
        text = ours(html, bench.url(page_id))
        fired = set(watch.fired)
        preds["all rules"][page_id] = text
        for rule in ABLATIONS:
            if rule not in fired:
                preds[rule][page_id] = text
                continue
            saved = watch.without(rule)
            try:
                preds[rule][page_id] = ours(html, bench.url(page_id))
            finally:
                watch.restore(saved)
        for rule in fired:
            preds.setdefault(f"fired:{rule}", {})[page_id] = "1"
    return preds


def groups_of(bench: BenchSet, folder: Path) -> dict[str, list[str]]:
    """The set's groups, plus each source split into the quick sample and the rest."""
    groups = dict(bench.groups)
    sample = folder / "ids" / "quick.json"
    if sample.is_file():
        quick = set(json.loads(sample.read_text(encoding="utf-8")))
        for source, ids in bench.groups.items():
            if source == "all":
                continue
            groups[f"{source} quick"] = [i for i in ids if i in quick]
            groups[f"{source} rest"] = [i for i in ids if i not in quick]
    return {name: ids for name, ids in groups.items() if ids}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=data_root())
    ap.add_argument("--out", type=Path, default=REPO / "var" / "bench-extraction-ablation")
    args = ap.parse_args(argv)
    folders = find_sets(args.data_dir)
    if not folders:
        print(f"error: no extraction set in {args.data_dir}", file=sys.stderr)
        return 2
    scorer = load_scorer("extraction_score.py", args.data_dir)
    ours, watch = Ours(), Watch()
    args.out.mkdir(parents=True, exist_ok=True)
    variants = ["all rules", *ABLATIONS]
    print(f"{'set':<16} {'group':<18} {'pages':>5}  " + " ".join(f"{v:>14}" for v in variants))
    for folder in folders:
        bench = BenchSet.load(folder, None)
        preds = ablate(bench, ours, watch)
        (args.out / f"{bench.name}.json").write_text(json.dumps(preds, ensure_ascii=False))
        for group, ids in groups_of(bench, folder).items():
            truth = bench.texts(ids)
            f1 = {v: scorer.score(truth, preds[v], n_bootstrap=0)["f1"] for v in variants}
            cells = [f"{f1['all rules']:.4f}"]
            for rule in ABLATIONS:
                fired = sum(1 for i in ids if i in preds.get(f"fired:{rule}", {}))
                cells.append(f"{f1[rule] - f1['all rules']:+.4f} ({fired})")
            print(f"{bench.name:<16} {group:<18} {len(ids):>5}  "
                  + " ".join(f"{c:>14}" for c in cells))  # fmt: skip
    print("\ncells: F1 with every rule, then F1 change with that rule off (pages it fired on)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
