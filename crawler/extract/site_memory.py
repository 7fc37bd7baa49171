"""Site memory: lines that recur in the bodies of many pages of one site are its template.

A single page cannot tell a newsletter prompt, a "more from this section" box or a footer note
from story text when the extractor lets one through; a crawl can, because it sees the same
template around many stories. :class:`SiteMemory` counts, per source, on how many pages each
body line appeared; a line seen on at least :data:`MIN_PAGES` pages and at least
:data:`MIN_SHARE` of the source's pages is template: a line of story text (a quote, a standard
sentence) rarely recurs on a tenth of a site's stories, a template line recurs on most of them.

Lines are remembered as 8-byte hashes of their word tokens (case-folded), so memory stays small
and what is kept says nothing about the stories. A page with no memory behind it (``tidings
extract`` on one file, a site's first pages) is left exactly as the extractor made it.

In a crawl (see ``docs/architecture.md``) the spider puts a source's current template, one
frozen set of line keys shared by all its pages (:meth:`SiteMemory.template`), into each page's
hints under :data:`TEMPLATE_HINT`; extraction, in whichever worker process, drops those lines
(:func:`strip_template`) and returns the page's own line keys under :data:`LINES_KEY`, which
the spider learns. The counts are loaded from the store per source on first use and saved to
it as increments (:meth:`SiteMemory.take_unsaved`), so the next crawl starts with them.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from crawler.extract.blocks import line_text, norm

#: A line is template only once it was seen on this many pages of the site...
MIN_PAGES = 3
#: ... and on at least this share of the site's pages seen so far.
MIN_SHARE = 0.1
#: Never drop more than this share of a body's words: a repeated story is still a story.
MAX_DROP_SHARE = 0.4
#: Line hashes kept per source; past this, lines seen on one page only are forgotten.
MAX_LINES = 20_000
#: A source's template is worked out again once it learnt this share of the pages it had seen
#: (every page while it has fewer than 32, then every 1/32 more): thresholds move slowly.
REFRESH_SHARE = 1 / 32
#: Hint key: the frozen set of template line keys extraction drops from the page's body.
TEMPLATE_HINT = "site_template"
#: Record key (taken out again by the crawl): the page's own line keys, before any was dropped.
LINES_KEY = "_site_lines"

#: A store's counts of one source: (pages seen, pages per line key).
Counts = tuple[int, dict[int, int]]


def line_key(line: str) -> int:
    """A stable signed 64-bit key (fits an SQL BIGINT) of a line's word tokens, case-folded
    (a ``- `` list mark ignored)."""
    digest = hashlib.blake2b(line_text(line).casefold().encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def body_keys(body: str) -> tuple[int, ...]:
    """The distinct line keys of a body (what one page teaches a site's memory)."""
    return tuple({line_key(line) for line in body.splitlines() if norm(line)})


def strip_template(body: str, template: frozenset[int]) -> str:
    """The body without its template lines (unchanged when that would take more than
    :data:`MAX_DROP_SHARE` of its words, or when the template is empty)."""
    if not template:
        return body
    lines = body.splitlines()
    kept = [line for line in lines if line_key(line) not in template]
    if len(kept) == len(lines):
        return body
    total = sum(len(line.split()) for line in lines)
    if total - sum(len(k.split()) for k in kept) > MAX_DROP_SHARE * total:
        return body
    return "\n".join(kept)


@dataclass
class SourceMemory:
    """What one source's pages have shown: pages seen, pages per line key, and the increments
    not yet saved to the store."""

    pages: int = 0
    lines: Counter[int] = field(default_factory=Counter)
    unsaved_pages: int = 0
    unsaved: Counter[int] = field(default_factory=Counter)
    _template: frozenset[int] = frozenset()
    _template_pages: int = -1

    def learn(self, keys: Iterable[int]) -> None:
        """Count one page's distinct line keys once each."""
        keys = set(keys)
        self.pages += 1
        self.unsaved_pages += 1
        self.lines.update(keys)
        self.unsaved.update(keys)
        if len(self.lines) > MAX_LINES:
            self.lines = Counter({k: n for k, n in self.lines.items() if n > 1})

    def template(self) -> frozenset[int]:
        """The line keys that are template now (one object until it is worked out again)."""
        stale = self.pages - self._template_pages >= max(1, self.pages * REFRESH_SHARE)
        if self._template_pages < 0 or stale:
            least = max(MIN_PAGES, MIN_SHARE * self.pages)
            self._template = frozenset(k for k, n in self.lines.items() if n >= least)
            self._template_pages = self.pages
        return self._template


@dataclass
class SiteMemory:
    """Per-source template lines, learnt from the bodies of the pages a crawl extracts.

    ``load`` (a store's :meth:`~tidings.core.store.site_templates.SiteTemplateStore.site_lines`)
    gives a source's saved counts the first time the source is used.
    """

    load: Callable[[str], Counts] | None = None
    sources: dict[str, SourceMemory] = field(default_factory=dict)

    def _memory(self, source: str) -> SourceMemory:
        memory = self.sources.get(source)
        if memory is None:
            pages, lines = self.load(source) if self.load is not None else (0, {})
            memory = self.sources[source] = SourceMemory(pages, Counter(lines))
        return memory

    def learn(self, source: str, body: str) -> None:
        """Remember one page's body lines under its source."""
        self._memory(source).learn(body_keys(body))

    def learn_keys(self, source: str, keys: Iterable[int]) -> None:
        """Remember one page's line keys (:data:`LINES_KEY` of its record) under its source."""
        self._memory(source).learn(keys)

    def template(self, source: str) -> frozenset[int]:
        """The source's template line keys (empty until it has shown :data:`MIN_PAGES` pages)."""
        return self._memory(source).template()

    def clean(self, source: str, body: str) -> str:
        """The body without its source's template lines (see :func:`strip_template`)."""
        return strip_template(body, self.template(source))

    def take_unsaved(self) -> dict[str, tuple[int, dict[int, int]]]:
        """Per source, (pages, pages per line key) learnt since the last call: the increments
        a store adds to what it keeps."""
        taken = {}
        for source, memory in self.sources.items():
            if memory.unsaved_pages:
                taken[source] = (memory.unsaved_pages, dict(memory.unsaved))
                memory.unsaved_pages, memory.unsaved = 0, Counter()
        return taken
