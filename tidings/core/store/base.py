"""The contract every store engine implements (SQLite and PostgreSQL).

The store is the record of every article: the crawler, the importer and the re-tagger write it,
the API and the CLI read it, and the search index is rebuilt from it. Callers talk to
:class:`StoreEngine` only, and ``tests/contract/test_store_contract.py`` runs one suite against
every engine, so an engine is done when that suite passes unchanged.

A store keeps four things, and the contract names them apart:

* :class:`ArticleStore` — articles, their near-duplicate clusters, and the marks that keep the
  index in step (see :mod:`tidings.core.sync`);
* :class:`CrawlLog` — crawl bookkeeping: fetch state per URL, crawl errors, runs per source,
  and the per-source health built from them;
* :class:`StoryStore` — stories: which story each article is in, each story's record, the
  story clusterer's saved state, and the marks that keep the index's story documents in step
  (what a story *is* is decided in :mod:`tidings.core.stories`; the store keeps it).
* :class:`~tidings.core.store.site_templates.SiteTemplateStore` — per-source line counts the
  crawler learns site templates from (``site_templates.py``, shared by both engines).

What an upsert decides (batch dedupe, unchanged records, refused sources, clusters) is engine
independent and lives in :mod:`tidings.core.store.upserts` and :mod:`tidings.core.fingerprint`;
an engine supplies the storage.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from tidings.core.store.site_templates import SiteTemplateStore


class StoreError(RuntimeError):
    """The database cannot be used by this version of Tidings."""


@dataclass(frozen=True)
class FetchState:
    """What we know about one fetched URL, for conditional GET and incremental crawls.

    ``seen_modified`` is the newest date the feed or sitemap gave for the URL when it was
    fetched, so a later crawl can tell whether they say it changed since.
    ``canonical_url`` links an article page to its stored record (None for feeds and sitemaps).
    """

    url: str
    status: int
    fetched_at: str
    source_id: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    seen_modified: str | None = None
    canonical_url: str | None = None


@dataclass
class UpsertResult:
    """What one :meth:`ArticleStore.upsert` did; ``articles`` are the records to index next.

    ``version`` stamps this write's pending marks (``track_index``): pass it to
    :meth:`ArticleStore.mark_indexed` once ``articles`` are in the index. ``refused`` are ids
    stored under another source, left as they were (an article never changes its source).
    """

    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)
    version: int | None = None
    refused: list[str] = field(default_factory=list)


#: Article records by id (a placing batch's, which may not be stored yet).
RecordsById = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class DeleteResult:
    """What one :meth:`ArticleStore.delete` did; ``version`` stamps its pending marks."""

    removed: int
    version: int | None = None


@dataclass(frozen=True)
class PendingWrite:
    """One article the index has not caught up with: its current ``record``, or None when it
    was deleted, and the ``version`` of the write that marked it."""

    article_id: str
    version: int
    record: dict[str, Any] | None


class ArticleStore(ABC):
    """Articles (one per canonical URL), their clusters, and the index's pending marks."""

    @abstractmethod
    def upsert(
        self,
        articles: list[dict[str, Any]],
        *,
        fetch_states: list[FetchState] | None = None,
        track_index: bool = False,
    ) -> UpsertResult:
        """Insert new articles, update changed ones and assign clusters, all in one transaction.

        Promises:

        * A record without ``id`` gets the hash of its ``canonical_url`` (else ``url``); one with
          neither raises ``ValueError`` and nothing of the batch (fetch states included) is kept.
        * An id twice in the batch counts once, with its last version.
        * A record whose canonical URL is stored under another id updates that article (one
          article per canonical URL); a record whose stored article has another source is left
          as it was and reported in ``refused``.
        * A record equal to the stored one except ``fetched_at``/``cluster_id`` is ``unchanged``
          and is not returned in ``articles``; anything else that differs is ``updated``.
        * Each written record gets ``fingerprint`` (computed when missing) and ``cluster_id``
          (:func:`tidings.core.fingerprint.cluster_for`), and is returned in ``articles`` as
          stored.
        * ``fetch_states`` are written in the same transaction, linked to their stored article
          by ``canonical_url``, so a URL counts as fetched only once its article is stored.
        * With ``track_index`` each written article is marked pending for the index under a
          new ``result.version``, higher than any version handed out before.
        """

    @abstractmethod
    def delete(self, ids: list[str], *, track_index: bool = False) -> DeleteResult:
        """Delete articles by id (unknown ids are ignored; ``removed`` counts the real ones).

        A deleted article no longer attracts copies into its cluster and leaves its story's
        member list (the story's counts keep what was seen). With ``track_index``
        every given id is marked pending (a tombstone: pending, no record) in the same
        transaction, so an index delete lost to a crash is redone instead of leaving a ghost.
        """

    @abstractmethod
    def mark_indexed(self, indexed: Mapping[str, int]) -> None:
        """The index now holds these articles (id -> version of the write that was indexed).

        A mark is cleared only if no later write re-marked it: a newer version stored by
        another writer meanwhile stays pending and is indexed next.
        """

    @abstractmethod
    def pending_writes(self, limit: int = 500) -> list[PendingWrite]:
        """Up to ``limit`` pending marks, oldest first, each with the record as of its mark
        (read together, so the record is exactly the version the mark names)."""

    @abstractmethod
    def get(self, aid: str) -> dict[str, Any] | None:
        """The stored record with this id, or None."""

    @abstractmethod
    def get_many(self, ids: list[str]) -> list[dict[str, Any]]:
        """Stored records for these ids, in the order asked (unknown ids are left out)."""

    @abstractmethod
    def iter_articles(self, batch_size: int = 500) -> Iterator[list[dict[str, Any]]]:
        """Every stored record in batches, in the order first stored (an update keeps its
        place); a reader mid-iteration does not block writers."""

    @abstractmethod
    def ids_older_than(self, cutoff: str, limit: int = 1000) -> list[str]:
        """Ids of up to ``limit`` articles published (else fetched) before ``cutoff`` (an ISO
        8601 date; instants compare, whatever offsets the record and the cutoff are written in;
        an unreadable published date counts as none)."""

    @abstractmethod
    def count(self) -> int:
        """Number of stored articles."""

    @abstractmethod
    def source_counts(self) -> list[dict[str, Any]]:
        """Every source with stored articles: ``{"id", "name", "domain", "articles"}``, most
        articles first, then by id; exact and uncapped (the catalog's counts)."""

    @abstractmethod
    def topic_counts(self) -> list[tuple[str, int]]:
        """Every topic id with its number of stored articles, most first, then by id; exact
        after every insert, re-tagging and delete."""

    @abstractmethod
    def cluster_members(self, cluster_id: str) -> list[dict[str, Any]]:
        """Articles of one cluster as ``{"id", "title", "url", "source"}``, first stored first."""


class CrawlLog(ABC):
    """Crawl bookkeeping: fetch state per URL, crawl errors, runs and health per source."""

    @abstractmethod
    def put_fetch_states(self, states: list[FetchState]) -> None:
        """Record (insert or replace) fetch states of pages that produce no article."""

    @abstractmethod
    def note_not_modified(self, url: str, fetched_at: str, seen_modified: str | None) -> None:
        """A conditional GET answered 304: status 304 and ``fetched_at`` for a known ``url``;
        ``seen_modified`` replaces the stored one only when given; validators are kept."""

    @abstractmethod
    def fetch_state(self, url: str) -> dict[str, Any] | None:
        """The fetch state of ``url`` (the :class:`FetchState` fields but ``canonical_url``,
        plus ``article_id`` and ``content_hash`` of its article when it has one, and
        ``stored``: whether that article is still in the store), or None."""

    @abstractmethod
    def record_error(self, source_id: str | None, url: str | None, kind: str, message: str) -> None:
        """Log a crawl problem (stamped with the current UTC time as ``at``)."""

    @abstractmethod
    def errors(self, limit: int = 100) -> list[dict[str, Any]]:
        """The ``limit`` most recent crawl errors, newest first:
        ``{"id", "source_id", "url", "kind", "message", "at"}``."""

    @abstractmethod
    def record_source_run(
        self,
        source_id: str,
        started_at: str,
        finished_at: str,
        finish_reason: str | None,
        counts: dict[str, Any],
        ok: bool,
    ) -> None:
        """Keep what one crawl did for one source (``ok``: something was fetched)."""

    @abstractmethod
    def last_finished_runs(self) -> dict[str, str]:
        """Source id -> when its last run that finished normally (``"finished"``) ended."""

    @abstractmethod
    def source_health(self) -> list[dict[str, Any]]:
        """Per source with runs or errors, by id: ``{"source_id", "last_success",
        "last_error", "error_counts", "last_run"}``; ``last_run`` holds the newest run's
        times and finish reason merged with its counts, ``last_success`` the end of the
        newest ``ok`` run, ``error_counts`` errors by kind."""


@dataclass(frozen=True)
class PendingStory:
    """One story whose index document is behind: its current ``record``, or None when the
    story is gone (stories were reset), and the ``version`` that marked it."""

    story_id: str
    version: int
    record: dict[str, Any] | None


class StoryPlacement(ABC):
    """The story tables inside one placement transaction (:meth:`StoryStore.placing`)."""

    @abstractmethod
    def state(self) -> tuple[int, bytes] | None:
        """The clusterer's last snapshot ``(seq, state)``, or None before the first one.
        ``seq`` only grows (a reset too moves it on), so equal seqs mean the same state; an
        empty ``state`` means start afresh."""

    @abstractmethod
    def state_seq(self) -> int | None:
        """The last snapshot's ``seq`` (without reading the snapshot), or None."""

    @abstractmethod
    def save_state(self, seq: int, state: bytes) -> None:
        """Save a snapshot of the clusterer's state as of ``seq``; the journal up to ``seq``
        is dropped (the snapshot holds it)."""

    @abstractmethod
    def journal(self, after: int) -> list[tuple[int, bytes]]:
        """The journal rows after stream position ``after``: ``(seq, entries)`` in order, each
        the placements of one batch, ``seq`` the position after it."""

    @abstractmethod
    def append_journal(self, seq: int, entries: bytes) -> None:
        """Add one batch's placements, ``seq`` the stream position after the batch."""

    @abstractmethod
    def position(self) -> int:
        """The stream position: the last placement's seq (the snapshot's, or 0, if later)."""

    @abstractmethod
    def stories_of(self, ids: list[str]) -> dict[str, str]:
        """article id -> story id, for the given articles already placed."""

    @abstractmethod
    def add_members(self, members: list[tuple[str, str, int]]) -> None:
        """Place articles: ``(article_id, story_id, seq)``, ``seq`` the stream position."""

    @abstractmethod
    def records(self, story_ids: list[str]) -> dict[str, dict[str, Any]]:
        """story id -> stored record, for the given stories that have one."""

    def writes_together(self) -> AbstractContextManager[Any]:
        """``with tx.writes_together():`` — the writes in the block may reach the store
        together (one round trip to a server instead of one each); their errors are raised by
        the block's end. Reads inside it still see the writes before them."""
        return nullcontext()

    @abstractmethod
    def put_records(self, records: list[dict[str, Any]], version: int) -> None:
        """Insert or replace story records (by ``id``), each marked pending for the index
        under ``version`` (the placement's seq: it only grows)."""

    @abstractmethod
    def move_members(
        self, moves: Mapping[str, str], stories: list[str], version: int, batch: RecordsById
    ) -> UpsertResult:
        """A split's writes: each placed article in ``moves`` goes to its new story (member
        row, and the ``story_id`` of its stored record, marked pending for the index: the
        result's ``articles`` and ``version``), then the records of ``stories`` (every story a
        split cut or made) are rebuilt from the members they hold (each as stored, or as
        ``batch``, the placing batch's records by id, holds it), marked for the index under
        ``version``."""

    @abstractmethod
    def upsert(
        self,
        articles: list[dict[str, Any]],
        place: Callable[[dict[str, Any]], None],
        *,
        fetch_states: list[FetchState] | None = None,
        track_index: bool = False,
    ) -> UpsertResult:
        """:meth:`ArticleStore.upsert` in this transaction, calling ``place`` on each record
        the store keeps (never on one it refuses) before it is written, so the placement and
        the write are one decision under one lock, whatever other writers do."""


class StoryStore(ABC):
    """Stories: membership (article -> story, in placing order), one record per story, the
    clusterer's state (a snapshot plus a journal of the placements since), and pending marks
    for the index's story documents."""

    @abstractmethod
    def placing(self) -> AbstractContextManager[StoryPlacement]:
        """One placement transaction, one writer at a time across every process and host (the
        same lock that serialises article writes), so every writer continues one stream."""

    @abstractmethod
    def stories_of(self, ids: list[str]) -> dict[str, str]:
        """article id -> story id, for the given articles that have one."""

    @abstractmethod
    def story(self, story_id: str) -> dict[str, Any] | None:
        """One story record with ``article_ids``: its stored articles in the order placed."""

    @abstractmethod
    def stories(self, ids: list[str]) -> list[dict[str, Any]]:
        """Story records for these ids, in the order asked (unknown ids are left out)."""

    @abstractmethod
    def recent_stories(
        self, limit: int = 1000, since: str | None = None, until: str | None = None
    ) -> list[dict[str, Any]]:
        """Story records last seen within [since, until], most recently seen first (then id)."""

    @abstractmethod
    def iter_stories(self, batch_size: int = 500) -> Iterator[list[dict[str, Any]]]:
        """Every story record in batches (by id), for rebuilding the index's story documents."""

    @abstractmethod
    def story_count(self) -> int:
        """Number of stories."""

    @abstractmethod
    def reset_stories(self) -> None:
        """Forget every story (``tidings restory`` places the stored articles again); the
        forgotten stories are marked pending (no record), so their documents leave the index."""

    @abstractmethod
    def assign_stories(
        self, assignments: Mapping[str, str], *, track_index: bool = False
    ) -> UpsertResult:
        """Set ``story_id`` on the *stored* (latest) version of each article, in one write
        transaction: an article another writer changed meanwhile keeps its new content.
        Articles whose story changed are ``updated`` and returned in ``articles``; the rest are
        ``unchanged``; ids not stored are left out. ``track_index`` marks as ``upsert`` does."""

    @abstractmethod
    def pending_stories(self, limit: int = 500) -> list[PendingStory]:
        """Up to ``limit`` stories whose index document is behind, oldest mark first."""

    @abstractmethod
    def mark_stories_indexed(self, indexed: Mapping[str, int]) -> None:
        """The index holds these stories (id -> version indexed); a later mark stays."""


class StoreEngine(ArticleStore, CrawlLog, StoryStore, SiteTemplateStore):
    """A store engine: the four parts over one database, usable as a context manager.

    One object may be shared between threads; several objects (and processes) may open the
    same database, and each sees the others' committed writes. ``location`` names the database
    the same way for every object opened on it (a file path, or a server without password).
    """

    location: str

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> StoreEngine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
