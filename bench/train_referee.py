"""Train a gate and a referee between our body and readability-lxml's; validate them per set.

For every page of the extraction sets: our body *without* the referee, readability-lxml's text,
the signals of :mod:`bench.referee_signals` and each text's page F1 (the shared scorer's
counts). Then two logistic regressions are fitted on the **training pages only** — WCXB pages
outside extraction-dev2's ``quick`` sample (CC-BY-4.0; Dragnet's AGPL pages are never trained
on, as its README advises, and extraction-dev and Readability's pages stay unseen):

* the gate, on signals of our body alone: "readability's text would beat ours by more than
  ``--margin`` F1"; its threshold makes it fire on ``--fire`` of the training pages (the cost:
  readability runs only there);
* the referee, on signals of both texts: "readability's text is better", each page weighted
  by how much the choice matters there.

The table gives, per validation group, our F1 without and with the referee (the shared scorer's
macro F1), and how often each model said yes. Nothing is shipped: on the unseen sets the pair did
not hold (docs/benchmarks.md, Extraction), so the crawler does not use it.

    .venv/bin/python bench/train_referee.py                    # collect (cached), fit, validate
    .venv/bin/python bench/train_referee.py --margin 0.05 --fire 0.15
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.extraction import NO_URL, BenchSet, find_sets  # noqa: E402
from bench.referee_signals import Logistic  # noqa: E402
from bench.shared_data import data_root, load_scorer  # noqa: E402

TRAIN_SOURCE = "wcxb"
HELD_SAMPLE = "quick"


def page_f1(scorer: ModuleType, truth: str, pred: str) -> float:
    (tp, fp, fn), _ = scorer.page_counts(truth, pred)
    return tp / (tp + 0.5 * (fp + fn)) if tp else 0.0


def collect(data_dir: Path, scorer: ModuleType) -> dict[str, dict]:
    """Signals and page F1 of both texts, for every page of every set (minutes: one pass)."""
    from bench import referee_signals as referee
    from crawler.extract import NotAnArticle, extract_article
    from crawler.extract.blocks import BlockIndex
    from crawler.extract.document import parse_html
    from crawler.extract.focus import prose_words
    from crawler.extract.prose import story_paragraphs

    out: dict[str, dict] = {}
    for folder in find_sets(data_dir):
        bench = BenchSet.load(folder, None)
        ids_dir = folder / "ids"
        sample = ids_dir / f"{HELD_SAMPLE}.json"
        held = set(json.loads(sample.read_text(encoding="utf-8"))) if sample.is_file() else set()
        source_of = {i: g for g, ids in bench.groups.items() if g != "all" for i in ids}
        for page_id, html in bench.pages.items():
            try:
                ours = extract_article(html, bench.url(page_id) or NO_URL)["body"]
            except NotAnArticle:
                ours = ""
            tree = parse_html(html)
            paragraphs = story_paragraphs(tree)
            prose = referee.prose_by_text(paragraphs)
            words = prose_words(tree, paragraphs)
            index = BlockIndex.build(tree)
            theirs = referee.readability_text(tree)
            mine, other = (referee.TextSignals.of(t, index, prose) for t in (ours, theirs))
            truth = bench.truth[page_id]["articleBody"] or ""
            out[page_id] = {
                "set": folder.name,
                "source": source_of.get(page_id, folder.name),
                "sample": page_id in held,
                "gate": referee.page_signals(mine, words),
                "pair": referee.pair_signals(ours, mine, theirs, other, words),
                "f1_ours": page_f1(scorer, truth, ours),
                "f1_theirs": page_f1(scorer, truth, theirs),
                "ours": ours,
                "theirs": theirs,
            }
    return out


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None) -> dict:
    """A standardised logistic regression as plain numbers (what ``referee.Logistic`` loads)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    model = LogisticRegression(max_iter=1000).fit(scaler.transform(x), y, sample_weight=weight)
    return {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
            "coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0]),
            "threshold": 0.5}  # fmt: skip


def train(signals: dict[str, dict], margin: float, fire: float) -> tuple[dict, dict, list[str]]:
    """(gate, referee, training page ids)."""
    ids = [i for i, s in signals.items() if s["source"] == TRAIN_SOURCE and not s["sample"]]
    gain = np.array([signals[i]["f1_theirs"] - signals[i]["f1_ours"] for i in ids])
    gate = fit(np.array([signals[i]["gate"] for i in ids]), (gain > margin).astype(int))
    said = np.array([Logistic.of(gate).probability(signals[i]["gate"]) for i in ids])
    gate["threshold"] = float(np.quantile(said, 1 - fire))
    pair = np.array([signals[i]["pair"] for i in ids])
    referee = fit(pair, (gain > 0).astype(int), np.abs(gain) + 1e-3)
    return gate, referee, ids


def groups(signals: dict[str, dict], train_ids: list[str]) -> dict[str, list[str]]:
    """Validation groups (never trained on), then the training pages for reference."""
    found: dict[str, list[str]] = {}
    for page_id, s in sorted(signals.items()):
        found.setdefault(f"{s['set']} {s['source']}", []).append(page_id)
        if s["sample"]:
            found.setdefault(f"{s['set']}/{HELD_SAMPLE} {s['source']}", []).append(page_id)
    trained = set(train_ids)
    out = {name: ids for name, ids in found.items() if not trained & set(ids)}
    out[f"training ({TRAIN_SOURCE} outside {HELD_SAMPLE})"] = train_ids
    return out


def table(signals: dict, gate: dict, referee: dict, truth: dict[str, str], scorer: ModuleType,
          train_ids: list[str]) -> list[str]:  # fmt: skip
    lines = ["| group | pages | ours alone | with referee | Δ | gate fired | readability kept |",
             "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    asks, decides = Logistic.of(gate), Logistic.of(referee)
    for name, ids in groups(signals, train_ids).items():
        fired = {i for i in ids if asks.says_yes(signals[i]["gate"])}
        kept = {i for i in fired if decides.says_yes(signals[i]["pair"])}
        alone = {i: signals[i]["ours"] for i in ids}
        chosen = {i: signals[i]["theirs"] if i in kept else signals[i]["ours"] for i in ids}
        subset = {i: truth[i] for i in ids}
        before = scorer.score(subset, alone, n_bootstrap=0)["f1"]
        after = scorer.score(subset, chosen, n_bootstrap=0)["f1"]
        lines.append(f"| {name} | {len(ids)} | {before:.4f} | {after:.4f} | {after - before:+.4f} "
                     f"| {len(fired) / len(ids):.3f} | {len(kept)} |")  # fmt: skip
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=data_root())
    ap.add_argument("--signals", type=Path, default=REPO / "var" / "referee" / "signals.json",
                    help="cache of the collected signals (made when missing)")  # fmt: skip
    ap.add_argument("--margin", type=float, default=0.05)
    ap.add_argument("--fire", type=float, default=0.15)
    args = ap.parse_args(argv)

    scorer = load_scorer("extraction_score.py", args.data_dir)
    if args.signals.is_file():
        signals = json.loads(args.signals.read_text(encoding="utf-8"))
    else:
        signals = collect(args.data_dir, scorer)
        args.signals.parent.mkdir(parents=True, exist_ok=True)
        args.signals.write_text(json.dumps(signals, ensure_ascii=False))
    truth = {}
    for folder in find_sets(args.data_dir):
        data = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        truth.update({i: v["articleBody"] or "" for i, v in data.items()})
    gate, referee, train_ids = train(signals, args.margin, args.fire)
    rows = table(signals, gate, referee, truth, scorer, train_ids)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
