"""Quality figures for a topic model, and the baseline every model must beat.

The baseline (TF-IDF word 1-2 grams + one-vs-rest LinearSVC) is trained on the same split in the
same run, so "better than the baseline" is a like-for-like claim, not a number from a paper.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from classifier.labelled import LabelledRecord
from classifier.model import ModelConfig, TopicModel, indicator
from classifier.text import record_pair


def metrics(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, Any]:
    """micro/macro F1, subset accuracy and per-label precision/recall/F1/support."""
    labels = sorted({t for doc in gold for t in doc} | {t for doc in pred for t in doc})
    y = indicator(gold, labels).astype(bool)
    p = indicator(pred, labels).astype(bool)
    per_label: dict[str, dict[str, float]] = {}
    tp_all = fp_all = fn_all = 0
    f1s = []
    for j, label in enumerate(labels):
        tp = int((y[:, j] & p[:, j]).sum())
        fp = int((~y[:, j] & p[:, j]).sum())
        fn = int((y[:, j] & ~p[:, j]).sum())
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
        support = int(y[:, j].sum())
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
        if support:
            f1s.append(f1)  # labels only predicted, never gold, count in micro but not macro
    micro = 2 * tp_all / (2 * tp_all + fp_all + fn_all) if tp_all + fp_all + fn_all else 0.0
    exact = float(np.mean([set(g) == set(q) for g, q in zip(gold, pred, strict=True)]))
    return {
        "n": len(gold),
        "micro_f1": micro,
        "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
        "accuracy": exact if len(gold) else 0.0,
        "per_label": per_label,
    }


class Baseline:
    """TF-IDF (word 1-2 grams) + one-vs-rest LinearSVC: positive margins, else the top one."""

    def __init__(self, records: Sequence[LabelledRecord]) -> None:
        topics = [r["topics"] for r in records]
        self.labels = sorted({t for doc in topics for t in doc})
        self.max_labels = max(len(doc) for doc in topics)
        self.pipeline = Pipeline(
            [
                ("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                ("clf", OneVsRestClassifier(LinearSVC())),
            ]
        )
        self.pipeline.fit(_joined(records), indicator(topics, self.labels))

    def predict(self, records: Sequence[LabelledRecord]) -> list[list[str]]:
        margins = self.pipeline.decision_function(_joined(records)).reshape(len(records), -1)
        out = []
        for row in margins:
            order = [j for j in np.argsort(-row) if row[j] > 0][: self.max_labels]
            out.append([self.labels[j] for j in (order or [int(np.argmax(row))])])
        return out


def _joined(records: Sequence[LabelledRecord]) -> list[str]:
    return [f"{r['title']}\n{r['text']}" for r in records]


def train_baseline(records: Sequence[LabelledRecord]) -> Baseline:
    """Fit the comparison baseline on ``records``."""
    return Baseline(records)


def train_ours(
    records: Sequence[LabelledRecord],
    seed: int = 0,
    config: ModelConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> TopicModel:
    """Fit the Tidings topic model on labelled records."""
    return TopicModel.fit(
        [record_pair(r) for r in records],
        [r["topics"] for r in records],
        config=config,
        seed=seed,
        progress=progress,
    )


def evaluate_model(model: TopicModel, records: Sequence[LabelledRecord]) -> dict[str, Any]:
    """Metrics of a fitted model on labelled records."""
    pred = model.predict([record_pair(r) for r in records])
    return metrics([r["topics"] for r in records], pred)


def timed_run(
    kind: str,
    train: Sequence[LabelledRecord],
    test: Sequence[LabelledRecord],
    seed: int = 0,
    config: ModelConfig | None = None,
) -> dict[str, Any]:
    """Train ``kind`` ("baseline", or ours under any other name) and score it.

    Returns metrics plus ``train_seconds``, ``docs_per_second`` and the ``predictions``.
    """
    start = time.perf_counter()
    fitted = train_baseline(train) if kind == "baseline" else train_ours(train, seed, config)
    trained = time.perf_counter()
    if isinstance(fitted, TopicModel):
        pred = fitted.predict([record_pair(r) for r in test])
    else:
        pred = fitted.predict(test)
    done = time.perf_counter()
    result = metrics([r["topics"] for r in test], pred)
    result["train_seconds"] = trained - start
    result["docs_per_second"] = len(test) / max(done - trained, 1e-9)
    result["predictions"] = pred
    return result


def stratified_folds(
    records: Sequence[LabelledRecord], folds: int = 5, seed: int = 0
) -> list[tuple[list[int], list[int]]]:
    """Seeded (train, test) index lists, stratified on each record's first topic."""
    first = [r["topics"][0] for r in records]
    skf = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return [(list(a), list(b)) for a, b in skf.split(np.zeros(len(first)), first)]


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("micro_f1", "macro_f1", "accuracy", "train_seconds", "docs_per_second")
    out: dict[str, Any] = {"folds": len(runs), "n": sum(r["n"] for r in runs)}
    for key in keys:
        values = [r[key] for r in runs]
        out[key] = float(np.mean(values))
        out[f"{key}_std"] = float(np.std(values))
    out["fold_accuracy"] = [round(r["accuracy"], 4) for r in runs]
    return out


def cross_validate(
    records: Sequence[LabelledRecord],
    folds: int = 5,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    variants: dict[str, ModelConfig | None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Mean/std metrics over stratified folds for ours and the baseline (same folds).

    ``variants`` (name -> config) replaces "ours" with several configurations, for ablations;
    the baseline always runs. Each summary keeps its per-fold accuracies (``fold_accuracy``).
    """
    configs: dict[str, ModelConfig | None] = variants or {"ours": None}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in [*configs, "baseline"]}
    gold: list[list[str]] = []
    for k, (train_idx, test_idx) in enumerate(stratified_folds(records, folds, seed), start=1):
        train = [records[i] for i in train_idx]
        test = [records[i] for i in test_idx]
        gold += [r["topics"] for r in test]
        for name in runs:
            runs[name].append(timed_run(name, train, test, seed, configs.get(name)))
        if progress:
            scores = "  ".join(f"{n} {r[-1]['accuracy']:.4f}" for n, r in runs.items())
            progress(f"fold {k}/{folds}: accuracy {scores}")
    out = {}
    for name, r in runs.items():
        out[name] = _summary(r)
        pred = [p for run in r for p in run["predictions"]]
        out[name]["pooled"] = metrics(gold, pred)  # every document scored once, out of fold
        out[name]["gold"], out[name]["pred"] = gold, pred
    return out


def holdout(
    records: Sequence[LabelledRecord], test_fraction: float = 0.2, seed: int = 0
) -> tuple[list[LabelledRecord], list[LabelledRecord], str]:
    """(train, test, how): the file's ``split`` if it has one, else a seeded stratified split."""
    if any("split" in r for r in records):
        train = [r for r in records if r.get("split", "train") == "train"]
        test = [r for r in records if r.get("split") == "test"]
        return train, test, "split field"
    first = [r["topics"][0] for r in records]
    counts = {label: first.count(label) for label in set(first)}
    strata = [label if counts[label] > 1 else "(rare)" for label in first]
    rng = np.random.default_rng(seed)
    test_idx: set[int] = set()
    for label in sorted(set(strata)):
        idx = [i for i, s in enumerate(strata) if s == label]
        rng.shuffle(idx)
        test_idx.update(idx[: max(1, round(len(idx) * test_fraction))])
    train = [r for i, r in enumerate(records) if i not in test_idx]
    test = [r for i, r in enumerate(records) if i in test_idx]
    return train, test, f"seeded stratified split (seed {seed}, test {test_fraction:.0%})"
