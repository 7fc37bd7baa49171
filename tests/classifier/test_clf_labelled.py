import json
from pathlib import Path

import pytest

from classifier.labelled import (
    LabelledDataError,
    read_labelled,
    select_split,
    validate_record,
    write_labelled,
)

GOOD = {"id": "1", "title": "T", "text": "body", "topics": ["sport"]}


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_roundtrip_and_split_selection(tmp_path: Path) -> None:
    records = [
        {**GOOD, "id": "a", "split": "train"},
        {**GOOD, "id": "b", "split": "test", "topics": ["x", "y"]},
        {**GOOD, "id": "c"},
    ]
    path = tmp_path / "d.jsonl"
    assert write_labelled(path, records) == 3  # type: ignore[arg-type]
    back = read_labelled(path)
    assert [r["id"] for r in back] == ["a", "b", "c"]
    assert [r["id"] for r in select_split(back, "train")] == ["a", "c"]
    assert [r["id"] for r in select_split(back, "test")] == ["b", "c"]


def test_invalid_json_names_file_and_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "bad.jsonl", [json.dumps(GOOD), "", "{not json"])
    with pytest.raises(LabelledDataError, match=r"bad\.jsonl:3: invalid JSON"):
        read_labelled(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"topics": []}, "'topics' must be a non-empty list"),
        ({"topics": "sport"}, "'topics' must be a non-empty list"),
        ({"title": 5}, "'title' must be a string"),
        ({"split": "dev"}, "'split' must be one of train, test"),
    ],
)
def test_field_errors_name_line(tmp_path: Path, change: dict, message: str) -> None:
    path = write_lines(tmp_path / "d.jsonl", [json.dumps(GOOD), json.dumps({**GOOD, **change})])
    with pytest.raises(LabelledDataError, match=rf"d\.jsonl:2: {message}"):
        read_labelled(path)


def test_errors_are_value_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="file not found"):
        read_labelled(tmp_path / "missing.jsonl")
    with pytest.raises(LabelledDataError, match="expected a JSON object"):
        validate_record([1], "x:1")
