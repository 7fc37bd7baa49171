import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

from classifier.artifact import PIPELINE_FILE, ModelLoadError, load_model, save_model
from classifier.evaluate import evaluate_model, metrics, train_baseline, train_ours
from classifier.text import record_pair

SPORT = ("Late goal", "the striker scored a goal as the league champion won the match")
TECH = ("New app", "the smartphone app runs code in the cloud over the network")


def test_fit_predicts_the_obvious(fitted) -> None:
    assert fitted.labels == ["business", "sport", "technology"]
    assert fitted.predict([SPORT, TECH]) == [["sport"], ["technology"]]
    scores = fitted.scores([SPORT, TECH])
    assert scores.shape == (2, 3)
    assert ((scores >= 0) & (scores <= 1)).all()
    assert fitted.max_labels == 1


def test_save_load_roundtrip(fitted, tmp_path: Path) -> None:
    meta = save_model(fitted, tmp_path / "m", "test-1")
    assert meta["labels"] == fitted.labels
    assert sio.get_untrusted_types(file=tmp_path / "m" / PIPELINE_FILE) == []
    loaded = load_model(tmp_path / "m")
    assert loaded.version == "test-1"
    docs = [SPORT, TECH, ("", ""), ("x", "")]
    np.testing.assert_allclose(loaded.model.scores(docs), fitted.scores(docs))
    assert loaded.model.predict([SPORT]) == [["sport"]]


def test_threshold_fallback(fitted) -> None:
    scores = fitted.scores([SPORT])
    strict = fitted.thresholds.copy()
    fitted.thresholds[:] = 1.01  # nothing can pass
    try:
        assert fitted.decide(scores) == [[("sport", pytest.approx(scores[0, 1]))]]
        assert fitted.decide(scores, fallback=False) == [[]]
    finally:
        fitted.thresholds[:] = strict


def test_multilabel_corpus_gets_several_labels(make_corpus) -> None:
    synthetic = make_corpus
    records = synthetic(n_per_label=40, seed=1, multi=True)
    model = train_ours(records)
    assert model.max_labels == 2
    both = ("Striker app", "goal match league striker software app cloud code network")
    assert set(model.predict([both])[0]) == {"sport", "technology"}
    result = evaluate_model(model, synthetic(n_per_label=10, seed=2, multi=True))
    assert result["micro_f1"] > 0.8


def test_empty_and_tiny_texts_do_not_crash(fitted) -> None:
    assert fitted.scores([]).shape == (0, 3)
    assert len(fitted.predict([("", ""), ("a", "")])) == 2


def test_baseline_and_metrics(corpus) -> None:
    baseline = train_baseline(corpus)
    assert baseline.predict([{"title": SPORT[0], "text": SPORT[1]}]) == [["sport"]]
    m = metrics([["a"], ["b"], ["a", "b"]], [["a"], ["a"], ["a", "b"]])
    assert m["n"] == 3
    assert m["accuracy"] == pytest.approx(2 / 3)
    assert m["per_label"]["a"] == {"precision": 2 / 3, "recall": 1.0, "f1": 0.8, "support": 2}
    assert m["micro_f1"] == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))
    assert m["macro_f1"] == pytest.approx((0.8 + 2 / 3) / 2)


def test_record_pair_feeds_model(corpus) -> None:
    assert record_pair(corpus[0]) == (corpus[0]["title"], corpus[0]["text"])


def _rewrite_version(model_dir: Path, version: str) -> None:
    meta_path = model_dir / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["libraries"]["scikit-learn"] = version
    meta_path.write_text(json.dumps(meta))


def test_sklearn_version_mismatch(fitted, tmp_path: Path) -> None:
    import sklearn

    major, minor = (int(v) for v in sklearn.__version__.split(".")[:2])
    save_model(fitted, tmp_path / "m", "v")
    _rewrite_version(tmp_path / "m", f"{major}.{minor + 1}.0")
    with pytest.warns(UserWarning, match="predictions may differ"):
        load_model(tmp_path / "m")
    _rewrite_version(tmp_path / "m", f"{major + 1}.0.0")
    with pytest.raises(ModelLoadError, match="different major version"):
        load_model(tmp_path / "m")


def test_not_a_model_dir(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="not a model directory"):
        load_model(tmp_path)


def test_untrusted_types_are_refused(tmp_path: Path, fitted) -> None:
    save_model(fitted, tmp_path / "m", "v")
    sio.dump({"f": warnings.warn}, tmp_path / "m" / PIPELINE_FILE)  # a callable: untrusted
    with pytest.raises(ModelLoadError, match="refusing untrusted types"):
        load_model(tmp_path / "m")


def test_explain_names_the_words_that_pushed_a_topic(fitted) -> None:
    x, logits = fitted.margins([SPORT])
    [why] = fitted.explain(x, [["sport"]], top=3)
    terms = [t["term"] for t in why["sport"]]
    assert len(terms) == 3 and set(terms) & {"goal", "striker", "league", "match", "champion"}
    weights = [t["weight"] for t in why["sport"]]
    assert weights == sorted(weights, reverse=True) and weights[-1] > 0
    assert fitted.explain(x, [["nope"]]) == [{}]


def test_model_version_changes_with_the_weights(fitted) -> None:
    from classifier.artifact import model_version

    a = model_version("m", "ab" * 32, model=fitted)
    fitted.intercept[0] += 1.0
    try:
        assert model_version("m", "ab" * 32, model=fitted) != a
    finally:
        fitted.intercept[0] -= 1.0


def test_model_info_records_members_and_tuned_params(fitted) -> None:
    assert fitted.info["members"] == ["words", "chars", "nb"]
    assert set(fitted.info["params"]) == {"words", "chars", "nb"}
    assert set(fitted.info["stack_weights"]) == set(fitted.labels)


def test_any_label_set_and_many_labels(make_corpus) -> None:
    """Nothing assumes few labels or English names: 12 labels with made-up names."""
    records = []
    for k, record in enumerate(make_corpus(n_per_label=24, seed=3)):
        suffix = k % 4
        records.append({**record, "topics": [f"étiquette-{record['topics'][0]}-{suffix}"]})
        vocab = f" marque{suffix}x marque{suffix}y marque{suffix}z"
        records[-1]["text"] += vocab * 3
    model = train_ours(records)
    assert len(model.labels) == 12
    assert evaluate_model(model, records)["accuracy"] > 0.9
