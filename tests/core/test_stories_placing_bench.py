"""``bench/stories.py --placing`` and ``--scale --checkpoints``: the benches that compare two
versions' placing cost on the same input must place through the real write path, write every
placement, and give a saved state's window the same stories on every run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from story_corpus import as_records, background, corpus

from bench.stories import main


def write_records(folder: Path) -> tuple[Path, list[dict[str, Any]]]:
    """The story corpus as a records cache, as ``--placing`` reads it."""
    rows = as_records(background() + corpus())
    path = folder / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path, rows


def test_the_placing_bench_stores_every_record_and_writes_its_story(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records, rows = write_records(tmp_path)
    out = tmp_path / "placed.json"
    main(["--placing", "--records", str(records), "--repeat", "1", "--out", str(out)])
    placed = json.loads(out.read_text())
    articles, stories = placed["articles"], placed["stories"]
    assert len(articles) == 2 * len(rows)  # the records and one copy of each under a new id
    assert articles["q1"] == articles["q2"] == articles["q3"] != articles["e1"]
    assert articles["q1-1"] == articles["q1"]  # a copy joins the story of what it copies
    assert sorted(a for members in stories.values() for a in members) == sorted(articles)
    assert all(articles[a] == sid for sid, members in stories.items() for a in members)
    row = capsys.readouterr().out.strip().splitlines()[-1]
    assert row.startswith(f"| {2 * len(rows)} | {len(stories)} | ")


def test_the_split_accounts_for_all_of_placing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records, _ = write_records(tmp_path)
    main(["--placing", "--records", str(records), "--split"])
    table = capsys.readouterr().out.strip().splitlines()[2:]
    cells = {row.split(" | ")[0].strip("| "): row.split(" | ")[1:] for row in table}
    assert float(cells["features"][0]) > 0 and float(cells["placing (all)"][0]) > 0
    top = ["open: catch up, known stories", "features", "clusterer: count and weigh",
           "clusterer: candidates and scores", "clusterer: join and post", "finish (all)",
           "rest (ids, assignment, timers)"]  # fmt: skip
    shares = sum(float(cells[part][1].strip(" |%")) for part in top)
    assert shares == pytest.approx(100, abs=0.5)  # the parts add up to placing


def test_a_checkpoint_gives_the_same_window_to_every_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "checkpoints"
    main(["--scale", "--sizes", "150", "300", "--checkpoints", str(folder)])
    first = capsys.readouterr().out.strip().splitlines()
    assert sorted(p.name for p in folder.iterdir()) == ["150.pickle", "300.pickle"]
    main(["--scale", "--sizes", "150", "300", "--checkpoints", str(folder)])
    again = capsys.readouterr().out.strip().splitlines()
    placed = [[row.split(" | ")[:2] + row.split(" | ")[3:4] for row in rows[2:]]
              for rows in (first, again)]  # fmt: skip
    assert placed[0] == placed[1] and [r[0] for r in placed[0]] == ["| 150", "| 300"]
    assert placed[0][0][2] != placed[0][1][2]  # the digest tells two windows apart
