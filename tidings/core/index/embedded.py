"""The embedded search index: tantivy in a local directory, no server to run.

Chosen over SQLite FTS5 on measurements (../shared/DESIGN.md): tantivy prunes to the top k
instead of scoring every match, so common terms stay fast at a million articles. tantivy allows
one writer process per index directory; any number of processes may read, and a reader reloads
when a commit changed the directory (:mod:`embedded_reader`) so it sees the writer's latest
commit. Queries come from the shared query
language (:mod:`tidings.core.index.tantivy_query`); what tantivy has no query for (recency boost,
collapse by copies or story) is done over a window of candidates (:mod:`embedded_ranking`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy

from tidings.core.article import article_date, entity_keys, group_keys, source_id, topic_ids
from tidings.core.index import buckets
from tidings.core.index.base import (
    ALL_FACETS,
    DEFAULT_LIMIT,
    DISPLAY_FIELDS,
    FACET_SIZE,
    FACETS,
    HIGHLIGHT_CHARS,
    KEYWORD_FIELDS,
    MAX_LIMIT,
    Highlight,
    Hit,
    IndexUnavailable,
    QueryError,
    SearchRequest,
    SearchResult,
    check_request,
)
from tidings.core.index.cursor import (
    MAX_OFFSET,
    DateCursor,
    OffsetCursor,
    decode_cursor,
    encode_cursor,
    request_mode,
)
from tidings.core.index.embedded_facets import (
    facet_aggregations,
    facet_counts,
    incomplete,
    keyword_aggregations,
    value_set,
)
from tidings.core.index.embedded_ranking import collapse_window, rerank_by_recency
from tidings.core.index.embedded_reader import LatestCommitReader
from tidings.core.index.query_language import parse
from tidings.core.index.tantivy_query import TEXT_FIELDS, TantivyCompiler
from tidings.core.index.word_pairs import PAIRS_FIELD, PairMemo, add_pairs_field, pairs_value

#: Relevance pages re-ranked by recency come from this many BM25 candidates (or the page depth).
RERANK_WINDOW = 500
#: Words too common to say two articles are related (MoreLikeThis ignores them).
MLT_STOP_WORDS = (
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "he",
    "her", "his", "in", "is", "it", "its", "of", "on", "or", "that", "the", "their", "they",
    "this", "to", "was", "were", "will", "with", "said", "says", "would", "could", "about",
    "after", "over", "into", "new",
)  # fmt: skip
#: Titles are highlighted whole: the snippet of a title is never cut below this.
TITLE_CHARS = 2000
#: ``SearchRequest.collapse`` -> the fast field holding the hash of its group key.
GROUP_FIELDS = {"cluster": "cluster", "story": "story"}
#: Sparse per-day buckets (UTC); gaps are filled by :mod:`buckets` when the span is chartable.
DAY_HISTOGRAM = {
    "date_histogram": {"field": "published", "fixed_interval": "1d", "min_doc_count": 1}
}
WRITER_HEAP = 64_000_000

# Sort key: seconds since year 1 (so it is never negative) shifted left, with 24 bits of a hash
# of the id below them; distinct articles published in the same second then still sort in one
# fixed order, which the date cursor relies on. Tantivy keeps date fast fields to the second.
_EPOCH_SHIFT = 62_135_596_800  # seconds from 0001-01-01 to 1970-01-01
_ID_BITS = 24
_TIE_FETCH = 10_000
#: A deep date page's first key range should hold this many times the hits it needs.
_RANGE_MARGIN = 4
#: Each further range is this many times as wide.
_RANGE_GROWTH = 8


class IndexLockedError(RuntimeError):
    """Another writer (in this or another process) holds the index lock."""


class IndexSchemaError(IndexUnavailable):
    """The index directory holds an index built with another schema (an older version's):
    unusable until ``tidings reindex`` rebuilds it, so the CLI says so in one line and the API
    answers 503."""


class IndexReadOnlyError(RuntimeError):
    """A write was attempted on an index opened with ``writable=False``."""


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("body", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("summary", tokenizer_name="en_stem")
    sb.add_text_field("topics", fast=True, tokenizer_name="raw")
    sb.add_text_field("topic_set", fast=True, tokenizer_name="raw")  # the topic facet's
    sb.add_text_field("source", fast=True, tokenizer_name="raw")
    sb.add_text_field("entities", fast=True, tokenizer_name="raw")
    sb.add_text_field("language", fast=True, tokenizer_name="raw")
    sb.add_unsigned_field("cluster", indexed=True, fast=True)  # hash of cluster_id: collapse
    sb.add_unsigned_field("story", indexed=True, fast=True)  # hash of story_id: collapse
    sb.add_date_field("published", indexed=True, fast=True)
    sb.add_unsigned_field("sortkey", indexed=True, fast=True)
    sb.add_unsigned_field("indexed", fast=True)  # ingest stamp (µs): stable relevance pages
    sb.add_bytes_field("doc", stored=True)
    add_pairs_field(sb)  # adjacent tokens of the text fields: phrases read fewer positions
    return sb.build()


def sort_key(article_id: str, published: datetime | None) -> int:
    """Newest-first sort key: publication second, then a hash of the id to order ties."""
    seconds = int(published.timestamp()) + _EPOCH_SHIFT if published else 0
    tie = int.from_bytes(hashlib.blake2b(article_id.encode(), digest_size=3).digest(), "big")
    return (max(seconds, 0) << _ID_BITS) | tie


def cluster_hash(group_id: str) -> int:
    """64-bit key of a cluster or story: a numeric fast field, so collapsing reads no stored
    documents."""
    return int.from_bytes(hashlib.blake2b(group_id.encode(), digest_size=8).digest(), "big")


_PAIR_MEMO = PairMemo()  # the text fields' analysis, stems remembered: pairs match phrases


def _document(article: dict[str, Any], stamp: int) -> tantivy.Document:
    doc = tantivy.Document()
    aid = str(article["id"])
    doc.add_text("id", aid)
    texts = [str(article.get(name) or "") for name in TEXT_FIELDS]
    for name, text in zip(TEXT_FIELDS, texts, strict=True):
        doc.add_text(name, text)
    doc.add_text(PAIRS_FIELD, pairs_value(_PAIR_MEMO, texts))
    topics = topic_ids(article)
    for topic in topics:
        doc.add_text("topics", topic)
    if (topic_set := value_set(topics)) is not None:
        doc.add_text("topic_set", topic_set)
    if source := source_id(article):
        doc.add_text("source", source)
    for key in entity_keys(article):
        doc.add_text("entities", key)
    if article.get("language"):
        doc.add_text("language", str(article["language"]))
    groups = group_keys(article)
    doc.add_unsigned("cluster", cluster_hash(groups["cluster_id"]))
    doc.add_unsigned("story", cluster_hash(groups["story_id"]))
    doc.add_unsigned("indexed", stamp)
    published = article_date(article)
    if published is not None:
        doc.add_date("published", published)
    doc.add_unsigned("sortkey", sort_key(aid, published))
    display = {name: article.get(name) for name in DISPLAY_FIELDS}
    doc.add_bytes("doc", json.dumps(display, ensure_ascii=False).encode("utf-8"))
    return doc


def highlight(snippet: tantivy.Snippet, whole: str | None = None) -> Highlight | None:
    """What ``snippet`` matched as character spans: in its passage, or, with ``whole`` (the
    field's full text), in the whole text. ``None`` when nothing in the field matched.

    tantivy reports UTF-8 byte ranges; they become character offsets here, once.
    """
    ranges = snippet.highlighted()
    if not ranges:
        return None
    if whole is None:
        text, shift = snippet.fragment(), 0
    else:
        text, shift = whole, snippet.fragment_range().start
    spans = sorted((r.start + shift, r.end + shift) for r in ranges)
    raw = text.encode("utf-8")
    if len(raw) != len(text):  # not ASCII: count the characters before each byte offset
        spans = [(_chars(raw, start), _chars(raw, end)) for start, end in spans]
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if start >= (kept[-1][1] if kept else 0) and end > start:
            kept.append((start, end))
    return Highlight(text, tuple(kept))


def _chars(raw: bytes, offset: int) -> int:
    return len(raw[:offset].decode("utf-8", "replace"))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _bound(value: datetime | None, default: datetime) -> datetime:
    """A range bound in UTC, clamped to the dates tantivy can represent (1677..2262)."""
    if value is None:
        return default
    return min(max(_utc(value), tantivy.MIN_DATETIME), tantivy.MAX_DATETIME)


def any_of(schema: tantivy.Schema, field: str, values: Iterable[str]) -> tantivy.Query:
    """Documents holding any of ``values`` in a keyword field. One value is a term query:
    tantivy's term set costs more for it (0.2-0.5 CPU-ms a pass at 300,000 articles with a
    topic; the same matches); for several, the term set was as cheap as their union."""
    values = list(dict.fromkeys(values))
    if len(values) == 1:
        return tantivy.Query.term_query(schema, field, values[0])
    return tantivy.Query.term_set_query(schema, field, values)


def filter_queries(schema: tantivy.Schema, request: Any) -> list[tantivy.Query]:
    """The "any of" filters of a :class:`SearchRequest` (or a ``StoryQuery``: the same
    attributes) as tantivy queries on ``schema``'s keyword fields and ``published``."""
    out = []
    for facet in FACETS:
        if values := request.values(facet):
            out.append(any_of(schema, facet.index_field, values))
    if request.date_from or request.date_to:
        out.append(
            tantivy.Query.range_query(
                schema,
                "published",
                tantivy.FieldType.Date,
                _bound(request.date_from, tantivy.MIN_DATETIME),
                _bound(request.date_to, tantivy.MAX_DATETIME),
            )
        )
    return out


def all_of(query: tantivy.Query, filters: list[tantivy.Query]) -> tantivy.Query:
    """``query`` scored, and every filter required but not scored."""
    if not filters:
        return query
    clauses = [(tantivy.Occur.Must, query)]
    clauses += [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]
    return tantivy.Query.boolean_query(clauses)


def open_tantivy(schema: tantivy.Schema, path: Path) -> tantivy.Index:
    """The tantivy index at ``path`` (made if absent); another schema is IndexSchemaError, a
    path that cannot be a directory (a file is there) IndexUnavailable."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        what = "a file, not a directory" if path.exists() else f"out of reach ({exc.strerror})"
        raise IndexUnavailable(f"the index path {path} is {what}") from None
    try:
        index = tantivy.Index(schema, path=str(path), reuse=True)
    except ValueError as exc:
        raise IndexSchemaError(
            f"the index at {path} was built with another schema ({exc}), by an older "
            "version; run `tidings reindex` to rebuild it from the store"
        ) from None
    index.config_reader("manual")
    return index


def index_writer(index: tantivy.Index, path: Path) -> tantivy.IndexWriter:
    """The one writer of a tantivy index; held elsewhere is IndexLockedError."""
    try:
        return index.writer(WRITER_HEAP, 1)
    except ValueError as exc:
        if "LockBusy" not in str(exc):
            raise
        raise IndexLockedError(
            f"the search index at {path} is already open for writing by another "
            "Tidings process (crawl, import or reindex); only one writer is allowed. "
            "Wait for it to finish, or open the index read-only."
        ) from None


class EmbeddedIndex:
    """An :class:`~tidings.core.index.base.IndexBackend` on a tantivy index directory; its
    story documents in a tantivy index of their own in ``stories/`` inside it."""

    backend = "embedded"

    def __init__(self, path: Path, writable: bool = False) -> None:
        self.path = Path(path)
        self.writable = writable
        self._schema = _schema()
        self._index = open_tantivy(self._schema, self.path)
        self._compiler = TantivyCompiler(self._schema, word_pairs=True)
        self._last_stamp = 0
        self._span: tuple[int, int, int] | None = None  # (documents, keys' span, a newest key)
        self._reader = LatestCommitReader(self._index, self.path)
        self._writer = index_writer(self._index, self.path) if writable else None
        from tidings.core.index.embedded_stories import EmbeddedStoryIndex  # it imports this

        try:
            self.stories = EmbeddedStoryIndex(self.path / "stories", writable)
        except BaseException:
            self.close()
            raise

    # -- writes ----------------------------------------------------------------------------

    def _require_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise IndexReadOnlyError(f"the index at {self.path} was opened read-only")
        return self._writer

    def _commit(self) -> None:
        self._require_writer().commit()
        self._index.reload()

    def _stamp(self) -> int:
        """Ingest stamp for a batch: wall-clock µs, strictly increasing within this writer.

        One writer at a time commits batches in order, so every article committed later has a
        larger stamp than all that readers could see before.
        """
        self._last_stamp = max(time.time_ns() // 1000, self._last_stamp + 1)
        return self._last_stamp

    def upsert(self, articles: list[dict[str, Any]]) -> None:
        """Replace each article by id (delete + add), all in one commit."""
        writer = self._require_writer()
        if not articles:
            return
        stamp = self._stamp()
        try:
            for article in articles:
                writer.delete_documents_by_term("id", str(article["id"]))
                writer.add_document(_document(article, stamp))
        except BaseException:
            writer.rollback()  # a bad record must not leave half a batch for the next commit
            raise
        self._commit()

    def delete(self, ids: list[str]) -> None:
        """Remove articles by id, in one commit."""
        writer = self._require_writer()
        for aid in ids:
            writer.delete_documents_by_term("id", str(aid))
        self._commit()

    def clear(self) -> None:
        """Remove every article."""
        self._require_writer().delete_all_documents()
        self._commit()

    def rebuild(self, batches: Iterable[list[dict[str, Any]]]) -> int:
        """Replace the whole index by ``batches`` in one commit: readers never see it half-built.

        tantivy writes the new segments to disk as it goes; only the final commit publishes them
        (and the deletion of everything before), so searches keep answering from the old index
        until then. Returns the number of articles indexed.
        """
        writer = self._require_writer()
        stamp, total = self._stamp(), 0
        try:
            writer.delete_all_documents()
            for batch in batches:
                for article in batch:
                    writer.delete_documents_by_term("id", str(article["id"]))
                    writer.add_document(_document(article, stamp))
                total += len(batch)
        except BaseException:
            writer.rollback()
            raise
        self._commit()
        return total

    # -- queries ---------------------------------------------------------------------------

    def _filters(self, request: SearchRequest) -> list[tantivy.Query]:
        return filter_queries(self._schema, request)

    _all_of = staticmethod(all_of)

    def _searcher(self) -> tantivy.Searcher:
        """A searcher of the latest commit, by any process (reloaded only after one)."""
        return self._reader.searcher()

    def _matching(
        self, request: SearchRequest, loose: bool = False
    ) -> tuple[tantivy.Query, tantivy.Query, tantivy.Query | None]:
        """(text query, text query with the request's filters, and if ``loose`` the latter with
        its phrases as their word pairs: the same matches or more, and no positions to read;
        ``None`` when there is no phrase to loosen). The query is parsed once for all three."""
        node = parse(request.q)
        filters = self._filters(request)
        text = self._compiler.compile(node)
        superset = self._compiler.superset(node) if loose else None
        pairs = None if superset is None else self._all_of(superset, filters)
        return text, self._all_of(text, filters), pairs

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a query with filters, facets, highlights, sorting and cursor paging."""
        check_request(request)
        by_date = request.sort == "date" or not request.q.strip()
        mode = request_mode(request, by_date)
        cursor = decode_cursor(request.cursor, mode) if request.cursor else None
        text, query, loose = self._matching(request, loose=True)
        try:
            return self._run(request, text, query, by_date, cursor, mode, loose)
        except QueryError:
            raise
        except ValueError as exc:  # tantivy refused to run it: the user's problem, not a crash
            raise QueryError(f"cannot search for {request.q!r}: {exc}") from None

    def _run(
        self,
        request: SearchRequest,
        text: tantivy.Query,
        query: tantivy.Query,
        by_date: bool,
        cursor: DateCursor | OffsetCursor | None,
        mode: str,
        loose: tantivy.Query | None = None,
    ) -> SearchResult:
        """``loose``: a superset of ``query``'s matches (:meth:`_matching`), which the aggregation
        pass reads instead when its count shows it holds the same matches."""
        searcher = self._searcher()
        superset: tuple[tantivy.Query, int] | None = None  # (loose, the exact total)
        sizes: dict[int, int] = {}
        asof = cursor.asof if isinstance(cursor, OffsetCursor) else None
        next_cursor: str | None = None
        following: OffsetCursor | None = None  # the next offset page, encoded at the end
        aggregated = None
        if by_date and not request.collapse_field:
            after = cursor if isinstance(cursor, DateCursor) else None
            # counted first (no scoring, no second pass): how many articles match tells how
            # far back from the cursor the page's range has to reach
            aggregated = self._aggregate(
                searcher, query, request.facets, request.histogram, False, "matches"
            )
            total = aggregated[3]
            page, more = self._date_page(searcher, query, after, request.limit, total)
            found = [(0.0, doc) for _, _, doc in page]
            if more:
                next_cursor = encode_cursor(DateCursor(page[-1][0], page[-1][1]), mode)
        else:
            offset = cursor.offset if isinstance(cursor, OffsetCursor) else 0
            # When an aggregation pass runs anyway (facets, histogram), the total is counted
            # there: the top-k search then skips counting, which would score every match. A
            # query with a phrase scores every match anyway (no pruning): it counts them, so
            # that the aggregation can read the phrases' pairs instead (see _aggregate).
            aggregating = bool(request.facets or request.histogram)
            cheaper = loose if aggregating and asof is None and not request.collapse_field else None
            count = not aggregating or cheaper is not None
            paged = query if asof is None else self._all_of(query, [self._indexed_upto(asof)])
            want = offset + request.limit
            if request.collapse_field:
                fetch = self._ranker(searcher, paged, by_date, request.recency_boost)
                group = GROUP_FIELDS[request.collapse]
                leaders, more = collapse_window(searcher, fetch, want, group)
                ranked = leaders[offset:]
                sizes = self._group_sizes(searcher, paged, [a for _, a in ranked], group)
                total = None  # distinct stories, counted in the aggregation pass below
            elif request.recency_boost:
                result = searcher.search(paged, max(RERANK_WINDOW, want + 1), count=count)
                ranked = rerank_by_recency(searcher, result.hits)[offset : want + 1]
                total, more = result.count, len(ranked) > request.limit
            else:
                result = searcher.search(paged, request.limit + 1, count=count, offset=offset)
                ranked, total = result.hits, result.count
                more = len(ranked) > request.limit
            if cheaper is not None and total is not None:
                superset = (cheaper, total)
            ranked = ranked[: request.limit]
            found = [(0.0 if by_date else float(s), searcher.doc(a)) for s, a in ranked]
            if more and want <= MAX_OFFSET:
                following = OffsetCursor(want, asof)
            if sizes:
                keys = searcher.fast_field_values(group, [a for _, a in ranked])
                size_of = [sizes.get(int(k or 0), 1) for k in keys]
        hits = [
            Hit(id=doc.get_first("id"), score=score, article=self._display(doc))
            for score, doc in found
        ]
        if sizes:
            for hit, size in zip(hits, size_of, strict=True):
                hit.cluster_size = size
        if request.highlight and request.q.strip():
            self._highlight(searcher, text, hits, [doc for _, doc in found])
        stamp = following is not None and following.asof is None
        if request.collapse_field:
            counting = GROUP_FIELDS[request.collapse]
        elif total is None:
            counting = "matches"
        else:
            counting = None
        if aggregated is None:
            aggregated = self._aggregate(
                searcher, query, request.facets, request.histogram, stamp, counting, superset
            )
        facets, histogram, newest, counted = aggregated
        if total is None:
            total = counted
        if following is not None:  # pages after the first stop at the first page's newest
            asof = following.asof if following.asof is not None else newest
            next_cursor = encode_cursor(OffsetCursor(following.offset, asof), mode)
        return SearchResult(
            total=total, hits=hits, facets=facets, next_cursor=next_cursor, histogram=histogram
        )

    def _ranker(
        self, searcher: tantivy.Searcher, query: tantivy.Query, by_date: bool, recency: bool
    ) -> Callable[[int], list[tuple[float, tantivy.DocAddress]]]:
        """``fetch(n)``: the top ``n`` (score, address) in the listing's order."""

        def fetch(n: int) -> list[tuple[float, tantivy.DocAddress]]:
            if by_date:
                found = searcher.search(
                    query, n, count=False, order_by_field="sortkey", order=tantivy.Order.Desc
                ).hits
                return [(0.0, addr) for _, addr in found]
            hits = searcher.search(query, n, count=False).hits
            return rerank_by_recency(searcher, hits) if recency else hits

        return fetch

    def _indexed_upto(self, stamp: int) -> tantivy.Query:
        return tantivy.Query.range_query(
            self._schema, "indexed", tantivy.FieldType.Unsigned, None, stamp
        )

    def _group_sizes(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        leaders: list[tantivy.DocAddress],
        group: str,
    ) -> dict[int, int]:
        """Matching articles per group (``group``: a GROUP_FIELDS field), for the groups on
        this page (one aggregation)."""
        if not leaders:
            return {}
        keys = [int(k or 0) for k in searcher.fast_field_values(group, leaders)]
        only = tantivy.Query.term_set_query(self._schema, group, keys)
        aggs = {"c": {"terms": {"field": group, "size": len(keys)}}}
        found = searcher.aggregate(self._all_of(query, [only]), aggs)
        return {int(b["key"]): int(b["doc_count"]) for b in found["c"]["buckets"]}

    def _date_page(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        after: DateCursor | None,
        limit: int,
        matches: int = 0,
    ) -> tuple[list[tuple[int, str, tantivy.Document]], bool]:
        """Newest-first page strictly after ``after`` in (sort key desc, id asc) order.

        Returns the page and whether more hits follow. Ties on the sort key are ordered by id
        here, since tantivy breaks them by document address, which merges can change.
        ``matches`` (how many articles ``query`` matches) sizes the first range tried below
        ``after`` (:meth:`_ranges_back`).
        """
        picked: list[tuple[int, str, tantivy.Document]] = []
        if after is not None:
            tied = self._with_key(searcher, query, after.key)
            picked = [t for t in tied if t[1] > after.id][: limit + 1]
        want = limit + 1 - len(picked)
        if want > 0:
            for rest in self._ranges_back(searcher, query, after, want, matches):
                found = searcher.search(
                    rest, want, count=False, order_by_field="sortkey", order=tantivy.Order.Desc
                ).hits
                if len(found) == want:
                    break
            if found:
                cut = found[-1][0]
                head = [(k, searcher.doc(a)) for k, a in found if k != cut]
                picked += sorted(
                    ((k, d.get_first("id"), d) for k, d in head), key=lambda t: (-t[0], t[1])
                )
                picked += self._with_key(searcher, rest, cut)[: want - len(head)]
        return picked[:limit], len(picked) > limit

    def _ranges_back(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        after: DateCursor | None,
        want: int,
        matches: int,
    ) -> Iterator[tantivy.Query]:
        """``query`` below ``after``'s sort key: first over a range of keys just below it, then
        over wider ones, last over every key below it. The caller stops at the first range with
        ``want`` matches: the newest ``want`` below the key are then all in it, so the page is
        the one the whole range gives, ties at its cut too (they share a key inside the range).
        A first page (no ``after``) of a query most articles match does the same from the
        index's newest key, its ranges open above (a newer article since is in them).

        tantivy reads every match in a key range for the newest few (~1,000 hits deep into a
        word most articles hold: 5.8 CPU-ms at 300,000 articles, against ~1.3 for a day's
        range; a first page of everything 2.1, of a day's 0.3; but a word 19% of the articles
        hold: 0.71 against 0.82). The first range is sized to hold :data:`_RANGE_MARGIN` ×
        ``want`` of the ``matches`` if they spread evenly over the index's publication dates."""
        span, top = self._key_span(searcher) if matches > 0 else (0, 0)
        width = max(1, _RANGE_MARGIN * want * span // matches) if span > 0 else 0
        if after is None:
            if 2 * matches >= searcher.num_docs:  # else the ranges cost more than they spare
                while 0 < width < top:
                    yield self._all_of(query, [self._keys(top - width, None)])
                    width *= _RANGE_GROWTH
            yield query
            return
        while 0 < width < after.key:
            yield self._all_of(query, [self._keys(after.key - width, after.key)])
            width *= _RANGE_GROWTH
        yield self._all_of(query, [self._keys(0, after.key)])

    def _keys(self, low: int, below: int | None) -> tantivy.Query:
        """Sort keys in ``[low, below)`` (no upper bound: ``None``)."""
        return tantivy.Query.range_query(
            self._schema, "sortkey", tantivy.FieldType.Unsigned, low, below,
            include_upper=below is None,  # an open end is inclusive to tantivy
        )  # fmt: skip

    def _key_span(self, searcher: tantivy.Searcher) -> tuple[int, int]:
        """(the sort keys the index's publication dates span, a key above its newest): estimates
        for :meth:`_ranges_back`, kept until the number of documents changes (a stale one
        costs time, never a wrong page)."""
        docs = searcher.num_docs
        if self._span is None or self._span[0] != docs:
            found = searcher.aggregate(
                tantivy.Query.all_query(), {"dates": {"stats": {"field": "published"}}}
            )["dates"]
            low, high = found.get("min"), found.get("max")  # ns since the epoch, or None
            if low is None or high is None:
                self._span = (docs, 0, 0)
            else:
                newest = (int(high // 1e9) + _EPOCH_SHIFT + 1) << _ID_BITS
                self._span = (docs, int((high - low) // 1e9) << _ID_BITS, newest)
        return self._span[1], self._span[2]

    def _with_key(
        self, searcher: tantivy.Searcher, query: tantivy.Query, key: int
    ) -> list[tuple[int, str, tantivy.Document]]:
        """Every match with this exact sort key, ordered by id (almost always one)."""
        same = tantivy.Query.term_query(self._schema, "sortkey", key)
        found = searcher.search(self._all_of(query, [same]), _TIE_FETCH, count=False).hits
        docs = [searcher.doc(addr) for _, addr in found]
        return sorted(((key, d.get_first("id"), d) for d in docs), key=lambda t: t[1])

    @staticmethod
    def _display(doc: tantivy.Document) -> dict[str, Any]:
        return json.loads(doc.get_first("doc"))  # UTF-8 JSON bytes: no decode step

    def _highlight(
        self,
        searcher: tantivy.Searcher,
        text: tantivy.Query,
        hits: list[Hit],
        docs: list[tantivy.Document],
    ) -> None:
        if not hits:
            return
        title = tantivy.SnippetGenerator.create(searcher, text, self._schema, "title")
        title.set_max_num_chars(TITLE_CHARS)
        body = tantivy.SnippetGenerator.create(searcher, text, self._schema, "body")
        body.set_max_num_chars(HIGHLIGHT_CHARS)
        for hit, doc in zip(hits, docs, strict=True):
            marked = {
                "title": highlight(title.snippet_from_doc(doc), doc.get_first("title") or ""),
                "body": highlight(body.snippet_from_doc(doc)),
            }
            hit.highlights = {name: h for name, h in marked.items() if h is not None}

    def _aggregate(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        names: tuple[str, ...],
        histogram: bool,
        newest: bool,
        counting: str | None = None,
        superset: tuple[tantivy.Query, int] | None = None,
    ) -> tuple[dict[str, list[tuple[str, int]]], list[tuple[str, int]], int, int]:
        """Facet counts, the per-day histogram, (if ``newest``) the largest ingest stamp and
        (if ``counting``: "matches" or a GROUP_FIELDS field) the number of matches or of
        distinct groups, all in one aggregation pass over the matches (no scoring).

        ``superset``: (a query matching all of ``query``'s matches and perhaps more, the number
        of ``query``'s matches). The pass reads it instead, cheaper; if it matched more, the
        pass runs again on ``query``. Equal counts of a superset are the same matches."""
        aggs = facet_aggregations(names)
        if histogram:
            aggs["histogram"] = DAY_HISTOGRAM
        if newest or counting == "matches":
            # every document has exactly one ingest stamp: their count is the number of
            # matches, their max the newest (one column read for both)
            aggs["stamps"] = {"stats": {"field": "indexed"}}
        if counting in GROUP_FIELDS.values():  # HyperLogLog: exact for small counts
            aggs["total"] = {"cardinality": {"field": counting}}
        if not aggs:
            return {}, [], 0, 0
        if superset is not None:
            loose, matches = superset
            aggs["stamps"] = {"stats": {"field": "indexed"}}
            result = searcher.aggregate(loose, aggs)
            if int(result["stamps"].get("count") or 0) == matches:
                query = loose  # the very same documents
            else:
                result = searcher.aggregate(query, aggs)
        else:
            result = searcher.aggregate(query, aggs)
        if recount := incomplete(result, names):  # too many distinct sets to sum them all
            result.update(searcher.aggregate(query, keyword_aggregations(recount)))
        facets = facet_counts(result, names, recount)
        days = buckets.day_counts((result.get("histogram") or {}).get("buckets") or [])
        stamps = result.get("stamps") or {}
        stamp = stamps.get("max") if newest else 0
        if counting == "matches":
            counted = int(stamps.get("count") or 0)
        else:
            counted = int((result.get("total") or {}).get("value") or 0)
        return facets, buckets.histogram(days) if histogram else [], int(stamp or 0), counted

    def more_like_this(self, article_id: str, limit: int = 5) -> list[dict[str, Any]]:
        """Articles sharing the most distinctive title/body terms with one article.

        tantivy's MoreLikeThis picks the article's highest tf-idf terms; a term must occur in
        another article to count (``min_doc_frequency=2``). Unknown ids have no relatives.
        """
        limit = max(1, min(int(limit), MAX_LIMIT))
        searcher = self._searcher()
        this = tantivy.Query.term_query(self._schema, "id", str(article_id))
        found = searcher.search(this, 1, count=False).hits
        if not found:
            return []
        like = tantivy.Query.more_like_this_query(
            found[0][1], min_doc_frequency=2, min_term_frequency=1, max_query_terms=25,
            min_word_length=2, stop_words=list(MLT_STOP_WORDS),
        )  # fmt: skip
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, like), (tantivy.Occur.MustNot, this)]
        )
        return [self._display(searcher.doc(a)) for _, a in searcher.search(query, limit).hits]

    def trends(
        self, request: SearchRequest, field: str, size: int = 5
    ) -> dict[str, list[tuple[str, int]]]:
        """Per-day counts of the ``size`` commonest values of ``field`` among the matches."""
        if field not in KEYWORD_FIELDS:
            raise QueryError(f"unknown trend field {field!r}; valid: {', '.join(ALL_FACETS)}")
        if not 1 <= size <= FACET_SIZE:
            raise QueryError(f"size must be between 1 and {FACET_SIZE}")
        _, query, _ = self._matching(request)
        aggs = {
            "top": {
                "terms": {"field": KEYWORD_FIELDS[field], "size": size},
                "aggs": {"days": DAY_HISTOGRAM},
            }
        }
        try:
            result = self._searcher().aggregate(query, aggs)
        except ValueError as exc:
            raise QueryError(f"cannot chart {request.q!r}: {exc}") from None
        per_value = {
            str(b["key"]): buckets.day_counts((b.get("days") or {}).get("buckets") or [])
            for b in (result.get("top") or {}).get("buckets") or []
        }
        return buckets.trends(per_value)

    def recent(self, topic: str | None = None, limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
        """Newest articles first (published, else fetched), optionally in one topic."""
        limit = max(1, min(int(limit), MAX_LIMIT))
        query = (
            tantivy.Query.term_query(self._schema, "topics", topic)
            if topic
            else tantivy.Query.all_query()
        )
        searcher = self._searcher()
        everything = 0 if topic else searcher.num_docs  # how many match, for _ranges_back
        page, _ = self._date_page(searcher, query, None, limit, everything)
        return [self._display(doc) for _, _, doc in page]

    def count(self) -> int:
        """Number of indexed articles."""
        return int(self._searcher().num_docs)

    def check(self) -> None:
        """Read the index's latest commit: its files gone or unreadable since it was opened
        (opening already refused a wrong schema or a second writer) is one clear error."""
        try:
            self._index.reload()
        except ValueError as exc:  # tantivy's I/O errors
            raise IndexUnavailable(f"the index at {self.path} cannot be read: {exc}") from exc

    def health(self) -> dict[str, Any]:
        """``{"status": "ok", "backend": "embedded", "documents": n}`` or an error status."""
        try:
            return {"status": "ok", "backend": self.backend, "documents": self.count()}
        except Exception as exc:  # health must report, not raise
            return {"status": "error", "backend": self.backend, "error": str(exc)}

    def close(self) -> None:
        """Release the writer lock (waiting for merges) and the index files."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.wait_merging_threads()
        if hasattr(self, "stories"):  # opened (a failed open closes what it had)
            self.stories.close()

    def __enter__(self) -> EmbeddedIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
