import collections
from pathlib import Path

import pytest

from classifier.converters import (
    ConversionError,
    assign_split,
    clean_ag_text,
    convert_agnews,
    convert_bbc,
)


def make_bbc(root: Path) -> Path:
    base = root / "bbc" / "bbc"
    for category in ("business", "tech", "sport"):
        (base / category).mkdir(parents=True)
        for i in range(1, 6):
            text = f"{category} title {i}\n\nFirst paragraph of {category} story {i}.\n"
            (base / category / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    (base / "sport" / "006.txt").write_bytes("Café win\n\nThe café team won 2-0.".encode("latin-1"))
    return root / "bbc"


def test_bbc_folder_maps_labels_and_reads_latin1(tmp_path: Path) -> None:
    records = convert_bbc(make_bbc(tmp_path))
    counts = collections.Counter(r["topics"][0] for r in records)
    assert counts == {"business": 5, "technology": 5, "sport": 6}
    latin = next(r for r in records if r["id"] == "bbc-sport-006")
    assert latin["title"] == "Café win"
    assert latin["text"] == "The café team won 2-0."
    first = next(r for r in records if r["id"] == "bbc-tech-001")
    assert first["title"] == "tech title 1"
    assert first["text"].startswith("First paragraph")


def test_bbc_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match="not found"):
        convert_bbc(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConversionError, match="no BBC category"):
        convert_bbc(tmp_path / "empty")


def test_agnews_csv_unescapes(tmp_path: Path) -> None:
    csv_path = tmp_path / "test.csv"
    csv_path.write_text(
        '"2","Team wins #39;big#39; final","A second\\team won\\\\""Great"" he said, \\$5"\n'
        '"4","Chip news","New chips"\n',
        encoding="utf-8",
    )
    records = convert_agnews(csv_path)
    assert [r["topics"] for r in records] == [["sport"], ["technology"]]
    assert records[0]["title"] == "Team wins 'big' final"
    assert records[0]["text"] == 'A second\nteam won\n"Great" he said, $5'


def test_agnews_bad_row(tmp_path: Path) -> None:
    csv_path = tmp_path / "test.csv"
    csv_path.write_text('"1","ok","fine"\n"9","bad","class"\n', encoding="utf-8")
    with pytest.raises(ConversionError, match=r"test\.csv:2"):
        convert_agnews(csv_path)


def test_agnews_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    csv_path = tmp_path / "train.csv"
    csv_path.write_bytes(b'"1","ok","fine"\n' + b"\x89PNG\r\n\x1a\n" * 2000)
    with pytest.raises(ConversionError) as caught:  # was the codec's message, naming no file
        convert_agnews(csv_path)
    assert str(caught.value) == f"{csv_path}: not UTF-8 text"


def test_clean_entities() -> None:
    assert clean_ag_text("price #36;10 #151; up") == "price $10 \u2014 up"


def test_split_is_seeded_and_stratified(tmp_path: Path) -> None:
    records = convert_bbc(make_bbc(tmp_path))
    a = [r["split"] for r in assign_split([dict(r) for r in records], 0.2, seed=7)]
    b = [r["split"] for r in assign_split([dict(r) for r in records], 0.2, seed=7)]
    assert a == b
    tests = collections.Counter(
        r["topics"][0] for r, s in zip(records, a, strict=True) if s == "test"
    )
    assert tests == {"business": 1, "technology": 1, "sport": 1}
