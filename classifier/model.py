"""The multi-label topic model: an ensemble of complementary linear models, stacked per label.

Members, each one-vs-rest per label so any label set and multi-label data work:

* ``words``: LinearSVC on sublinear TF-IDF word 1-2 grams (title counted twice);
* ``chars``: LinearSVC on sublinear TF-IDF char_wb 3-5 grams of title + lead;
* ``nb``: multinomial naive Bayes log-count ratios on the same word TF-IDF (Rennie et al.'s
  TF-IDF + NB, binary per label: label vs the rest).

Each SVM's C is chosen by inner cross-validation (mean average precision of out-of-fold
margins). Per label, a logistic regression on the members' out-of-fold margins learns their
weights and turns them into calibrated probabilities; thresholds are tuned on cross-validated
stacker output, never on data it was fitted on. Because every part is linear, the whole model
folds into one weight matrix over the features: scoring is one sparse product, and each term's
contribution (feature value × weight) explains a topic. See docs/benchmarks.md for what each
choice is worth.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import KFold

from classifier.calibration import best_threshold
from classifier.members import build_features, margins, mean_ap, nb_weights, svm_weights
from classifier.stacking import fit_stack, sigmoid
from classifier.text import model_inputs

Pair = tuple[str, str]
Progress = Callable[[str], None]
MEMBERS = ("words", "chars", "nb")
C_GRID = (0.3, 1.0, 3.0)


@dataclass(frozen=True)
class ModelConfig:
    """Which members to use and how to tune them (the ablations in bench/classify.py)."""

    members: tuple[str, ...] = MEMBERS
    c_grid: tuple[float, ...] = C_GRID
    folds: int = 3
    nb_alphas: tuple[float, ...] = (0.01, 0.03, 0.1)
    seed: int = 0


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
    """Fitted features plus one folded linear layer: score = sigmoid(x @ coef + intercept)."""

    features: ColumnTransformer
    labels: list[str]
    coef: np.ndarray  # (F, L) float32
    intercept: np.ndarray  # (L,)
    thresholds: np.ndarray
    max_labels: int = 1
    info: dict[str, object] = field(default_factory=dict)
    oof_metrics: dict[str, object] = field(default_factory=dict)

    @classmethod
    def fit(
        cls,
        docs: Sequence[Pair],
        topics: Sequence[Sequence[str]],
        *,
        config: ModelConfig | None = None,
        progress: Progress | None = None,
        seed: int | None = None,
    ) -> TopicModel:
        """Fit on (title, text) pairs and their topic lists."""
        cfg = config or ModelConfig()
        if seed is not None:
            cfg = ModelConfig(cfg.members, cfg.c_grid, cfg.folds, cfg.nb_alphas, seed)
        say = progress or (lambda _msg: None)
        labels = sorted({t for doc_topics in topics for t in doc_topics})
        if len(labels) < 2:
            raise ValueError("training data needs at least two distinct topics")
        if len(docs) < 2 * cfg.folds:
            raise ValueError(f"training data needs at least {2 * cfg.folds} documents")
        y = indicator(topics, labels)
        features = build_features()
        say(f"vectorising {len(docs)} documents")
        try:
            x_all = features.fit_transform(model_inputs(docs)).tocsr()
        except ValueError as exc:  # scikit-learn: "empty vocabulary; perhaps ..."
            raise ValueError(
                f"no usable text to learn from ({exc}): the documents are empty, tiny or "
                "only stop words"
            ) from None
        n_words = len(features.named_transformers_["words"].idf_)
        views = {"words": x_all[:, :n_words], "chars": x_all[:, n_words:], "nb": x_all[:, :n_words]}
        say(f"{n_words} word + {x_all.shape[1] - n_words} char features, {len(labels)} labels")
        folds = list(KFold(cfg.folds, shuffle=True, random_state=cfg.seed).split(x_all))
        oof: dict[str, np.ndarray] = {}
        chosen_c: dict[str, float] = {}
        for member in cfg.members:
            x = views[member]
            grid = cfg.nb_alphas if member == "nb" else cfg.c_grid
            best = (-1.0, 0.0, np.zeros(y.shape))
            for value in grid:
                m = np.zeros(y.shape)
                for train_idx, held_idx in folds:
                    w, b = (
                        nb_weights(x[train_idx], y[train_idx], value)
                        if member == "nb"
                        else svm_weights(x[train_idx], y[train_idx], value)
                    )
                    m[held_idx] = margins(x[held_idx], w, b)
                score = mean_ap(m, y)
                say(f"  {member} {'alpha' if member == 'nb' else 'C'}={value}: mean AP {score:.4f}")
                if score > best[0] + 1e-9:
                    best = (score, value, m)
            chosen_c[member], oof[member] = best[1], best[2]
        say("stacking members per label (logistic regression on out-of-fold margins)")
        stack_w, stack_b, stacked = fit_stack(oof, y, cfg.folds, cfg.seed)
        thresholds = np.array([best_threshold(stacked[:, j], y[:, j]) for j in range(len(labels))])
        say("fitting the members on all training data")
        coef = np.zeros((x_all.shape[1], len(labels)))
        intercept = stack_b.copy()
        for k, member in enumerate(cfg.members):
            x = views[member]
            fit = nb_weights if member == "nb" else svm_weights
            w, b = fit(x, y, chosen_c[member])
            rows = slice(0, n_words) if member != "chars" else slice(n_words, x_all.shape[1])
            coef[rows] += w * stack_w[k]
            intercept += b * stack_w[k]
        info = {
            "members": list(cfg.members),
            "params": chosen_c,
            "stack_weights": {
                label: dict(zip(cfg.members, map(float, stack_w[:, j]), strict=True))
                for j, label in enumerate(labels)
            },
        }
        model = cls(
            features, labels, coef.astype(np.float32), intercept, thresholds,
            max_labels=int(y.sum(axis=1).max()), info=info,
        )  # fmt: skip
        model.oof_metrics = {"oof_scores": stacked, "oof_y": y}
        return model

    def margins(self, docs: Sequence[Pair]) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Feature matrix and (n, L) logits of (title, text) pairs."""
        x = self.features.transform(model_inputs(docs)).tocsr()
        return x, np.asarray(x @ self.coef, dtype=np.float64) + self.intercept

    def scores(self, docs: Sequence[Pair]) -> np.ndarray:
        """(n, L) calibrated scores in [0, 1], columns in ``self.labels`` order."""
        if not docs:
            return np.zeros((0, len(self.labels)))
        return sigmoid(self.margins(docs)[1])

    def decide(
        self, scores: np.ndarray, *, fallback: bool = True, max_labels: int | None = None
    ) -> list[list[tuple[str, float]]]:
        """Labels passing their threshold (best first, at most ``max_labels``).

        With ``fallback`` a document where none passes still gets its top label, so a
        single-label corpus always gets one; with ``max_labels`` 1 that is simply the top label.
        """
        cap = max_labels or self.max_labels
        out: list[list[tuple[str, float]]] = []
        for row in scores:
            order = np.argsort(-row, kind="stable")
            if cap == 1 and fallback:  # single-label: the best score, threshold or not
                out.append([(self.labels[order[0]], float(row[order[0]]))] if len(order) else [])
                continue
            chosen = [j for j in order if row[j] >= self.thresholds[j]][:cap]
            if not chosen and fallback and len(order):
                chosen = [int(order[0])]
            out.append([(self.labels[j], float(row[j])) for j in chosen])
        return out

    def explain(
        self, x: sparse.csr_matrix, wanted: Sequence[Sequence[str]], top: int = 5
    ) -> list[dict[str, list[dict[str, object]]]]:
        """Per document, for each wanted label: the word terms that pushed it up most.

        A term's weight is its contribution to the label's logit: TF-IDF value × the folded
        linear weight (SVM and naive Bayes parts together). Character n-grams also count in
        the score but are left out here: "ootb" explains nothing to a reader.
        """
        names = self.word_names()
        index = {label: j for j, label in enumerate(self.labels)}
        out: list[dict[str, list[dict[str, object]]]] = []
        x = x.tocsr()
        for i, labels in enumerate(wanted):
            # the row's slice of the CSR arrays: x.getrow built a sparse matrix per row (~4% of
            # tagging's time in a profile of 300 real articles)
            span = slice(x.indptr[i], x.indptr[i + 1])
            cols, values = x.indices[span], x.data[span]
            words = cols < len(names)
            cols, values = cols[words], values[words]
            found: dict[str, list[dict[str, object]]] = {}
            for label in labels:
                if label not in index or not len(cols):
                    continue
                contrib = values * self.coef[cols, index[label]]
                order = np.argsort(-contrib)[:top]
                found[label] = [
                    {"term": str(names[cols[k]]), "weight": round(float(contrib[k]), 4)}
                    for k in order
                    if contrib[k] > 0
                ]
            out.append(found)
        return out

    def word_names(self) -> np.ndarray:
        """The word features' names: the first columns of :meth:`margins`' matrix (cached)."""
        names = getattr(self, "_names", None)
        if names is None:
            names = self.features.named_transformers_["words"].get_feature_names_out()
            self._names = names
        return names

    def predict(self, docs: Sequence[Pair], **kwargs: object) -> list[list[str]]:
        """Label lists for (title, text) pairs (see :meth:`decide` for the options)."""
        decided = self.decide(self.scores(docs), **kwargs)  # type: ignore[arg-type]
        return [[label for label, _ in row] for row in decided]
