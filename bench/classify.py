"""Benchmark the topic model against the TF-IDF + LinearSVC baseline on BBC, AG News and a
synthetic multi-label corpus built from both.

Prints one row per (corpus, model): micro-F1, macro-F1, accuracy, per-fold accuracy, train
seconds and inference docs/s, averaged over seeded stratified folds (every model sees the same
folds, in the same run). ``--ablate`` adds one row per model variant (what each choice is worth).

    .venv/bin/python bench/classify.py [--data-dir ../shared/data] [--folds 5] [--seed 0]
        [--corpus bbc|ag_news|multi ...] [--ablate] [--json OUT]
    .venv/bin/python bench/classify.py --speed     # train time on ~10k docs, docs/s on BBC
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.shared_data import data_root  # noqa: E402
from classifier.converters import convert_agnews, convert_bbc  # noqa: E402
from classifier.evaluate import cross_validate, train_baseline, train_ours  # noqa: E402
from classifier.labelled import LabelledRecord  # noqa: E402
from classifier.model import ModelConfig, TopicModel  # noqa: E402
from classifier.text import record_pair  # noqa: E402

VARIANTS: dict[str, ModelConfig | None] = {
    "ours": None,
    "words": ModelConfig(members=("words",)),
    "words+chars": ModelConfig(members=("words", "chars")),
    "words+nb": ModelConfig(members=("words", "nb")),
    "ours C=1": ModelConfig(c_grid=(1.0,)),
}


def multi_label(bbc: list[LabelledRecord], ag: list[LabelledRecord], n: int = 3000, seed: int = 0
                ) -> list[LabelledRecord]:  # fmt: skip
    """A multi-label check: 40% of documents are two stories of different labels joined."""
    rng = random.Random(seed)
    pool = bbc + rng.sample(ag, len(bbc))
    out: list[LabelledRecord] = []
    for i in range(n):
        a = rng.choice(pool)
        if rng.random() < 0.4:
            b = rng.choice([r for r in rng.sample(pool, 20) if r["topics"] != a["topics"]])
            out.append({
                "id": f"multi-{i}", "title": f"{a['title']}; {b['title']}",
                "text": f"{a['text']}\n\n{b['text']}", "topics": sorted(a["topics"] + b["topics"]),
            })  # fmt: skip
        else:
            out.append({**a, "id": f"multi-{i}"})
    return out


def speed(bbc: list[LabelledRecord], ag: list[LabelledRecord], batch: int = 500) -> None:
    """Train seconds on BBC + AG (~10k docs) and inference docs/s on BBC, ours vs baseline.

    Inference is the best of 3 passes over all 2,225 BBC documents in batches of ``batch``
    (both models trained on them: the speed of predicting, not a quality figure).
    """
    corpus = bbc + ag
    for name, train in (("ours", train_ours), ("baseline", train_baseline)):
        cpu, wall = time.process_time(), time.perf_counter()
        model = train(corpus)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        best = 0.0
        for _ in range(3):
            start = time.perf_counter()
            for i in range(0, len(bbc), batch):
                chunk = bbc[i : i + batch]
                if isinstance(model, TopicModel):
                    model.predict([record_pair(r) for r in chunk])
                else:
                    model.predict(chunk)
            best = max(best, len(bbc) / (time.perf_counter() - start))
        print(
            f"speed {name:<9} train {len(corpus)} docs: {wall:5.1f} s wall, {cpu:5.1f} s CPU; "
            f"inference on BBC: {best:6.0f} docs/s (batches of {batch}, best of 3)",
            flush=True,
        )


def skewed(records: list[LabelledRecord], keep: dict[str, int] | None = None
           ) -> list[LabelledRecord]:  # fmt: skip
    """Reuters-like skew: keep only a few documents carrying the given (rare) labels."""
    left = dict(keep or {"entertainment": 40, "politics": 80})
    out = []
    for r in records:
        rare = [t for t in r["topics"] if t in left]
        if rare and any(left[t] <= 0 for t in rare):
            continue
        for t in rare:
            left[t] -= 1
        out.append(r)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=data_root(),
        help="folder holding bbc/ and ag_news/ (default $TIDINGS_DATA_DIR or ../shared/data)",
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--corpus", choices=("bbc", "ag_news", "multi", "multi-skewed"), action="append"
    )
    parser.add_argument("--ablate", action="store_true", help="also run the model variants")
    parser.add_argument("--json", type=Path, help="write all results as JSON here")
    parser.add_argument("--speed", action="store_true", help="only the speed figures")
    args = parser.parse_args(argv)
    bbc_dir, ag_csv = args.data_dir / "bbc", args.data_dir / "ag_news" / "test.csv"
    loaders = {
        "bbc": lambda: convert_bbc(bbc_dir),
        "ag_news": lambda: convert_agnews(ag_csv),
        "multi": lambda: multi_label(convert_bbc(bbc_dir), convert_agnews(ag_csv)),
        "multi-skewed": lambda: skewed(multi_label(convert_bbc(bbc_dir), convert_agnews(ag_csv))),
    }
    if args.speed:
        speed(convert_bbc(bbc_dir), convert_agnews(ag_csv))
        return 0
    variants = VARIANTS if args.ablate else {"ours": None}
    header = (
        f"{'corpus':<12} {'model':<12} {'micro-F1':>9} {'macro-F1':>9} {'accuracy':>9} "
        f"{'train s':>8} {'docs/s':>8}  per-fold accuracy"
    )
    print(f"{args.folds}-fold stratified CV, seed {args.seed}, data {args.data_dir}")
    print(header)
    print("-" * len(header))
    start = time.perf_counter()
    everything: dict[str, object] = {}
    for corpus in args.corpus or ["bbc", "ag_news", "multi", "multi-skewed"]:
        records = loaders[corpus]()
        result = cross_validate(records, args.folds, args.seed, variants=variants)
        for summary in result.values():
            summary.pop("gold"), summary.pop("pred")
        everything[corpus] = result
        for kind, m in result.items():
            folds = " ".join(f"{a:.4f}" for a in m["fold_accuracy"])
            print(
                f"{corpus:<12} {kind:<12} {m['micro_f1']:>9.4f} {m['macro_f1']:>9.4f} "
                f"{m['accuracy']:>9.4f} {m['train_seconds']:>8.1f} {m['docs_per_second']:>8.0f}"
                f"  {folds}",
                flush=True,
            )
    print(f"({time.perf_counter() - start:.0f} s; train s is per fold)")
    if args.json:
        args.json.write_text(json.dumps(everything, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
