"""The sketch that finds candidate stories for a new article without scanning every story.

Each story is posted under its strongest terms and entities; an article looks up its own
strongest ones and the stories hit most often are its candidates. Every posting list keeps only
the stories that used the term most recently, so a lookup costs the same at a thousand stories
as at a million (a story that went quiet drops out of busy lists first, as it should).

Memory is bounded too: a story stays posted under at most ``per_story`` terms (the ones it used
last), a story that goes quiet leaves every list (:meth:`CandidateSketch.forget`), and an empty
list is dropped, so the sketch holds at most ``live stories * per_story`` entries however many
distinct terms the corpus has seen.

Both sides are plain lists in recency order (least recent first), not ordered dicts: most
terms are posted by one or two stories, and a list of one costs 64 bytes where a dict costs
184 or more. Moving an item to the recent end scans the list (at most ``per_term`` or
``per_story`` items, in C), which costs about what the dicts' look-ups did at these lengths.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable


def _to_end(items: list[str], item: str) -> None:
    """``item`` last in ``items`` (moved there if it was in, appended if not)."""
    if item in items:
        items.remove(item)
    items.append(item)


class CandidateSketch:
    """term -> the most recent stories posted under it (bounded), and a hit-count lookup."""

    def __init__(self, per_term: int = 64, per_story: int = 128) -> None:
        self.per_term = per_term
        self.per_story = per_story
        self._postings: dict[str, list[str]] = {}  # term -> its stories, least recent first
        self._terms: dict[str, list[str]] = {}  # story -> its terms, least recent first

    def post(self, story_id: str, terms: Iterable[str]) -> None:
        """Record that ``story_id`` now uses ``terms`` (it moves to the recent end of each list)."""
        mine = self._terms.setdefault(story_id, [])
        for term in terms:
            posting = self._postings.get(term)
            if posting is None:
                self._postings[term] = [story_id]
            else:
                _to_end(posting, story_id)
                if len(posting) > self.per_term:
                    self._unpost(posting[0], term)
            _to_end(mine, term)
        while len(mine) > self.per_story:
            self._unpost(story_id, mine[0])

    def forget(self, story_id: str) -> None:
        """The story went quiet: take it out of every list it is in."""
        for term in self._terms.pop(story_id, ()):
            self._drop_posting(story_id, term)

    def _unpost(self, story_id: str, term: str) -> None:
        self._drop_posting(story_id, term)
        mine = self._terms[story_id]
        mine.remove(term)
        if not mine:
            del self._terms[story_id]

    def _drop_posting(self, story_id: str, term: str) -> None:
        posting = self._postings[term]
        posting.remove(story_id)
        if not posting:
            del self._postings[term]

    def candidates(self, terms: Iterable[str], limit: int) -> list[str]:
        """The stories sharing most of ``terms``, most hits first (ties: most recent first)."""
        hits: Counter[str] = Counter()
        for term in terms:
            posting = self._postings.get(term)
            if posting:
                hits.update(reversed(posting))
        return [story for story, _ in hits.most_common(limit)]

    def entries(self) -> int:
        """How many (term, story) pairs are posted: the sketch's size."""
        return sum(map(len, self._postings.values()))
