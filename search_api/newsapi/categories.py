"""NewsAPI's ``category`` <-> Tidings topics, driven by the taxonomy file's ``category`` keys.

A topic belongs to the category its taxonomy entry names, else to its nearest ancestor's
(:meth:`tidings.core.taxonomy.Taxonomy.categories`); ``category=sports`` searches every topic
filed under ``sports``. A category no topic is filed under matches no article.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from tidings.core.taxonomy import CATEGORIES, DEFAULT_TAXONOMY, TaxonomyError, load_taxonomy

log = logging.getLogger(__name__)

__all__ = ["CATEGORIES", "category_topics", "topic_categories"]


def topic_categories(path: str | Path | None) -> dict[str, str]:
    """Topic id -> category for the taxonomy at ``path`` (reread when the file changes; empty,
    and logged, when it cannot be read: the endpoints still answer, without categories)."""
    p = Path(path) if path is not None else DEFAULT_TAXONOMY
    try:
        return _categories(p, p.stat().st_mtime_ns)
    except (OSError, TaxonomyError) as exc:
        log.warning("taxonomy categories unavailable: %s", exc)
        return {}


def category_topics(path: str | Path | None, category: str) -> tuple[str, ...]:
    """The topic ids filed under ``category`` (none: the category matches nothing)."""
    return tuple(tid for tid, cat in topic_categories(path).items() if cat == category)


@lru_cache(maxsize=4)
def _categories(path: Path, mtime_ns: int) -> dict[str, str]:
    return load_taxonomy(path).categories()
