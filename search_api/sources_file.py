"""The sources file under the home directory (``<home>/sources.toml``): read it, append to it.

``POST /api/v1/sources`` adds a ``[[sources]]`` table here and ``POST /api/v1/crawl`` runs
``tidings crawl --sources`` on it. Writes hold an exclusive lock on a side file and replace the
file atomically, so two workers adding sources at once cannot corrupt it.
"""

from __future__ import annotations

import fcntl
import json
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FILE_NAME = "sources.toml"


class SourceExists(ValueError):
    """A source with this id is already in the file."""


def path_in(home: Path) -> Path:
    return Path(home) / FILE_NAME


def read_sources(path: Path) -> list[dict[str, Any]]:
    """The ``[[sources]]`` tables of ``path`` ([] if the file is missing or unreadable)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return []
    tables = data.get("sources", data.get("source"))
    return [t for t in tables if isinstance(t, dict)] if isinstance(tables, list) else []


def add_source(path: Path, source: dict[str, Any]) -> None:
    """Append one source table; :class:`SourceExists` if its id is taken."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        if any(s.get("id") == source["id"] for s in read_sources(path)):
            raise SourceExists(source["id"])
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        new = (old.rstrip("\n") + "\n\n" if old.strip() else "") + to_toml(source)
        tmp = path.with_suffix(".toml.tmp")
        tmp.write_text(new, encoding="utf-8")
        os.replace(tmp, path)


def to_toml(source: dict[str, Any]) -> str:
    """One ``[[sources]]`` table (strings, booleans, integers and lists of strings)."""
    lines = ["[[sources]]"]
    for key, value in source.items():
        if value is None or value == []:
            continue
        lines.append(f"{key} = {_value(value)}")
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        # JSON's escapes (\" \\ \n \uXXXX ...) are TOML basic-string escapes too
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path.with_suffix(".toml.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
