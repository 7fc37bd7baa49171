"""Turn raw linear-model margins into [0, 1] scores and pick a decision threshold per label.

Both are fitted on out-of-fold margins (never on data the margins were fitted on), so the
scores mean roughly "probability this label applies" and thresholds do not flatter the model.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)


def fit_sigmoid(margins: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling: (a, b) with score = 1 / (1 + exp(-(a * margin + b)))."""
    if y.min() == y.max():  # a label always (never) present: constant score
        return 0.0, 6.0 if y.max() else -6.0
    lr = LogisticRegression(C=100.0)
    lr.fit(margins.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def apply_sigmoid(margins: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Scores in [0, 1] from an (n, L) margin matrix and per-label (a, b)."""
    z = np.clip(margins * a + b, -35.0, 35.0)
    return 1.0 / (1.0 + np.exp(-z))


def best_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The grid threshold with the best F1 for one label (ties: the one nearest 0.5)."""
    positives = y.sum()
    if positives == 0:
        return 0.5
    best, best_f1 = 0.5, -1.0
    for t in sorted(THRESHOLD_GRID, key=lambda v: abs(v - 0.5)):
        pred = scores >= t
        tp = float(np.logical_and(pred, y == 1).sum())
        f1 = 2 * tp / (pred.sum() + positives) if pred.sum() + positives else 0.0
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best
