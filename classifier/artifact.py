"""Save and load a fitted topic model as a directory: features, weights, meta.json, card.

The feature extractors are persisted with skops, never pickle: loading checks every type in the
file against an explicit allow-list first, so a model directory from elsewhere cannot run code.
The folded linear layer is a plain ``weights.npz`` (loaded with ``allow_pickle=False``).
The vectorisers' vocabularies are kept out of the skops file, as a plain list of terms per
vectoriser in ``vocabulary.json.gz``: skops writes a dict as one JSON node per entry, which
made a 200k-term model 190 MB and two minutes to save; as data it is 2 MB and loads in a blink.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import warnings
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import sklearn
import skops
import skops.io as sio

from classifier.model import TopicModel

PIPELINE_FILE = "pipeline.skops"
META_FILE = "meta.json"
CARD_FILE = "model-card.md"
VOCAB_FILE = "vocabulary.json.gz"
WEIGHTS_FILE = "weights.npz"
FORMAT = 2
#: Types beyond skops' defaults that a Tidings pipeline may contain. None are needed today:
#: every type in it (ColumnTransformer, TfidfVectorizer, numpy arrays) is trusted by skops
#: already. Anything else is refused.
TRUSTED_TYPES: list[str] = []


class ModelLoadError(Exception):
    """A model directory is missing, incomplete, untrusted or from an incompatible library."""


@dataclass(frozen=True)
class LoadedModel:
    model: TopicModel
    meta: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.meta["version"])


def library_versions() -> dict[str, str]:
    """Versions that decide whether a saved pipeline loads and behaves the same."""
    return {
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "skops": skops.__version__,
    }


def model_version(
    name: str, data_hash: str, when: datetime | None = None, model: TopicModel | None = None
) -> str:
    """``<name>-YYYY.MM.DD-<8 hex of the data hash>[-<6 hex of the weights>]``.

    Stored on every article tagged; the weights part makes a retrained pipeline on the same
    data and day a new version, so ``tidings reclassify --only-outdated`` does not skip it.
    """
    day = (when or datetime.now(UTC)).strftime("%Y.%m.%d")
    version = f"{name}-{day}-{data_hash[:8]}"
    if model is not None:
        digest = hashlib.sha256(np.ascontiguousarray(model.coef).tobytes())
        digest.update(np.ascontiguousarray(model.intercept).tobytes())
        version += f"-{digest.hexdigest()[:6]}"
    return version


def _vectorizers(model: TopicModel) -> dict[str, Any]:
    return {name: vec for name, vec, _cols in model.features.transformers_ if hasattr(vec, "idf_")}


def _pop_vocabularies(model: TopicModel) -> dict[str, list[str]]:
    """Take the vocabularies out of the pipeline, as term lists ordered by column."""
    vocabs: dict[str, list[str]] = {}
    for name, vec in _vectorizers(model).items():
        vec.stop_words_ = None  # introspection only, and can be megabytes
        terms = [""] * len(vec.vocabulary_)
        for term, column in vec.vocabulary_.items():
            terms[column] = term
        vocabs[name] = terms
        del vec.vocabulary_
    return vocabs


def _put_vocabularies(model: TopicModel, vocabs: dict[str, list[str]], where: Path) -> None:
    for name, vec in _vectorizers(model).items():
        terms = vocabs.get(name)
        if not isinstance(terms, list) or len(terms) != len(vec.idf_):
            raise ModelLoadError(f"{where}: vocabulary of '{name}' missing or wrong size")
        vec.vocabulary_ = {str(term): column for column, term in enumerate(terms)}


def save_model(
    model: TopicModel, out_dir: str | Path, version: str, extra_meta: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Write pipeline and meta.json to ``out_dir`` (created); returns the meta written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    vocabs = _pop_vocabularies(model)
    try:
        sio.dump(model.features, out / PIPELINE_FILE, compression=zipfile.ZIP_DEFLATED)
    finally:
        _put_vocabularies(model, vocabs, out)
    np.savez_compressed(
        out / WEIGHTS_FILE, coef=model.coef.astype(np.float32), intercept=model.intercept
    )
    with gzip.open(out / VOCAB_FILE, "wt", encoding="utf-8") as fh:
        json.dump(vocabs, fh, ensure_ascii=False)
    meta = {
        "format": FORMAT,
        "version": version,
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "labels": model.labels,
        "thresholds": dict(zip(model.labels, map(float, model.thresholds), strict=True)),
        "max_labels": model.max_labels,
        "model": model.info,
        "libraries": library_versions(),
        **(extra_meta or {}),
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def _check_versions(meta: dict[str, Any], where: Path) -> None:
    saved = str(meta.get("libraries", {}).get("scikit-learn", ""))
    saved_mm = saved.split(".")[:2]
    here_mm = sklearn.__version__.split(".")[:2]
    if not saved or len(saved_mm) < 2:
        raise ModelLoadError(f"{where}: meta.json does not record the scikit-learn version")
    if saved_mm[0] != here_mm[0]:
        raise ModelLoadError(
            f"{where}: model saved with scikit-learn {saved}, this is {sklearn.__version__} "
            "(different major version): retrain it with `tidings train`"
        )
    if saved_mm != here_mm:
        warnings.warn(
            f"{where}: model saved with scikit-learn {saved}, running {sklearn.__version__}; "
            "predictions may differ slightly, retrain with `tidings train` to be sure",
            stacklevel=2,
        )


def load_model(model_dir: str | Path) -> LoadedModel:
    """Load a model directory written by :func:`save_model`; raises ModelLoadError."""
    where = Path(model_dir)
    meta_path, pipe_path = where / META_FILE, where / PIPELINE_FILE
    if not meta_path.is_file() or not pipe_path.is_file():
        raise ModelLoadError(f"{where}: not a model directory (needs {META_FILE}, {PIPELINE_FILE})")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        labels = [str(v) for v in meta["labels"]]
        thresholds = np.array([float(meta["thresholds"][label]) for label in labels])
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"{where / META_FILE}: invalid ({exc!r})") from None
    if meta.get("format") != FORMAT:
        raise ModelLoadError(
            f"{where}: model format {meta.get('format')} is not {FORMAT} (written by another "
            "Tidings version): retrain it with `tidings train`"
        )
    _check_versions(meta, where)
    coef, intercept = _load_weights(where / WEIGHTS_FILE, len(labels))
    untrusted = [t for t in sio.get_untrusted_types(file=pipe_path) if t not in TRUSTED_TYPES]
    if untrusted:
        raise ModelLoadError(f"{pipe_path}: refusing untrusted types {', '.join(untrusted)}")
    try:
        features = sio.load(pipe_path, trusted=TRUSTED_TYPES)
    except Exception as exc:  # skops raises many kinds on a corrupt file
        raise ModelLoadError(f"{pipe_path}: cannot load ({exc})") from None
    model = TopicModel(
        features, labels, coef, intercept, thresholds, int(meta.get("max_labels", 1)),
        info=dict(meta.get("model") or {}),
    )  # fmt: skip
    try:
        with gzip.open(where / VOCAB_FILE, "rt", encoding="utf-8") as fh:
            vocabs = json.load(fh)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{where / VOCAB_FILE}: cannot read ({exc})") from None
    if not isinstance(vocabs, dict):
        raise ModelLoadError(f"{where / VOCAB_FILE}: expected an object of term lists")
    _put_vocabularies(model, vocabs, where)
    n_features = sum(len(v.idf_) for v in _vectorizers(model).values())
    if coef.shape[0] != n_features:
        raise ModelLoadError(f"{where / WEIGHTS_FILE}: {coef.shape[0]} rows, {n_features} features")
    return LoadedModel(model, meta)


def _load_weights(path: Path, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    """(F, L) coefficients and (L,) intercepts from a pickle-free ``.npz``."""
    try:
        with np.load(path, allow_pickle=False) as data:
            coef, intercept = data["coef"], data["intercept"].astype(np.float64)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelLoadError(f"{path}: cannot read ({exc})") from None
    if coef.ndim != 2 or coef.shape[1] != n_labels or intercept.shape != (n_labels,):
        raise ModelLoadError(f"{path}: weights do not match the {n_labels} labels")
    return coef, intercept
