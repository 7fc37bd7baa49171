"""Confusion matrices as text and PNG, for single- and multi-label predictions alike.

Rows are gold labels, columns predicted labels plus ``(none)``; each document adds one count
for every (gold, predicted) pair it has, or (gold, none) when nothing was predicted. For a
single-label corpus that is the usual confusion matrix; for multi-label data it is the
gold × predicted co-occurrence matrix (the diagonal counts hits, a row's off-diagonal cells
say what a label is mistaken for). The text file adds each label's 2×2 table (TP FP FN TN).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

NONE = "(none)"


def confusion(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]
) -> tuple[list[str], np.ndarray]:
    """(labels, matrix): rows gold labels, columns the same labels then ``(none)``."""
    labels = sorted({t for doc in gold for t in doc} | {t for doc in pred for t in doc})
    index = {label: j for j, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels) + 1), dtype=np.int64)
    for g_doc, p_doc in zip(gold, pred, strict=True):
        for g in g_doc:
            if not p_doc:
                matrix[index[g], len(labels)] += 1
            for p in p_doc:
                matrix[index[g], index[p]] += 1
    return labels, matrix


def two_by_two(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Per label: tp, fp, fn, tn over documents."""
    out = {}
    for label in labels:
        g = np.array([label in doc for doc in gold])
        p = np.array([label in doc for doc in pred])
        out[label] = {
            "tp": int((g & p).sum()),
            "fp": int((~g & p).sum()),
            "fn": int((g & ~p).sum()),
            "tn": int((~g & ~p).sum()),
        }
    return out


def render_text(labels: Sequence[str], matrix: np.ndarray, cells: dict[str, dict[str, int]]) -> str:
    """Aligned text of the matrix and the per-label 2×2 tables."""
    cols = [*labels, NONE]
    width = max(8, *(len(c) for c in cols)) + 1
    lines = ["rows: gold label; columns: predicted label", " " * width + "".join(
        f"{c:>{width}}" for c in cols
    )]  # fmt: skip
    for label, row in zip(labels, matrix, strict=True):
        lines.append(f"{label:<{width}}" + "".join(f"{v:>{width}d}" for v in row))
    lines += ["", f"{'label':<{width}}{'TP':>8}{'FP':>8}{'FN':>8}{'TN':>8}"]
    for label in labels:
        c = cells[label]
        lines.append(f"{label:<{width}}{c['tp']:>8}{c['fp']:>8}{c['fn']:>8}{c['tn']:>8}")
    return "\n".join(lines) + "\n"


def render_png(labels: Sequence[str], matrix: np.ndarray, path: Path, title: str) -> bool:
    """Heat map with counts; False (nothing written) if matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    cols = [*labels, NONE]
    size = max(4.0, 0.6 * len(cols) + 2)
    fig, ax = plt.subplots(figsize=(size, size * 0.9))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    if len(cols) <= 30:
        peak = matrix.max() or 1
        for (i, j), v in np.ndenumerate(matrix):
            colour = "white" if v > peak / 2 else "black"
            ax.text(j, i, str(v), ha="center", va="center", color=colour, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def write_confusion(
    gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], out_dir: Path, title: str
) -> list[Path]:
    """Write ``confusion.txt`` (and ``confusion.png`` when matplotlib is installed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    labels, matrix = confusion(gold, pred)
    text_path = out_dir / "confusion.txt"
    text_path.write_text(
        f"{title}\n" + render_text(labels, matrix, two_by_two(gold, pred, labels)),
        encoding="utf-8",
    )
    written = [text_path]
    if render_png(labels, matrix, out_dir / "confusion.png", title):
        written.append(out_dir / "confusion.png")
    return written
