"""``tidings train``, ``tidings evaluate`` and ``tidings convert``: the topic-model commands.

Thin wrappers: the work lives in :mod:`classifier`; here arguments are checked and library
errors become one-line :class:`UsageError` messages (exit code 2).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from tidings.cli.common import existing_file, settings_from
from tidings.cli.errors import UsageError


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _metrics_table(m: dict[str, Any]) -> str:
    rows = [f"{'label':<16} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>8}"]
    for label, v in sorted(m["per_label"].items()):
        rows.append(
            f"{label:<16} {v['precision']:>9.4f} {v['recall']:>9.4f} {v['f1']:>9.4f} "
            f"{v['support']:>8d}"
        )
    rows.append(
        f"n={m['n']}  accuracy={m['accuracy']:.4f}  micro_f1={m['micro_f1']:.4f}  "
        f"macro_f1={m['macro_f1']:.4f}"
    )
    return "\n".join(rows)


def _train_command(args: argparse.Namespace) -> str:
    parts = ["tidings", "train", "--data", str(args.data), "--out", str(args.out)]
    if args.cv:
        parts += ["--cv", str(args.cv)]
    for path in args.cv_data:
        parts += ["--cv-data", str(path)]
    for path in args.source:
        parts += ["--source", str(path)]
    if args.seed:
        parts += ["--seed", str(args.seed)]
    command = shlex.join(parts)
    return f"{args.recipe} && {command}" if args.recipe else command


def cmd_train(args: argparse.Namespace) -> int:
    from classifier.labelled import LabelledDataError
    from classifier.training import train_to_dir

    data = existing_file(args.data, "training data")
    cv_data = [existing_file(p, "cross-validation data") for p in args.cv_data]
    sources = [Path(p) for p in args.source]
    missing = [str(p) for p in sources if not p.exists()]
    if missing:
        raise UsageError(f"source not found: {missing[0]}")
    if args.cv == 1 or args.cv < 0:
        raise UsageError("--cv must be 0 (off) or at least 2")
    try:
        meta = train_to_dir(
            data,
            Path(args.out),
            cv_folds=args.cv,
            cv_data=cv_data,
            sources=sources,
            seed=args.seed,
            command=_train_command(args),
            progress=_say,
        )
    except (LabelledDataError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    print(f"model {meta['version']} -> {args.out}")
    print("out-of-fold metrics on the training data:")
    print(_metrics_table(meta["oof_metrics"]))
    for corpus, result in meta["cross_validation"].items():
        for kind, m in result.items():
            print(
                f"cv {corpus} {kind}: accuracy {m['accuracy']:.4f} ± {m['accuracy_std']:.4f}  "
                f"macro_f1 {m['macro_f1']:.4f}  micro_f1 {m['micro_f1']:.4f}"
            )
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from classifier.artifact import ModelLoadError, load_model
    from classifier.evaluate import evaluate_model
    from classifier.labelled import LabelledDataError, read_labelled, select_split

    data = existing_file(args.data, "evaluation data")
    model_dir = Path(args.model) if args.model else settings_from(args).model_dir
    try:
        records = select_split(read_labelled(data), "test")
        loaded = load_model(model_dir)
    except (LabelledDataError, ModelLoadError) as exc:
        raise UsageError(str(exc)) from None
    if not records:
        raise UsageError(f"{data}: no records with split 'test' (or without a split)")
    known = set(loaded.model.labels)
    unseen = sorted({t for r in records for t in r["topics"]} - known)
    result = evaluate_model(loaded.model, records)
    result["model_version"] = loaded.version
    result["unseen_labels"] = unseen
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"model {loaded.version} on {data} ({result['n']} records)")
        print(_metrics_table(result))
    if unseen:
        n = sum(1 for r in records if set(r["topics"]) - known)
        _say(
            f"note: {n} record(s) carry label(s) the model was not trained on "
            f"({', '.join(unseen)}); they count as misses"
        )
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    from classifier.converters import (
        ConversionError,
        assign_split,
        convert_agnews,
        convert_bbc,
    )
    from classifier.labelled import write_labelled

    src = Path(args.source)
    if not src.exists():
        raise UsageError(f"source not found: {src}")
    if not 0.0 < args.test_fraction < 1.0:
        raise UsageError("--test-fraction must be between 0 and 1")
    try:
        records = convert_bbc(src) if args.corpus == "bbc" else convert_agnews(src)
    except (ConversionError, UnicodeDecodeError) as exc:
        raise UsageError(str(exc)) from None
    if args.split_seed is not None:
        assign_split(records, args.test_fraction, args.split_seed)
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UsageError(f"output directory not found: {out.parent}")
    n = write_labelled(out, records)
    print(f"wrote {n} records to {out}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the model subcommands to the ``tidings`` parser."""
    p = subparsers.add_parser("train", help="train a topic model on labelled JSON Lines")
    p.add_argument("--data", required=True, help="labelled JSONL (split train, or no split)")
    p.add_argument("--out", required=True, help="model directory to write")
    p.add_argument("--cv", type=int, default=0, help="also K-fold cross-validate vs baseline")
    p.add_argument(
        "--cv-data",
        action="append",
        default=[],
        metavar="FILE",
        help="another labelled corpus to cross-validate on for the model card (repeatable)",
    )
    p.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="PATH",
        help="raw corpus (file or folder) behind --data, hashed into the card (repeatable)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed for folds (default 0)")
    p.add_argument("--recipe", default="", help="commands that built --data, for the card")
    p.set_defaults(func=cmd_train)

    p = subparsers.add_parser("evaluate", help="score a topic model on labelled JSON Lines")
    p.add_argument("--model", help="model directory (default: the configured model)")
    p.add_argument("--data", required=True, help="labelled JSONL (split test, or no split)")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=cmd_evaluate)

    p = subparsers.add_parser("convert", help="convert a public corpus to labelled JSONL")
    p.add_argument("corpus", choices=("bbc", "agnews"), help="corpus format")
    p.add_argument("source", help="BBC folder or AG News CSV file")
    p.add_argument("--out", required=True, help="labelled JSONL file to write")
    p.add_argument("--split-seed", type=int, help="add a seeded stratified train/test split")
    p.add_argument("--test-fraction", type=float, default=0.2, help="test share (default 0.2)")
    p.set_defaults(func=cmd_convert)
