"""Write sources files: ``[[sources]]`` tables as TOML text, and append one to a file safely.

Only the value kinds a source uses are written (strings, whole numbers, booleans, lists of
strings). Appending validates the whole resulting file before it replaces the old one, so a
bad or duplicate source never leaves a broken file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crawler.sources import Source, SourcesError, parse_sources

KEY_ORDER = (
    "id", "name", "home", "feeds", "sitemaps", "sections", "allowed_domains", "follow_links",
    "depth", "interval", "language", "topics",
)  # fmt: skip
#: Lists longer than this (or with long items) go one item per line.
INLINE_ITEMS = 2


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, list | tuple):
        items = [_value(v) for v in value]
        if len(items) <= INLINE_ITEMS and sum(map(len, items)) < 70:
            return f"[{', '.join(items)}]"
        return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to a sources file")


def source_table(raw: dict[str, Any], comment: str | None = None) -> str:
    """One ``[[sources]]`` table; empty values are left out, keys in the documented order."""
    lines = [f"# {line}".rstrip() for line in (comment or "").splitlines()]
    lines.append("[[sources]]")
    keys = [k for k in KEY_ORDER if k in raw] + sorted(set(raw) - set(KEY_ORDER))
    for key in keys:
        value = raw[key]
        if value is None or value == [] or value == ():
            continue
        lines.append(f"{key} = {_value(value)}")
    return "\n".join(lines) + "\n"


def dump_sources(raws: Iterable[dict[str, Any]], header: str | None = None) -> str:
    """A whole sources file."""
    parts = [f"# {line}".rstrip() for line in (header or "").splitlines()]
    text = "\n".join(parts) + ("\n\n" if parts else "")
    return text + "\n".join(source_table(raw) for raw in raws)


def append_source(path: str | Path, raw: dict[str, Any]) -> Source:
    """Append a source to ``path`` (created if missing) after validating the result.

    Raises :class:`SourcesError` (nothing written) if the source is invalid or its id is taken.
    """
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    new = (old.rstrip() + "\n\n" if old.strip() else "") + source_table(raw)
    before = len(parse_sources(old, str(path))) if old.strip() else 0
    sources = parse_sources(new, str(path))
    added = sources[-1]
    if len(sources) != before + 1 or added.id != raw.get("id"):
        raise SourcesError(f"{path}: cannot append: the file's tables are not [[sources]]")
    write_atomically(path, new)
    return added


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path``'s content in one step (a crash leaves the old or the new file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
