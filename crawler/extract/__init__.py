"""Article extraction from one HTML page, with no network: ``extract_article(html, url, hints)``."""

from __future__ import annotations

from typing import Any

from crawler.extract.errors import NotAnArticle
from crawler.extract.record import build_record
from tidings.core.article import Article

__all__ = ["NotAnArticle", "extract_article"]


def extract_article(
    html: str | bytes, url: str, hints: dict[str, Any] | None = None, captions: bool = False
) -> Article:
    """The article record of a page (see :mod:`crawler.extract.record` for ``hints``).

    ``captions``: the body keeps the story's figure captions (off by default: most ground
    truths and readers of a text feed leave them out; :mod:`crawler.extract.captions`).
    Raises :class:`NotAnArticle` (a ValueError) when the page has no title or too little text.
    """
    return build_record(html, url, hints, captions=captions)
