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
from classifier.model import TopicModel, indicator
from classifier.text import record_pair

Predictor = Callable[[Sequence[LabelledRecord]], list[list[str]]]


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


def train_ours(records: Sequence[LabelledRecord], seed: int = 0) -> TopicModel:
    """Fit the Tidings topic model on labelled records."""
    return TopicModel.fit(
        [record_pair(r) for r in records], [r["topics"] for r in records], seed=seed
    )


def evaluate_model(model: TopicModel, records: Sequence[LabelledRecord]) -> dict[str, Any]:
    """Metrics of a fitted model on labelled records."""
    pred = model.predict([record_pair(r) for r in records])
    return metrics([r["topics"] for r in records], pred)


def timed_run(
    kind: str, train: Sequence[LabelledRecord], test: Sequence[LabelledRecord], seed: int = 0
) -> dict[str, Any]:
    """Train ``kind`` ("ours" | "baseline") and score it: metrics plus train s and docs/s."""
    start = time.perf_counter()
    fitted = train_ours(train, seed) if kind == "ours" else train_baseline(train)
    trained = time.perf_counter()
    if isinstance(fitted, TopicModel):
        pred = fitted.predict([record_pair(r) for r in test])
    else:
        pred = fitted.predict(test)
    done = time.perf_counter()
    result = metrics([r["topics"] for r in test], pred)
    result["train_seconds"] = trained - start
    result["docs_per_second"] = len(test) / max(done - trained, 1e-9)
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
    return out


def cross_validate(
    records: Sequence[LabelledRecord],
    folds: int = 5,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Mean/std metrics over stratified folds for ours and the baseline (same folds)."""
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "baseline": []}
    for k, (train_idx, test_idx) in enumerate(stratified_folds(records, folds, seed), start=1):
        train = [records[i] for i in train_idx]
        test = [records[i] for i in test_idx]
        for kind in runs:
            runs[kind].append(timed_run(kind, train, test, seed))
        if progress:
            ours, base = runs["ours"][-1], runs["baseline"][-1]
            progress(
                f"fold {k}/{folds}: accuracy ours {ours['accuracy']:.4f} "
                f"baseline {base['accuracy']:.4f}"
            )
    return {kind: _summary(r) for kind, r in runs.items()}
