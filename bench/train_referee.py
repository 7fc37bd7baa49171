"""Train the body extractor's gate and referee (``models/extractor/``) and validate them per set.

For every page of the extraction sets: our body *without* the referee, readability-lxml's text,
the signals of :mod:`crawler.extract.referee` and each text's page F1 (the shared scorer's
counts). Then two logistic regressions are fitted on the **training pages only** — WCXB pages
outside extraction-dev2's ``quick`` sample (CC-BY-4.0; Dragnet's AGPL pages are never trained
on, as its README advises, and extraction-dev and Readability's pages stay unseen):

* the gate, on signals of our body alone: "readability's text would beat ours by more than
  ``--margin`` F1"; its threshold makes it fire on ``--fire`` of the training pages (the cost:
  readability runs only there);
* the referee, on signals of both texts: "readability's text is better", each page weighted
  by how much the choice matters there.

The table gives, per validation group, our F1 without and with the referee (the shared scorer's
macro F1), and how often each model said yes. ``--save`` writes the models and their card.

    .venv/bin/python bench/train_referee.py                    # collect, fit, validate
    .venv/bin/python bench/train_referee.py --signals var/referee/signals.json --save
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.extraction import NO_URL, BenchSet, find_sets  # noqa: E402
from bench.shared_data import data_root, load_scorer  # noqa: E402
from crawler.extract.referee import Logistic  # noqa: E402

TRAIN_SOURCE = "wcxb"
HELD_SAMPLE = "quick"


def page_f1(scorer: ModuleType, truth: str, pred: str) -> float:
    (tp, fp, fn), _ = scorer.page_counts(truth, pred)
    return tp / (tp + 0.5 * (fp + fn)) if tp else 0.0


def collect(data_dir: Path, scorer: ModuleType) -> dict[str, dict]:
    """Signals and page F1 of both texts, for every page of every set (minutes: one pass)."""
    from crawler.extract import NotAnArticle, extract_article, referee
    from crawler.extract.blocks import BlockIndex
    from crawler.extract.document import parse_html
    from crawler.extract.focus import prose_words
    from crawler.extract.prose import story_paragraphs

    referee.MODEL_DIR = Path("/nonexistent")  # our body alone, as the referee will see it
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


def card(gate: dict, referee: dict, rows: list[str], args: argparse.Namespace, n: int) -> str:
    import sklearn

    return "\n".join([
        "# Body extractor: gate and referee (`crawler/extract/referee.py`)",
        "",
        "Two logistic regressions, stored as plain numbers (standardisation, coefficients,",
        "threshold). The **gate** reads signals of our body against the page's story prose and",
        "says when to ask readability-lxml too; the **referee** reads signals of both texts and",
        "says when readability's text is better. Signals: `page_signals` and `pair_signals`.",
        "",
        "## Training command",
        "",
        "```sh",
        f".venv/bin/python bench/train_referee.py --margin {args.margin} --fire {args.fire} --save",
        "```",
        "",
        "## Data",
        "",
        f"Trained on the {n} WCXB pages of `../shared/data/extraction-dev2` outside its `quick`",
        "sample (WCXB v1.0 dev split, CC-BY-4.0, Murrough Foley 2026). Never trained on: Dragnet",
        "(AGPL-3.0: its README advises against building it into shipped artefacts), Readability's",
        "test pages, extraction-dev, WCXB's quick sample. Labels: the shared scorer's page F1 of",
        f"each text. Gate: readability's F1 − ours > {args.margin}; threshold set so it fires on",
        f"{args.fire:.0%} of the training pages. Referee: readability's F1 > ours, each page",
        "weighted by |difference|.",
        "",
        "## Validation (shared scorer, macro F1; groups other than the last were never seen)",
        "",
        *rows,
        "",
        "## Libraries",
        "",
        f"- scikit-learn {sklearn.__version__}, numpy {np.__version__}, "
        f"CPython {platform.python_version()}",
        "",
        f"Created {datetime.now(UTC):%Y-%m-%dT%H:%M:%S+00:00}.",
        "",
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=data_root())
    ap.add_argument("--signals", type=Path, default=REPO / "var" / "referee" / "signals.json",
                    help="cache of the collected signals (made when missing)")  # fmt: skip
    ap.add_argument("--margin", type=float, default=0.05)
    ap.add_argument("--fire", type=float, default=0.15)
    ap.add_argument("--out", type=Path, default=REPO / "models" / "extractor")
    ap.add_argument("--save", action="store_true", help="write the models and their card")
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
    if args.save:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, model in (("gate", gate), ("referee", referee)):
            (args.out / f"{name}.json").write_text(json.dumps(model, indent=1) + "\n")
        (args.out / "model-card.md").write_text(card(gate, referee, rows, args, len(train_ids)))
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
