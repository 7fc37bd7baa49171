"""Labelled data (JSON Lines) for ``tidings train`` / ``tidings evaluate``.

One object per line: ``{"id", "title", "text", "topics": [...], "split"?}``. Errors name the file
and the line so a bad corpus is fixed at the source rather than debugged in a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NotRequired, TypedDict

SPLITS = ("train", "test")


class LabelledRecord(TypedDict):
    id: str
    title: str
    text: str
    topics: list[str]
    split: NotRequired[str]


class LabelledDataError(ValueError):
    """A labelled-data file is missing or malformed; the message names file and line."""


def validate_record(obj: Any, where: str) -> LabelledRecord:
    """Check one decoded object against the contract; ``where`` prefixes the error message."""
    if not isinstance(obj, dict):
        raise LabelledDataError(f"{where}: expected a JSON object")
    for key in ("id", "title", "text"):
        if not isinstance(obj.get(key), str):
            raise LabelledDataError(f"{where}: '{key}' must be a string")
    topics = obj.get("topics")
    if (
        not isinstance(topics, list)
        or not topics
        or not all(isinstance(t, str) and t.strip() for t in topics)
    ):
        raise LabelledDataError(f"{where}: 'topics' must be a non-empty list of strings")
    record: LabelledRecord = {
        "id": obj["id"],
        "title": obj["title"],
        "text": obj["text"],
        "topics": list(dict.fromkeys(t.strip() for t in topics)),
    }
    split = obj.get("split")
    if split is not None:
        if split not in SPLITS:
            raise LabelledDataError(f"{where}: 'split' must be one of {', '.join(SPLITS)}")
        record["split"] = split
    return record


def read_labelled(path: str | Path) -> list[LabelledRecord]:
    """All records of a JSON Lines file (blank lines skipped); raises LabelledDataError."""
    p = Path(path)
    if not p.is_file():
        raise LabelledDataError(f"{p}: file not found")
    records: list[LabelledRecord] = []
    n = 0
    with p.open(encoding="utf-8", errors="strict") as fh:
        try:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise LabelledDataError(f"{p}:{n}: invalid JSON ({exc.msg})") from None
                records.append(validate_record(obj, f"{p}:{n}"))
        except UnicodeDecodeError:
            raise LabelledDataError(f"{p}:{n + 1}: not UTF-8 text") from None
    if not records:
        raise LabelledDataError(f"{p}: no records")
    return records


def select_split(records: Iterable[LabelledRecord], split: str) -> list[LabelledRecord]:
    """Records of ``split`` plus those without a split (a corpus without splits is used whole)."""
    return [r for r in records if r.get("split", split) == split]


def write_labelled(path: str | Path, records: Iterable[LabelledRecord]) -> int:
    """Write records as JSON Lines (UTF-8); returns how many were written."""
    n = 0
    with Path(path).open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    return n
