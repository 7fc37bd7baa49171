"""Stacking: per label, a logistic regression weighs the members' out-of-fold margins.

Its output is the calibrated score; its cross-validated output is what thresholds are tuned on.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function, clipped against overflow."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))


def fit_stack(
    oof: dict[str, np.ndarray], y: np.ndarray, folds: int = 3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per label: LR weights (M, L), bias (L,) and cross-validated stacked scores (n, L)."""
    members = list(oof)
    n, n_labels = y.shape
    weights = np.zeros((len(members), n_labels))
    bias = np.zeros(n_labels)
    stacked = np.zeros((n, n_labels))
    folds = list(KFold(folds, shuffle=True, random_state=seed + 1).split(y))
    for j in range(n_labels):
        z = np.column_stack([oof[m][:, j] for m in members])
        if y[:, j].min() == y[:, j].max():
            bias[j] = 6.0 if y[0, j] else -6.0
            stacked[:, j] = sigmoid(np.full(n, bias[j]))
            continue
        w, b = stack_one(z, y[:, j])
        weights[:, j], bias[j] = w, b
        for train_idx, held_idx in folds:
            if y[train_idx, j].min() == y[train_idx, j].max():
                stacked[held_idx, j] = sigmoid(z[held_idx] @ w + b)
                continue
            wf, bf = stack_one(z[train_idx], y[train_idx, j])
            stacked[held_idx, j] = sigmoid(z[held_idx] @ wf + bf)
    return weights, bias, stacked


def stack_one(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Logistic regression on member margins; negative weights (a member that hurts) -> 0."""
    lr = LogisticRegression(C=1.0).fit(z, y)
    w = lr.coef_[0]
    if (w < 0).any():
        keep = w > 0
        w = np.zeros_like(w)
        if keep.any():
            lr = LogisticRegression(C=1.0).fit(z[:, keep], y)
            w[keep] = np.maximum(lr.coef_[0], 0.0)
    return w, float(lr.intercept_[0])
