"""bench/stories.py on a small labelled file in the ECB+ format: it must work on any such file
(the issue's ``--data FILE.jsonl --out PRED.json``), print both baselines and the online rows,
and write a prediction that covers every article; a record without an id is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from story_corpus import background, corpus

from bench.stories import main


def story_of(article_id: str, title: str) -> str:
    if article_id.startswith("q"):
        return "quake"
    return title.split()[0].lower() if title.split()[0] in ("Baidu", "Nvidia") else article_id


def write_set(path: Path) -> list[dict[str, str]]:
    rows = [
        {"id": a["id"], "topic": "quake" if a["id"][0] == "q" else "earnings",
         "story": story_of(a["id"], a["title"]), "title": a["title"], "text": a["body"]}
        for a in background() + corpus()
    ]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return rows


def test_any_labelled_file_is_clustered_scored_and_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = write_set(tmp_path / "set.jsonl")
    out = tmp_path / "pred.json"
    main(["--data", str(tmp_path / "set.jsonl"), "--out", str(out), "--orders", "2"])
    printed = capsys.readouterr().out
    pred = json.loads(out.read_text())
    assert set(pred) == {r["id"] for r in rows}
    assert len({pred["q1"], pred["q2"], pred["q3"]}) == 1  # one event, three outlets
    assert pred["e1"] != pred["e2"]  # two earnings reports of one week: two stories
    assert "every article alone" in printed and "average-link" in printed
    assert printed.count("online stories, order seed") == 2
    assert "CPU µs per article" in printed


def test_a_record_without_an_id_is_refused_with_its_line(tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('{"id": "a", "title": "t", "text": "x"}\n{"title": "no id"}\n')
    with pytest.raises(SystemExit, match=r"bad.jsonl:2: a record needs an 'id'"):
        main(["--data", str(data)])
