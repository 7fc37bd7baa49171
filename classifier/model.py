"""The multi-label topic model: TF-IDF words + character n-grams, one linear SVM per label.

Why this shape: on BBC and AG News (5-fold, see bench/classify.py) word 1-2 grams with English
stop words removed plus char_wb 2-5 grams on the lead beat word n-grams alone, and a linear SVM
beat logistic regression at a fraction of the cost. Margins become [0, 1] scores by per-label
Platt scaling fitted, like the thresholds, on out-of-fold margins of the training data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from classifier.calibration import apply_sigmoid, best_threshold, fit_sigmoid
from classifier.text import model_inputs

Pair = tuple[str, str]
Progress = Callable[[str], None]


def build_pipeline(C: float = 0.5) -> Pipeline:
    """Unfitted features + one-vs-rest classifier (only types skops can load safely)."""
    words = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_df=0.9, stop_words="english"
    )
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, max_features=300_000
    )
    features = ColumnTransformer([("words", words, 0), ("chars", chars, 1)])
    return Pipeline([("features", features), ("clf", OneVsRestClassifier(LinearSVC(C=C)))])


def indicator(topics: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    """(n, L) 0/1 matrix of which labels each document has (unknown labels ignored)."""
    index = {label: j for j, label in enumerate(labels)}
    y = np.zeros((len(topics), len(labels)), dtype=np.int8)
    for i, doc_topics in enumerate(topics):
        for t in doc_topics:
            if t in index:
                y[i, index[t]] = 1
    return y


@dataclass
class TopicModel:
    """A fitted pipeline plus what turns its margins into labels: calibration and thresholds."""

    pipeline: Pipeline
    labels: list[str]
    thresholds: np.ndarray
    sigmoid_a: np.ndarray
    sigmoid_b: np.ndarray
    max_labels: int = 1
    oof_metrics: dict[str, object] = field(default_factory=dict)

    @classmethod
    def fit(
        cls,
        docs: Sequence[Pair],
        topics: Sequence[Sequence[str]],
        *,
        C: float = 0.5,
        calibration_folds: int = 3,
        seed: int = 0,
        progress: Progress | None = None,
    ) -> TopicModel:
        """Fit on (title, text) pairs and their topic lists."""
        say = progress or (lambda _msg: None)
        labels = sorted({t for doc_topics in topics for t in doc_topics})
        if len(labels) < 2:
            raise ValueError("training data needs at least two distinct topics")
        y = indicator(topics, labels)
        pipeline = build_pipeline(C)
        say(f"vectorising {len(docs)} documents")
        x = pipeline.named_steps["features"].fit_transform(model_inputs(docs))
        say(f"{x.shape[1]} features; {calibration_folds}-fold margins for calibration")
        margins = np.zeros(y.shape, dtype=np.float64)
        folds = KFold(calibration_folds, shuffle=True, random_state=seed)
        for train_idx, held_idx in folds.split(x):
            clf = OneVsRestClassifier(LinearSVC(C=C)).fit(x[train_idx], y[train_idx])
            margins[held_idx] = clf.decision_function(x[held_idx]).reshape(len(held_idx), -1)
        params = [fit_sigmoid(margins[:, j], y[:, j]) for j in range(len(labels))]
        a = np.array([p[0] for p in params])
        b = np.array([p[1] for p in params])
        scores = apply_sigmoid(margins, a, b)
        thresholds = np.array([best_threshold(scores[:, j], y[:, j]) for j in range(len(labels))])
        say("fitting the final model on all training data")
        pipeline.named_steps["clf"].fit(x, y)
        model = cls(pipeline, labels, thresholds, a, b, max_labels=int(y.sum(axis=1).max()))
        model.oof_metrics = {"oof_scores": scores, "oof_y": y}
        return model

    def scores(self, docs: Sequence[Pair]) -> np.ndarray:
        """(n, L) calibrated scores in [0, 1], columns in ``self.labels`` order."""
        if not docs:
            return np.zeros((0, len(self.labels)))
        margins = self.pipeline.decision_function(model_inputs(docs))
        return apply_sigmoid(margins.reshape(len(docs), -1), self.sigmoid_a, self.sigmoid_b)

    def decide(
        self, scores: np.ndarray, *, fallback: bool = True, max_labels: int | None = None
    ) -> list[list[tuple[str, float]]]:
        """Labels passing their threshold (best first, at most ``max_labels``).

        With ``fallback`` a document where none passes still gets its top label, so a
        single-label corpus always gets one.
        """
        cap = max_labels or self.max_labels
        out: list[list[tuple[str, float]]] = []
        for row in scores:
            order = np.argsort(-row, kind="stable")
            chosen = [j for j in order if row[j] >= self.thresholds[j]][:cap]
            if not chosen and fallback and len(order):
                chosen = [int(order[0])]
            out.append([(self.labels[j], float(row[j])) for j in chosen])
        return out

    def predict(self, docs: Sequence[Pair], **kwargs: object) -> list[list[str]]:
        """Label lists for (title, text) pairs (see :meth:`decide` for the options)."""
        decided = self.decide(self.scores(docs), **kwargs)  # type: ignore[arg-type]
        return [[label for label, _ in row] for row in decided]
