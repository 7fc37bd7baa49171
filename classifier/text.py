"""The text the topic model sees, built the same way for training records and crawled articles.

Two views per document: the whole text (title twice, since headlines carry the topic, plus at
most ``MAX_WORDS`` words: huge bodies add cost, not signal) for word n-grams, and a short lead
for character n-grams (robust to spelling and morphology, but costly on long text).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

MAX_WORDS = 2000
LEAD_CHARS = 300


def _truncate_words(text: str, limit: int = MAX_WORDS) -> str:
    words = text.split(None, limit)
    return " ".join(words[:limit])


def model_inputs(docs: Iterable[tuple[str, str]]) -> np.ndarray:
    """(title, text) pairs -> an (n, 2) object array: [full text, title + lead]."""
    rows = []
    for title, text in docs:
        title = (title or "").strip()
        text = text or ""
        full = f"{title}. {title}. {_truncate_words(text)}" if title else _truncate_words(text)
        lead = f"{title}. {text[:LEAD_CHARS]}" if title else text[:LEAD_CHARS]
        rows.append((full, lead))
    out = np.empty((len(rows), 2), dtype=object)
    for i, row in enumerate(rows):
        out[i, 0], out[i, 1] = row
    return out


def article_pair(article: Mapping[str, Any]) -> tuple[str, str]:
    """(title, text) of an article record: summary and body together are its text."""
    summary = article.get("summary") or ""
    body = article.get("body") or ""
    if summary and body.startswith(summary[:80]):
        summary = ""  # many extractors repeat the standfirst as the body's first paragraph
    return article.get("title") or "", f"{summary}\n{body}".strip()


def record_pair(record: Mapping[str, Any]) -> tuple[str, str]:
    """(title, text) of a labelled record."""
    return record.get("title") or "", record.get("text") or ""
