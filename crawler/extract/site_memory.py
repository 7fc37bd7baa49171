"""Site memory: lines that recur in the bodies of many pages of one site are its template.

A single page cannot tell a newsletter prompt, a "more from this section" box or a footer note
from story text when the extractor lets one through; a crawl can, because it sees the same
template around many stories. :class:`SiteMemory` counts, per source, on how many pages each
body line appeared, and :meth:`SiteMemory.clean` drops lines seen on at least
:data:`MIN_PAGES` pages and at least :data:`MIN_SHARE` of the source's pages: a line of story
text (a quote, a standard sentence) rarely recurs on a tenth of a site's stories, a template
line recurs on most of them.

Lines are remembered as 8-byte hashes of their word tokens (case-folded), so memory stays small
and what is kept says nothing about the stories. A page with no memory behind it (``tidings
extract`` on one file, the first pages of a crawl) is left exactly as the extractor made it.
:meth:`SiteMemory.counts` and :meth:`SiteMemory.load` move one source's memory in and out of a
store as plain numbers.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from crawler.extract.blocks import norm

#: A line is template only once it was seen on this many pages of the site...
MIN_PAGES = 3
#: ... and on at least this share of the site's pages seen so far.
MIN_SHARE = 0.1
#: Never drop more than this share of a body's words: a repeated story is still a story.
MAX_DROP_SHARE = 0.4
#: Line hashes kept per source; past this, lines seen on one page only are forgotten.
MAX_LINES = 50_000


def line_key(line: str) -> int:
    """A stable signed 64-bit key (fits an SQLite integer) of a line's word tokens, case-folded
    (a ``- `` list mark ignored)."""
    digest = hashlib.blake2b(norm(line.removeprefix("- ")).casefold().encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


@dataclass
class SourceMemory:
    """What one source's pages have shown so far: pages seen, and pages per line key."""

    pages: int = 0
    lines: Counter[int] = field(default_factory=Counter)

    def learn(self, body: str) -> None:
        """Count each distinct line of one page's body once."""
        self.pages += 1
        self.lines.update({line_key(line) for line in body.splitlines() if norm(line)})
        if len(self.lines) > MAX_LINES:
            self.lines = Counter({k: n for k, n in self.lines.items() if n > 1})

    def is_template(self, line: str) -> bool:
        """Whether the line recurs on enough of this source's pages to be its template."""
        seen = self.lines.get(line_key(line), 0)
        return seen >= MIN_PAGES and seen >= MIN_SHARE * self.pages


@dataclass
class SiteMemory:
    """Per-source template lines, learnt from the bodies of the pages a crawl extracts."""

    sources: dict[str, SourceMemory] = field(default_factory=dict)

    def learn(self, source: str, body: str) -> None:
        """Remember one page's body lines under its source."""
        self.sources.setdefault(source, SourceMemory()).learn(body)

    def clean(self, source: str, body: str) -> str:
        """The body without its source's template lines (unchanged when that would take more
        than :data:`MAX_DROP_SHARE` of its words, or when the source has no memory yet)."""
        memory = self.sources.get(source)
        if memory is None or memory.pages < MIN_PAGES:
            return body
        lines = body.splitlines()
        kept = [line for line in lines if not memory.is_template(line)]
        dropped = sum(len(line.split()) for line in lines) - sum(len(k.split()) for k in kept)
        if dropped > MAX_DROP_SHARE * sum(len(line.split()) for line in lines):
            return body
        return "\n".join(kept)

    def counts(self, source: str) -> tuple[int, dict[int, int]]:
        """(pages seen, pages per line key) of one source: what a store keeps."""
        memory = self.sources.get(source, SourceMemory())
        return memory.pages, dict(memory.lines)

    def load(self, source: str, pages: int, lines: dict[int, int]) -> None:
        """Restore one source's memory from a store (replaces what was there)."""
        self.sources[source] = SourceMemory(pages, Counter(lines))
