"""The embedded search index: tantivy in a local directory, no server to run.

Chosen over SQLite FTS5 on measurements (DESIGN.md): tantivy prunes to the top k instead of
scoring every match, so common terms stay fast at a million articles. tantivy allows one writer
process per index directory; any number of processes may read, and a reader reloads before each
search so it sees the writer's latest commit.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy

from tidings.core.article import parse_iso
from tidings.core.index.base import Hit, QueryError, SearchRequest, SearchResult
from tidings.core.index.cursor import (
    MAX_OFFSET,
    DateCursor,
    OffsetCursor,
    decode_cursor,
    encode_cursor,
)

#: Fields of the record kept in the index for display (the body is searched, not returned).
DISPLAY_FIELDS = (
    "id", "url", "canonical_url", "title", "summary", "source", "authors", "published_at",
    "updated_at", "date_source", "language", "image_url", "topics", "entities", "cluster_id",
    "model_version", "word_count",
)  # fmt: skip
SEARCH_FIELDS = ["title", "body", "summary"]
FIELD_BOOSTS = {"title": 2.0}
FACET_SOURCES = {"topic": "topics", "source": "source"}
FACET_SIZE = 20
MAX_LIMIT = 100
HIGHLIGHT_CHARS = 200
WRITER_HEAP = 64_000_000

# Sort key: seconds since year 1 (so it is never negative) shifted left, with 24 bits of a hash
# of the id below them; distinct articles published in the same second then still sort in one
# fixed order, which the date cursor relies on. Tantivy keeps date fast fields to the second.
_EPOCH_SHIFT = 62_135_596_800  # seconds from 0001-01-01 to 1970-01-01
_ID_BITS = 24
_TIE_FETCH = 10_000
_WORD = re.compile(r"\w+", re.UNICODE)
_FIELD_PREFIX = re.compile(r"(\w+)\s*:")
#: Fields a user may name in query syntax (``title:storm``, ``topics:tech``).
USER_FIELDS = frozenset({"title", "body", "summary", "topics", "source", "entities", "language"})


class IndexLockedError(RuntimeError):
    """Another writer (in this or another process) holds the index lock."""


class IndexSchemaError(RuntimeError):
    """The index directory holds an index built with another schema."""


class IndexReadOnlyError(RuntimeError):
    """A write was attempted on an index opened with ``writable=False``."""


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("body", stored=True, tokenizer_name="en_stem")
    sb.add_text_field("summary", tokenizer_name="en_stem")
    sb.add_text_field("topics", fast=True, tokenizer_name="raw")
    sb.add_text_field("source", fast=True, tokenizer_name="raw")
    sb.add_text_field("entities", fast=True, tokenizer_name="raw")
    sb.add_text_field("language", tokenizer_name="raw")
    sb.add_text_field("cluster_id", tokenizer_name="raw")
    sb.add_date_field("published", indexed=True, fast=True)
    sb.add_unsigned_field("sortkey", indexed=True, fast=True)
    sb.add_bytes_field("doc", stored=True)
    return sb.build()


def _published(article: dict[str, Any]) -> datetime | None:
    for key in ("published_at", "fetched_at"):
        try:
            value = parse_iso(article.get(key))
        except (TypeError, ValueError):
            value = None
        if value is not None:
            return value
    return None


def sort_key(article_id: str, published: datetime | None) -> int:
    """Newest-first sort key: publication second, then a hash of the id to order ties."""
    seconds = int(published.timestamp()) + _EPOCH_SHIFT if published else 0
    tie = int.from_bytes(hashlib.blake2b(article_id.encode(), digest_size=3).digest(), "big")
    return (max(seconds, 0) << _ID_BITS) | tie


def _topic_ids(article: dict[str, Any]) -> list[str]:
    out = []
    for topic in article.get("topics") or []:
        value = topic if isinstance(topic, str) else (topic or {}).get("id")
        if isinstance(value, str) and value:
            out.append(value)
    return out


def _document(article: dict[str, Any]) -> tantivy.Document:
    doc = tantivy.Document()
    aid = str(article["id"])
    doc.add_text("id", aid)
    for name in ("title", "body", "summary"):
        doc.add_text(name, str(article.get(name) or ""))
    for topic in _topic_ids(article):
        doc.add_text("topics", topic)
    source = article.get("source")
    source_id = source.get("id") if isinstance(source, dict) else source
    if source_id:
        doc.add_text("source", str(source_id))
    for entity in article.get("entities") or []:
        if isinstance(entity, dict) and entity.get("key"):
            doc.add_text("entities", str(entity["key"]))
    if article.get("language"):
        doc.add_text("language", str(article["language"]))
    doc.add_text("cluster_id", str(article.get("cluster_id") or aid))
    published = _published(article)
    if published is not None:
        doc.add_date("published", published)
    doc.add_unsigned("sortkey", sort_key(aid, published))
    display = {name: article.get(name) for name in DISPLAY_FIELDS}
    doc.add_bytes("doc", json.dumps(display, ensure_ascii=False).encode("utf-8"))
    return doc


def highlight_html(snippet: tantivy.Snippet) -> str:
    """The snippet's fragment as HTML: article text escaped, matches wrapped in ``<b>``.

    Built from the raw fragment and its match ranges (UTF-8 byte offsets) rather than trusting
    the library's HTML, because crawled text must never reach a page unescaped.
    """
    raw = snippet.fragment().encode("utf-8")
    parts, pos = [], 0
    for rng in sorted(snippet.highlighted(), key=lambda r: r.start):
        if rng.start < pos:
            continue
        parts.append(html.escape(raw[pos : rng.start].decode("utf-8", "replace")))
        parts.append("<b>" + html.escape(raw[rng.start : rng.end].decode("utf-8", "replace")))
        parts.append("</b>")
        pos = rng.end
    parts.append(html.escape(raw[pos:].decode("utf-8", "replace")))
    return "".join(parts)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _bound(value: datetime | None, default: datetime) -> datetime:
    """A range bound in UTC, clamped to the dates tantivy can represent (1677..2262)."""
    if value is None:
        return default
    return min(max(_utc(value), tantivy.MIN_DATETIME), tantivy.MAX_DATETIME)


class EmbeddedIndex:
    """An :class:`~tidings.core.index.base.IndexBackend` on a tantivy index directory."""

    backend = "embedded"

    def __init__(self, path: Path, writable: bool = False) -> None:
        self.path = Path(path)
        self.writable = writable
        self.path.mkdir(parents=True, exist_ok=True)
        self._schema = _schema()
        try:
            self._index = tantivy.Index(self._schema, path=str(self.path), reuse=True)
        except ValueError as exc:
            raise IndexSchemaError(
                f"the index at {self.path} was built with another schema ({exc}); delete the "
                "directory and run `tidings reindex` to rebuild it from the store"
            ) from None
        self._index.config_reader("manual")
        self._writer: tantivy.IndexWriter | None = None
        if writable:
            try:
                self._writer = self._index.writer(WRITER_HEAP, 1)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise
                raise IndexLockedError(
                    f"the search index at {self.path} is already open for writing by another "
                    "Tidings process (crawl, import or reindex); only one writer is allowed. "
                    "Wait for it to finish, or open the index read-only."
                ) from None

    # -- writes ----------------------------------------------------------------------------

    def _require_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise IndexReadOnlyError(f"the index at {self.path} was opened read-only")
        return self._writer

    def _commit(self) -> None:
        self._require_writer().commit()
        self._index.reload()

    def upsert(self, articles: list[dict[str, Any]]) -> None:
        """Replace each article by id (delete + add), all in one commit."""
        writer = self._require_writer()
        if not articles:
            return
        try:
            for article in articles:
                writer.delete_documents_by_term("id", str(article["id"]))
                writer.add_document(_document(article))
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

    # -- queries ---------------------------------------------------------------------------

    def _text_query(self, q: str) -> tantivy.Query:
        """Parse the user's query syntax; on a syntax error, search its words as plain text."""
        if not q.strip():
            return tantivy.Query.all_query()
        named = {m.group(1) for m in _FIELD_PREFIX.finditer(q)}
        if named <= USER_FIELDS:  # other fields (sortkey:, doc:) are internals, not syntax
            try:
                return self._parse(q)
            except ValueError:
                pass
        return self._literal_query(q)

    def _literal_query(self, q: str) -> tantivy.Query:
        """The query's words, all required, with every operator character ignored."""
        words = [w.lower() for w in _WORD.findall(q)]  # lower case: no AND/OR/NOT operators
        if not words:
            return tantivy.Query.empty_query()
        try:
            return self._parse(" ".join(words))
        except ValueError as exc:
            raise QueryError(f"cannot search for {q!r}: {exc}") from None

    def _parse(self, q: str) -> tantivy.Query:
        return self._index.parse_query(
            q, SEARCH_FIELDS, field_boosts=FIELD_BOOSTS, conjunction_by_default=True
        )

    def _filters(self, request: SearchRequest) -> list[tantivy.Query]:
        out = []
        if request.topics:
            out.append(tantivy.Query.term_set_query(self._schema, "topics", list(request.topics)))
        if request.sources:
            out.append(tantivy.Query.term_set_query(self._schema, "source", list(request.sources)))
        if request.date_from or request.date_to:
            out.append(
                tantivy.Query.range_query(
                    self._schema,
                    "published",
                    tantivy.FieldType.Date,
                    _bound(request.date_from, tantivy.MIN_DATETIME),
                    _bound(request.date_to, tantivy.MAX_DATETIME),
                )
            )
        return out

    @staticmethod
    def _all_of(query: tantivy.Query, filters: list[tantivy.Query]) -> tantivy.Query:
        if not filters:
            return query
        clauses = [(tantivy.Occur.Must, query)]
        clauses += [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]
        return tantivy.Query.boolean_query(clauses)

    def _searcher(self) -> tantivy.Searcher:
        self._index.reload()  # cheap; makes commits of a writer in another process visible
        return self._index.searcher()

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a query with filters, facets, highlights, sorting and cursor paging."""
        if not 1 <= request.limit <= MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
        unknown = set(request.facets) - set(FACET_SOURCES)
        if unknown:
            raise QueryError(f"unknown facet(s): {', '.join(sorted(unknown))}")
        if request.sort not in ("relevance", "date"):
            raise QueryError("sort must be 'relevance' or 'date'")
        by_date = request.sort == "date" or not request.q.strip()
        cursor = (
            decode_cursor(request.cursor, "date" if by_date else "relevance")
            if request.cursor
            else None
        )
        try:
            return self._run(request, self._text_query(request.q), by_date, cursor)
        except QueryError:
            raise
        except ValueError:
            pass  # parsed, but tantivy cannot run it (e.g. a range on a text field)
        try:
            return self._run(request, self._literal_query(request.q), by_date, cursor)
        except QueryError:
            raise
        except ValueError as exc:
            raise QueryError(f"cannot search for {request.q!r}: {exc}") from None

    def _run(
        self,
        request: SearchRequest,
        text: tantivy.Query,
        by_date: bool,
        cursor: DateCursor | OffsetCursor | None,
    ) -> SearchResult:
        query = self._all_of(text, self._filters(request))
        searcher = self._searcher()
        if by_date:
            after = cursor if isinstance(cursor, DateCursor) else None
            page, more = self._date_page(searcher, query, after, request.limit)
            found = [(0.0, doc) for _, _, doc in page]
            next_cursor = encode_cursor(DateCursor(page[-1][0], page[-1][1])) if more else None
            total = searcher.search(query, 1, count=True).count
        else:
            offset = cursor.offset if isinstance(cursor, OffsetCursor) else 0
            result = searcher.search(query, request.limit + 1, count=True, offset=offset)
            ranked, total = result.hits, result.count
            found = [(float(score), searcher.doc(addr)) for score, addr in ranked[: request.limit]]
            more = len(ranked) > request.limit and offset + request.limit <= MAX_OFFSET
            next_cursor = encode_cursor(OffsetCursor(offset + request.limit)) if more else None
        hits = [
            Hit(id=doc.get_first("id"), score=score, article=self._display(doc))
            for score, doc in found
        ]
        if request.highlight and request.q.strip():
            self._highlight(searcher, text, hits, [doc for _, doc in found])
        facets = self._facets(searcher, query, request.facets)
        return SearchResult(total=total, hits=hits, facets=facets, next_cursor=next_cursor)

    def _date_page(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        after: DateCursor | None,
        limit: int,
    ) -> tuple[list[tuple[int, str, tantivy.Document]], bool]:
        """Newest-first page strictly after ``after`` in (sort key desc, id asc) order.

        Returns the page and whether more hits follow. Ties on the sort key are ordered by id
        here, since tantivy breaks them by document address, which merges can change.
        """
        picked: list[tuple[int, str, tantivy.Document]] = []
        rest = query
        if after is not None:
            tied = self._with_key(searcher, query, after.key)
            picked = [t for t in tied if t[1] > after.id][: limit + 1]
            before = tantivy.Query.range_query(
                self._schema, "sortkey", tantivy.FieldType.Unsigned,
                0, after.key, include_upper=False,
            )  # fmt: skip
            rest = self._all_of(query, [before])
        want = limit + 1 - len(picked)
        if want > 0:
            found = searcher.search(
                rest, want, count=False, order_by_field="sortkey", order=tantivy.Order.Desc
            ).hits
            if found:
                cut = found[-1][0]
                head = [(k, searcher.doc(a)) for k, a in found if k != cut]
                picked += sorted(
                    ((k, d.get_first("id"), d) for k, d in head), key=lambda t: (-t[0], t[1])
                )
                picked += self._with_key(searcher, rest, cut)[: want - len(head)]
        return picked[:limit], len(picked) > limit

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
        return json.loads(bytes(doc.get_first("doc")).decode("utf-8"))

    def _highlight(
        self,
        searcher: tantivy.Searcher,
        text: tantivy.Query,
        hits: list[Hit],
        docs: list[tantivy.Document],
    ) -> None:
        if not hits:
            return
        generators = {}
        for name in ("title", "body"):
            gen = tantivy.SnippetGenerator.create(searcher, text, self._schema, name)
            gen.set_max_num_chars(HIGHLIGHT_CHARS)
            generators[name] = gen
        for hit, doc in zip(hits, docs, strict=True):
            for name, gen in generators.items():
                snippet = gen.snippet_from_doc(doc)
                if snippet.highlighted():
                    hit.highlights[name] = [highlight_html(snippet)]

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query, names: tuple[str, ...]
    ) -> dict[str, list[tuple[str, int]]]:
        if not names:
            return {}
        aggs = {
            name: {"terms": {"field": FACET_SOURCES[name], "size": FACET_SIZE}} for name in names
        }
        result = searcher.aggregate(query, aggs)
        out: dict[str, list[tuple[str, int]]] = {}
        for name in names:
            buckets = (result.get(name) or {}).get("buckets") or []
            pairs = [(str(b["key"]), int(b["doc_count"])) for b in buckets]
            out[name] = sorted(pairs, key=lambda p: (-p[1], p[0]))
        return out

    def recent(self, topic: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """Newest articles first (published, else fetched), optionally in one topic."""
        limit = max(1, min(int(limit), MAX_LIMIT))
        query = (
            tantivy.Query.term_query(self._schema, "topics", topic)
            if topic
            else tantivy.Query.all_query()
        )
        page, _ = self._date_page(self._searcher(), query, None, limit)
        return [self._display(doc) for _, _, doc in page]

    def count(self) -> int:
        """Number of indexed articles."""
        return int(self._searcher().num_docs)

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

    def __enter__(self) -> EmbeddedIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
