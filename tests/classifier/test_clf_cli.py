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
