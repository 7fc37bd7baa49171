"""NewsAPI's ``category`` -> Tidings topics, driven by the taxonomy file's ``category`` keys.

A topic belongs to the category its taxonomy entry names, else to its nearest ancestor's
(:meth:`tidings.core.taxonomy.Taxonomy.categories`); ``category=sports`` searches every topic
filed under ``sports``. A category no topic is filed under matches no article.
"""

from __future__ import annotations

from pathlib import Path

from tidings.core.taxonomy import topic_categories


def category_topics(path: str | Path | None, category: str) -> tuple[str, ...]:
    """The topic ids filed under ``category`` (none: the category matches nothing)."""
    return tuple(tid for tid, cat in topic_categories(path).items() if cat == category)
