"""What the crawler needs from a tagger, without importing the classifier.

The CLI builds a :class:`classifier.tagger.Tagger` and hands it to the crawler pipeline, which
only knows this protocol: so ``crawler`` never imports ``classifier``.
"""

from __future__ import annotations

from typing import Any, Protocol


class ArticleTagger(Protocol):
    def tag(self, articles: list[dict[str, Any]]) -> None:
        """Add ``topics``, ``entities`` and ``model_version`` to each article, in place."""
