"""What the browser tests share (importable by name; conftest modules are not)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "search_api"))
from api_corpus import XSS_TITLE, build_home, raw_articles  # noqa: E402

__all__ = ["XSS_TITLE", "Site", "build_home", "raw_articles"]


@dataclass(frozen=True)
class Site:
    """The two loopback origins: the Tidings app and a host page that embeds its widget."""

    app: str  # e.g. http://127.0.0.1:41234
    host: str  # e.g. http://localhost:41235 (another origin)
    articles: list[dict[str, Any]]

    def article(self, title: str) -> dict[str, Any]:
        return next(a for a in self.articles if a["title"] == title)
