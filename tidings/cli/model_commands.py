"""``tidings train``, ``evaluate``, ``reclassify`` and ``convert``: the topic-model commands.

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

from tidings.cli.common import check_index, existing_file, open_tagger, settings_from
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


def _comparison(ours: dict[str, Any], base: dict[str, Any] | None) -> str:
    if base is None:
        return "baseline: not trained (the data has no training records)"
    rows = [f"{'':<10} {'accuracy':>9} {'micro_f1':>9} {'macro_f1':>9}"]
    for name, m in (("ours", ours), ("baseline", base)):
        rows.append(f"{name:<10} {m['accuracy']:>9.4f} {m['micro_f1']:>9.4f} {m['macro_f1']:>9.4f}")
    delta = ours["accuracy"] - base["accuracy"]
    rows.append(f"ours - baseline: accuracy {delta:+.4f}, "
                f"micro_f1 {ours['micro_f1'] - base['micro_f1']:+.4f}")  # fmt: skip
    return "\n".join(rows)


def _load_eval_records(data: Path) -> list[Any]:
    from classifier.labelled import LabelledDataError, read_labelled

    try:
        return read_labelled(data)
    except LabelledDataError as exc:
        raise UsageError(str(exc)) from None


def _evaluate_cv(args: argparse.Namespace, records: list[Any]) -> dict[str, Any]:
    from classifier.evaluate import cross_validate

    if args.model:
        raise UsageError("--cv trains fresh models on each fold; it cannot take --model")
    if len(records) < 2 * args.cv:
        raise UsageError(f"{len(records)} records are too few for {args.cv}-fold CV")
    _say(f"{args.cv}-fold cross-validation of ours and the baseline on {len(records)} records")
    try:
        result = cross_validate(records, args.cv, args.seed, progress=_say)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    ours, base = result["ours"], result["baseline"]
    out: dict[str, Any] = {**ours.pop("pooled"), "mode": f"{args.cv}-fold cv"}
    out["folds"] = {k: v for k, v in ours.items() if k not in ("gold", "pred")}
    out["baseline"] = {**base.pop("pooled"), "folds": {
        k: v for k, v in base.items() if k not in ("gold", "pred")}}  # fmt: skip
    out["_gold"], out["_pred"] = ours["gold"], ours["pred"]
    return out


def _evaluate_holdout(args: argparse.Namespace, records: list[Any]) -> dict[str, Any]:
    from classifier.artifact import ModelLoadError, load_model
    from classifier.evaluate import evaluate_model, holdout, metrics, train_baseline, train_ours
    from classifier.text import record_pair

    if args.model:  # a saved model: every record without split "train" is test data
        train = [r for r in records if r.get("split") == "train"]
        test = [r for r in records if r.get("split", "test") == "test"]
        how = "split field" if any("split" in r for r in records) else "all records (--model)"
        try:
            loaded = load_model(Path(args.model))
        except ModelLoadError as exc:
            raise UsageError(str(exc)) from None
        model, version = loaded.model, loaded.version
    else:
        train, test, how = holdout(records, args.test_fraction, args.seed)
        if not train:
            raise UsageError(f"{args.data}: no training records (split 'train' or no split)")
        _say(f"training ours on {len(train)} records ({how})")
        try:
            model = train_ours(train, args.seed, progress=_say)
        except ValueError as exc:
            raise UsageError(f"{args.data}: {exc}") from None
        version = "(trained in this run)"
    if not test:
        raise UsageError(f"{args.data}: no records with split 'test' (or without a split)")
    result = evaluate_model(model, test)
    pred = model.predict([record_pair(r) for r in test])
    result.update({"mode": f"holdout: {how}", "model_version": version})
    base = None
    if train and len({t for r in train for t in r["topics"]}) >= 2:
        _say(f"training the baseline on {len(train)} records")
        baseline = train_baseline(train)
        base = metrics([r["topics"] for r in test], baseline.predict(test))
    result["baseline"] = base
    known = set(model.labels)
    result["unseen_labels"] = sorted({t for r in test for t in r["topics"]} - known)
    result["_gold"], result["_pred"] = [r["topics"] for r in test], pred
    result["_known"] = known
    return result


def cmd_evaluate(args: argparse.Namespace) -> int:
    from classifier.confusion import write_confusion

    data = existing_file(args.data, "evaluation data")
    if args.cv == 1 or args.cv < 0:
        raise UsageError("--cv must be 0 (holdout) or at least 2")
    if not 0.0 < args.test_fraction < 1.0:
        raise UsageError("--test-fraction must be between 0 and 1")
    records = _load_eval_records(data)
    result = _evaluate_cv(args, records) if args.cv else _evaluate_holdout(args, records)
    gold, pred = result.pop("_gold"), result.pop("_pred")
    known = result.pop("_known", None)
    if args.confusion_out:
        paths = write_confusion(gold, pred, Path(args.confusion_out), f"{data.name}: ours")
        result["confusion"] = [str(p) for p in paths]
        if len(paths) == 1:
            _say("note: matplotlib is not installed, so only confusion.txt was written")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{data} ({result['n']} records, {result['mode']})")
        print(_metrics_table(result))
        print(_comparison(result, result["baseline"]))
        for path in result.get("confusion", []):
            print(f"wrote {path}")
    unseen = result.get("unseen_labels") or []
    if unseen and known is not None:
        n = sum(1 for g in gold if set(g) - known)
        _say(
            f"note: {n} record(s) carry label(s) the model was not trained on "
            f"({', '.join(unseen)}); they count as misses"
        )
    return 0


def cmd_reclassify(args: argparse.Namespace) -> int:
    from classifier.reclassify import reclassify
    from tidings.core.index import open_index
    from tidings.core.store import open_store

    settings = settings_from(args)
    if args.batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    if not settings.store_exists:
        raise UsageError(f"no store at {settings.db_path} (crawl or import first)")
    check_index(settings)
    model_dir = Path(args.model) if args.model else settings.model_dir
    tagger = open_tagger(settings, model_dir)
    _say(f"re-tagging with model {tagger.model_version} ({model_dir})")
    if args.only_outdated:  # the version is the model's: a taxonomy edit does not change it
        _say("skipping articles already at this model version; after editing the taxonomy "
             "add --no-only-outdated")  # fmt: skip
    with open_store(settings) as store:
        index = open_index(settings, writable=True)
        try:
            report = reclassify(
                store, index, tagger, batch_size=args.batch_size,
                only_outdated=args.only_outdated, progress=_say,
            )  # fmt: skip
        finally:
            index.close()
    print(
        f"re-tagged {report.retagged} of {report.total} articles with {tagger.model_version} "
        f"in {report.seconds:.1f} s ({report.skipped} already up to date)"
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

    p = subparsers.add_parser(
        "evaluate",
        help="train ours and the baseline on the same split (or folds) and score both",
        description="Holdout on the file's split field (or a seeded stratified split), or "
        "--cv K folds; with --model, score that saved model on the test records instead of "
        "training ours. The TF-IDF + LinearSVC baseline is always trained on the same data.",
    )
    p.add_argument("--data", required=True, help="labelled JSONL")
    p.add_argument("--model", help="score this saved model directory instead of training ours")
    p.add_argument("--cv", type=int, default=0, help="K-fold cross-validation instead of holdout")
    p.add_argument("--seed", type=int, default=0, help="seed for splits and folds (default 0)")
    p.add_argument("--test-fraction", type=float, default=0.2, help="holdout test share")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument("--confusion-out", metavar="DIR", help="write confusion.txt and .png here")
    p.set_defaults(func=cmd_evaluate)

    p = subparsers.add_parser(
        "reclassify", help="re-tag stored articles with a model (store, then index)"
    )
    p.add_argument("--model", help="model directory (default: the configured model)")
    p.add_argument("--batch-size", type=int, default=200, help="articles per batch")
    p.add_argument(
        "--only-outdated",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="skip articles already tagged with this model version (default; resumable)",
    )
    p.set_defaults(func=cmd_reclassify)

    p = subparsers.add_parser("convert", help="convert a public corpus to labelled JSONL")
    p.add_argument("corpus", choices=("bbc", "agnews"), help="corpus format")
    p.add_argument("source", help="BBC folder or AG News CSV file")
    p.add_argument("--out", required=True, help="labelled JSONL file to write")
    p.add_argument("--split-seed", type=int, help="add a seeded stratified train/test split")
    p.add_argument("--test-fraction", type=float, default=0.2, help="test share (default 0.2)")
    p.set_defaults(func=cmd_convert)
