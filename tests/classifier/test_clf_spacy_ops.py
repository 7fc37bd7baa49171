"""spaCy's recogniser on numpy's BLAS finds exactly what it finds on thinc's blis."""

from __future__ import annotations

import numpy as np
import spacy
from threadpoolctl import threadpool_info

from classifier.entities import EntityExtractor
from classifier.spacy_ops import NumpyBlasOps, one_blas_thread

OTHER_PIPES = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
TEXTS = [
    "Nvidia and Microsoft shares rose in New York after Jensen Huang spoke in Taipei.",
    "The European Commission fined Google 2.4 billion euros, Margrethe Vestager said on Tuesday.",
    "Samsung Electronics will build a chip plant in Texas, the company told Reuters.",
    "OpenAI released GPT-5 to ChatGPT users in the United States and Britain.",
]


def test_gemm_matches_numpy_in_every_transposition() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.random((5, 3), dtype="float32"), rng.random((3, 4), dtype="float32")
    ops = NumpyBlasOps()
    assert np.allclose(ops.gemm(x, y), x @ y)
    assert np.allclose(ops.gemm(x.T.copy(), y, trans1=True), x @ y)
    assert np.allclose(ops.gemm(x, y.T.copy(), trans2=True), x @ y)
    out = np.zeros((5, 4), dtype="float32")
    assert ops.gemm(x, y, out=out) is out and np.allclose(out, x @ y)


def test_recogniser_uses_blas_ops_and_finds_the_same_entities() -> None:
    ours = EntityExtractor()
    assert ours.nlp is not None
    layers = list(ours.nlp.get_pipe("ner").model.walk())
    assert sum(isinstance(layer.ops, NumpyBlasOps) for layer in layers) > len(layers) // 2
    plain = spacy.load(ours.nlp.path, exclude=OTHER_PIPES)  # thinc's default ops
    plain_layers = plain.get_pipe("ner").model.walk()
    assert not any(isinstance(layer.ops, NumpyBlasOps) for layer in plain_layers)
    expected = [[(e.text, e.label_) for e in doc.ents] for doc in plain.pipe(TEXTS)]
    got = [[(e.text, e.label_) for e in doc.ents] for doc in ours.nlp.pipe(TEXTS)]
    assert got == expected
    assert any(expected)  # the texts do hold entities


def test_one_blas_thread_inside_the_block_and_as_before_after_it() -> None:
    def blas_threads() -> list[int]:
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    assert before  # numpy's BLAS is loaded
    for _ in range(2):  # the libraries are found once, and limited again at every entry
        with one_blas_thread():
            assert blas_threads() == [1] * len(before)
        assert blas_threads() == before
