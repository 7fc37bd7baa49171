"""Turn the public corpora (BBC News folder, AG News CSV) into labelled records.

Their class names are mapped onto taxonomy ids here, so training and tagging speak one
vocabulary; any other corpus only has to be written as labelled JSON Lines.
"""

from __future__ import annotations

import csv
import hashlib
import html
import random
import re
from collections import defaultdict
from pathlib import Path

from classifier.labelled import LabelledRecord

#: BBC folder name -> taxonomy id.
BBC_LABELS = {
    "business": "business",
    "entertainment": "entertainment",
    "politics": "politics",
    "sport": "sport",
    "tech": "technology",
}
#: AG News class number (1-4, see classes.txt) -> taxonomy id.
AG_LABELS = {"1": "world", "2": "sport", "3": "business", "4": "technology"}

_AG_ENTITY = re.compile(r"#(\d+);")
_AG_BACKSLASH = re.compile(r"\\\\|\\(?=[^$])")


class ConversionError(ValueError):
    """The source corpus is missing or not in the expected layout."""


def _read_text(path: Path) -> str:
    """UTF-8, with a Latin-1 fallback: one BBC file is Latin-1."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def convert_bbc(root: str | Path) -> list[LabelledRecord]:
    """Records from a BBC folder: ``<root>/<category>/NNN.txt`` (or ``<root>/bbc/<category>``)."""
    base = Path(root)
    if not base.is_dir():
        raise ConversionError(f"BBC folder not found: {base}")
    if not any((base / c).is_dir() for c in BBC_LABELS) and (base / "bbc").is_dir():
        base = base / "bbc"
    records: list[LabelledRecord] = []
    for category, topic in sorted(BBC_LABELS.items()):
        folder = base / category
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.txt")):
            title, _, body = _read_text(path).strip().partition("\n")
            records.append(
                {
                    "id": f"bbc-{category}-{path.stem}",
                    "title": title.strip(),
                    "text": body.strip(),
                    "topics": [topic],
                }
            )
    if not records:
        raise ConversionError(f"no BBC category folders with .txt files under {base}")
    return records


def _ag_entity(match: re.Match[str]) -> str:
    code = int(match.group(1))
    if 128 <= code < 256:  # Windows-1252 code points written as numbers
        return bytes([code]).decode("cp1252", errors="replace")
    return chr(code) if code < 0x110000 else match.group(0)


def clean_ag_text(value: str) -> str:
    """Undo AG News escapes: backslash line breaks, ``\\$`` and ``#39;``-style entities."""
    value = _AG_BACKSLASH.sub("\n", value).replace("\\$", "$")
    value = html.unescape(_AG_ENTITY.sub(_ag_entity, value))
    return re.sub(r"[ \t]+", " ", value).strip()


def convert_agnews(csv_path: str | Path) -> list[LabelledRecord]:
    """Records from an AG News CSV (no header: class 1-4, title, description)."""
    path = Path(csv_path)
    if not path.is_file():
        raise ConversionError(f"AG News CSV not found: {path}")
    records: list[LabelledRecord] = []
    with path.open(encoding="utf-8", newline="") as fh:
        try:
            for n, row in enumerate(csv.reader(fh), start=1):
                if not row:
                    continue
                if len(row) != 3 or row[0].strip() not in AG_LABELS:
                    raise ConversionError(f"{path}:{n}: expected 3 columns with class 1-4")
                records.append(
                    {
                        "id": f"ag-{path.stem}-{n}",
                        "title": clean_ag_text(row[1]),
                        "text": clean_ag_text(row[2]),
                        "topics": [AG_LABELS[row[0].strip()]],
                    }
                )
        except UnicodeDecodeError:  # the decoder's own message does not name the file
            raise ConversionError(f"{path}: not UTF-8 text") from None
    if not records:
        raise ConversionError(f"{path}: no rows")
    return records


def assign_split(
    records: list[LabelledRecord], test_fraction: float = 0.2, seed: int = 0
) -> list[LabelledRecord]:
    """Set a seeded ``split`` stratified on the first topic (same seed, same split)."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError("test_fraction must be between 0 and 1")
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        by_label[record["topics"][0]].append(i)
    rng = random.Random(seed)
    test: set[int] = set()
    for label in sorted(by_label):
        idx = by_label[label]
        rng.shuffle(idx)
        test.update(idx[: round(len(idx) * test_fraction)])
    for i, record in enumerate(records):
        record["split"] = "test" if i in test else "train"
    return records


def sha256_tree(path: str | Path) -> str:
    """sha256 of a file, or of a folder as the sorted "relative-path sha256" lines of its files."""
    root = Path(path)
    if root.is_file():
        return sha256_file(root)
    lines = [
        f"{p.relative_to(root).as_posix()} {sha256_file(p)}\n"
        for p in sorted(root.rglob("*"))
        if p.is_file()
    ]
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file (model cards record the data they were trained on)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
