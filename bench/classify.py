"""Benchmark the topic model against the TF-IDF + LinearSVC baseline on BBC and AG News.

Prints one row per (corpus, model): micro-F1, macro-F1, accuracy, train seconds and inference
docs/s, averaged over seeded stratified folds (both models see the same folds).

    .venv/bin/python bench/classify.py [--data-dir ../shared/data] [--folds 5] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifier.converters import convert_agnews, convert_bbc  # noqa: E402
from classifier.evaluate import cross_validate  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("TIDINGS_DATA_DIR", DEFAULT_DATA)),
        help="folder holding bbc/ and ag_news/ (default $TIDINGS_DATA_DIR or ../shared/data)",
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", choices=("bbc", "ag_news"), action="append")
    args = parser.parse_args(argv)
    loaders = {
        "bbc": lambda: convert_bbc(args.data_dir / "bbc"),
        "ag_news": lambda: convert_agnews(args.data_dir / "ag_news" / "test.csv"),
    }
    header = (
        f"{'corpus':<8} {'model':<9} {'micro-F1':>9} {'macro-F1':>9} {'accuracy':>9} "
        f"{'train s':>8} {'docs/s':>8}"
    )
    print(f"{args.folds}-fold stratified CV, seed {args.seed}, data {args.data_dir}")
    print(header)
    print("-" * len(header))
    start = time.perf_counter()
    for corpus in args.corpus or list(loaders):
        records = loaders[corpus]()
        result = cross_validate(records, args.folds, args.seed)
        for kind in ("ours", "baseline"):
            m = result[kind]
            print(
                f"{corpus:<8} {kind:<9} {m['micro_f1']:>9.4f} {m['macro_f1']:>9.4f} "
                f"{m['accuracy']:>9.4f} {m['train_seconds']:>8.1f} {m['docs_per_second']:>8.0f}",
                flush=True,
            )
    print(f"({time.perf_counter() - start:.0f} s; train s is per fold, on 1 core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
