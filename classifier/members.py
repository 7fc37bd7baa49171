"""The ensemble's members: feature views and the per-label linear models fitted on them.

Each member returns ``(F, L)`` weights and ``(L,)`` intercepts over its view, so members and
the stacker fold into one linear layer (see :mod:`classifier.model`).
"""

from __future__ import annotations

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import average_precision_score
from sklearn.svm import LinearSVC

#: Threads for the per-label SVM fits (the target machine has 2 cores).
N_JOBS = 2


def build_features() -> ColumnTransformer:
    """Unfitted word and character TF-IDF views (only types skops loads safely)."""
    words = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_df=0.9, stop_words="english",
        max_features=400_000, dtype=np.float32,
    )  # fmt: skip
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2,
        max_features=200_000, dtype=np.float32,
    )  # fmt: skip
    return ColumnTransformer([("words", words, 0), ("chars", chars, 1)])


def svm_one(x: sparse.csr_matrix, y: np.ndarray, C: float) -> tuple[np.ndarray, float]:
    """One binary LinearSVC: weights and intercept (a constant label gets a constant)."""
    if y.min() == y.max():  # label always (never) present in this fold
        return np.zeros(x.shape[1]), 1.0 if y[0] else -1.0
    clf = LinearSVC(C=C).fit(x, y)
    return clf.coef_[0], float(clf.intercept_[0])


def svm_weights(x: sparse.csr_matrix, y: np.ndarray, C: float) -> tuple[np.ndarray, np.ndarray]:
    """One binary LinearSVC per label: (F, L) weights and (L,) intercepts.

    Labels are fitted on ``N_JOBS`` threads: liblinear releases the GIL while it trains.
    """
    fits = Parallel(n_jobs=min(N_JOBS, y.shape[1]), prefer="threads")(
        delayed(svm_one)(x, y[:, j], C) for j in range(y.shape[1])
    )
    coef = np.column_stack([w for w, _ in fits])
    return coef, np.array([b for _, b in fits])


def nb_weights(x: sparse.csr_matrix, y: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Binary multinomial NB per label (label vs rest): log-count ratios and log prior ratios."""
    y = y.astype(np.float64)
    pos = np.asarray(x.T @ y) + alpha  # (F, L) feature mass in documents with the label
    neg = np.asarray(x.sum(axis=0)).reshape(-1, 1) - pos + 2 * alpha
    coef = np.log(pos / pos.sum(axis=0)) - np.log(neg / neg.sum(axis=0))
    n_pos = y.sum(axis=0)
    bias = np.log((n_pos + 1) / (len(y) - n_pos + 1))
    return coef, bias


def margins(x: sparse.csr_matrix, coef: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """(n, L) margins of a member."""
    return np.asarray(x @ coef) + bias


def mean_ap(scores: np.ndarray, y: np.ndarray) -> float:
    """Mean average precision over labels that occur (how a member's C is chosen)."""
    aps = [
        average_precision_score(y[:, j], scores[:, j]) for j in range(y.shape[1]) if y[:, j].any()
    ]
    return float(np.mean(aps)) if aps else 0.0
