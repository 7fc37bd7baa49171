"""The model commands end to end, through ``tidings.cli.main.main``."""

import json
from pathlib import Path

import pytest

from tidings.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_missing_file_is_one_line_exit_2(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "train", "--data", str(tmp_path / "no.jsonl"), "--out", "x")
    assert code == 2
    assert err.count("\n") == 1
    assert "training data not found" in err


def test_malformed_line_is_one_line_exit_2(capsys, tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    good = {"id": "1", "title": "t", "text": "x", "topics": ["a"]}
    data.write_text(json.dumps(good) + "\n" + '{"id": "2", "title"\n', encoding="utf-8")
    code, _, err = run(capsys, "train", "--data", str(data), "--out", str(tmp_path / "m"))
    assert code == 2
    assert err.count("\n") == 1
    assert "d.jsonl:2: invalid JSON" in err
    code, _, err = run(capsys, "evaluate", "--model", str(tmp_path), "--data", str(data))
    assert code == 2 and err.count("\n") == 1 and "d.jsonl:2" in err


def test_convert_missing_source(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "convert", "bbc", str(tmp_path / "nope"), "--out", "o.jsonl")
    assert code == 2 and err.count("\n") == 1 and "source not found" in err


def test_convert_train_evaluate(capsys, tmp_path: Path, corpus) -> None:
    bbc = tmp_path / "bbc"
    for label, topic in (("sport", "sport"), ("tech", "technology"), ("business", "business")):
        (bbc / label).mkdir(parents=True)
        for i, record in enumerate(r for r in corpus if r["topics"] == [topic]):
            text = f"{record['title']}\n\n{record['text']}"
            (bbc / label / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "bbc.jsonl"
    code, stdout, _ = run(
        capsys, "convert", "bbc", str(bbc), "--out", str(out), "--split-seed", "3"
    )
    assert code == 0 and "wrote 90 records" in stdout
    splits = [json.loads(line)["split"] for line in out.read_text().splitlines()]
    assert splits.count("test") == 18

    model = tmp_path / "model"
    code, stdout, err = run(capsys, "train", "--data", str(out), "--out", str(model))
    assert code == 0, err
    assert "out-of-fold metrics" in stdout
    assert {p.name for p in model.iterdir()} >= {"meta.json", "model-card.md", "pipeline.skops"}
    card = (model / "model-card.md").read_text()
    assert "tidings train --data" in card and "| sport |" in card

    code, stdout, err = run(capsys, "evaluate", "--model", str(model), "--data", str(out), "--json")
    assert code == 0, err
    result = json.loads(stdout)
    assert result["n"] == 18 and result["accuracy"] > 0.8
    assert set(result) >= {"micro_f1", "macro_f1", "accuracy", "per_label", "n"}

    odd = tmp_path / "odd.jsonl"
    odd.write_text(
        json.dumps({"id": "z", "title": "Film", "text": "film", "topics": ["cinema"]}) + "\n"
    )
    code, stdout, err = run(capsys, "evaluate", "--model", str(model), "--data", str(odd))
    assert code == 0
    assert "not trained on (cinema)" in err
    assert "cinema" in stdout


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_evaluate_holdout_trains_both_and_writes_confusion(capsys, tmp_path: Path, corpus) -> None:
    data = _write(tmp_path / "d.jsonl", corpus)  # no split field: a seeded stratified split
    out = tmp_path / "conf"
    code, stdout, err = run(
        capsys, "evaluate", "--data", str(data), "--json", "--confusion-out", str(out)
    )
    assert code == 0, err
    result = json.loads(stdout)
    assert result["mode"].startswith("holdout: seeded stratified split")
    assert result["n"] == 18 and result["accuracy"] > 0.8
    assert set(result["baseline"]) >= {"micro_f1", "macro_f1", "accuracy", "per_label"}
    assert set(result["per_label"]["sport"]) == {"precision", "recall", "f1", "support"}
    text = (out / "confusion.txt").read_text()
    assert "rows: gold label" in text and "(none)" in text and "TP" in text
    assert (out / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_evaluate_cv_prints_ours_and_baseline(capsys, tmp_path: Path, corpus) -> None:
    data = _write(tmp_path / "d.jsonl", corpus)
    code, stdout, err = run(capsys, "evaluate", "--data", str(data), "--cv", "3")
    assert code == 0, err
    assert "fold 3/3" in err
    assert "ours " in stdout and "baseline " in stdout and "ours - baseline" in stdout


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([{"id": "1", "title": "", "text": "", "topics": ["a"]}] * 4
         + [{"id": "2", "title": "", "text": "", "topics": ["b"]}] * 4, "no usable text"),
        ([{"id": "1", "title": "t", "text": "x", "topics": ["a"]}] * 8, "two distinct topics"),
    ],
)  # fmt: skip
def test_unusable_training_data_is_exit_2(capsys, tmp_path: Path, records, message) -> None:
    data = _write(tmp_path / "d.jsonl", records)
    code, _, err = run(capsys, "train", "--data", str(data), "--out", str(tmp_path / "m"))
    assert code == 2 and "Traceback" not in err
    assert err.splitlines()[-1].startswith("tidings train: error:") and message in err


def test_bad_lines_name_the_line(capsys, tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(
        json.dumps({"id": "1", "title": "t", "text": "x", "topics": ["a"]})
        + '\n\n{"id": "2", "title": "t", "text": "x", "topics": []}\n'
    )
    code, _, err = run(capsys, "evaluate", "--data", str(data))
    assert code == 2 and "d.jsonl:3: 'topics' must be a non-empty list" in err
    data.write_bytes(b'{"id": "1", "title": "\xff", "text": "x", "topics": ["a"]}\n')
    code, _, err = run(capsys, "evaluate", "--data", str(data))
    assert code == 2 and "d.jsonl:1: not UTF-8" in err


def test_odd_documents_do_not_crash(fitted) -> None:
    docs = [
        ("", ""),
        ("x", ""),
        ("Финансовые рынки", "Акции выросли после отчёта компании. " * 20),
        ("北京", "今天的比赛非常精彩。" * 50),
        ("Huge", "goal striker match " * 200_000),  # ~600k words: cut to MAX_WORDS
    ]
    scores = fitted.scores(docs)
    assert scores.shape == (5, 3) and ((scores >= 0) & (scores <= 1)).all()
    assert fitted.predict(docs[-1:]) == [["sport"]]
