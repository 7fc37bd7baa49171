"""Keep spaCy's tokenizer cache warm for text tokenized inside memory zones.

NER and the keyword rules tokenize inside ``memory_zone()`` so a long crawl's vocabulary does
not grow for ever. But inside a zone spaCy caches no tokenization and keeps no lexeme: every
word of every batch is split into affixes again and gets a new lexeme (about fifteen Python
attribute functions each). On real news pages that was ~40% of tagging's CPU (a profile of
263 real pages: 11 of 29 s in the tokenizer, 5.7 s of it creating lexemes).

:class:`TokenCache` counts the whitespace-separated chunks of the texts it is shown and
tokenizes, once and outside any zone, each chunk seen twice, so the tokenizer caches it and its
lexemes stay; at most as many chunks as the tokenizer's cache holds (``max_cache_size``, 10,000
by default), so memory stays bounded. Tokens, and so entities and rule matches, are the same
either way: the cache holds exactly the tokenization the tokenizer would compute.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: A chunk is cached once it has been seen this many times.
PROMOTE_AT = 2
#: Counts are dropped when this many distinct chunks wait (rare words never reach PROMOTE_AT).
MAX_COUNTED = 200_000


class TokenCache:
    """Learns the frequent chunks of ``nlp``'s texts into its tokenizer cache."""

    def __init__(self, nlp: Any, limit: int | None = None) -> None:
        self.nlp = nlp
        self.limit = nlp.tokenizer.max_cache_size if limit is None else limit
        self.promoted: set[str] = set()
        self._counts: dict[str, int] = {}

    @property
    def full(self) -> bool:
        return len(self.promoted) >= self.limit

    def learn(self, texts: Iterable[str]) -> int:
        """Count the chunks of ``texts``; cache those seen often enough. Call it outside
        memory zones (inside one it does nothing); returns how many chunks it cached."""
        if self.full or self.nlp.vocab.in_memory_zone:
            return 0
        fresh: list[str] = []
        room = self.limit - len(self.promoted)
        counts = self._counts
        for text in texts:
            for chunk in text.split():
                if chunk in self.promoted:
                    continue
                seen = counts.get(chunk, 0) + 1
                counts[chunk] = seen
                if seen == PROMOTE_AT and len(fresh) < room:
                    fresh.append(chunk)
        if fresh:
            self.promoted.update(fresh)
            for chunk in fresh:
                del counts[chunk]
            self.nlp.tokenizer(" ".join(fresh))
        if len(counts) > MAX_COUNTED:
            counts.clear()
        return len(fresh)
