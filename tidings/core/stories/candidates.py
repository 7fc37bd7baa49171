"""The sketch that finds candidate stories for a new article without scanning every story.

Each story is posted under its strongest terms and entities; an article looks up its own
strongest ones and the stories hit most often are its candidates. Every posting list keeps only
the stories that used the term most recently, so a lookup costs the same at a thousand stories
as at a million (a story that went quiet drops out of busy lists first, as it should).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


class CandidateSketch:
    """term -> the most recent stories posted under it (bounded), and a hit-count lookup."""

    def __init__(self, per_term: int = 64) -> None:
        self.per_term = per_term
        self._postings: dict[str, dict[str, None]] = {}

    def post(self, story_id: str, terms: Iterable[str]) -> None:
        """Record that ``story_id`` now uses ``terms`` (it moves to the recent end of each list)."""
        for term in terms:
            posting = self._postings.setdefault(term, {})
            posting.pop(story_id, None)
            posting[story_id] = None
            if len(posting) > self.per_term:
                del posting[next(iter(posting))]

    def candidates(self, terms: Iterable[str], limit: int) -> list[str]:
        """The stories sharing most of ``terms``, most hits first (ties: most recent first)."""
        hits: Counter[str] = Counter()
        for term in terms:
            posting = self._postings.get(term)
            if posting:
                hits.update(reversed(posting))
        return [story for story, _ in hits.most_common(limit)]
