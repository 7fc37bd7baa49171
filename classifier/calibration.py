"""Per-label decision thresholds, tuned on scores the model did not see while fitting.

The scores come from the stacker's cross-validated output (see :mod:`classifier.model`), so
a threshold is chosen on held-back training data and does not flatter the model.
"""

from __future__ import annotations

import numpy as np

THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)


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
