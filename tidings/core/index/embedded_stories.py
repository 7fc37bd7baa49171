"""Story documents in the embedded backend: a tantivy index of their own beside the articles'.

Its fields carry the article index's names (:mod:`tidings.core.index.stories`), so the same
query compiler and filters run on it; matches come back most recently seen first. Its reader
reloads only after a commit, as the article index's does (:mod:`embedded_reader`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from tidings.core.index.base import QueryError
from tidings.core.index.embedded import (
    IndexReadOnlyError,
    all_of,
    filter_queries,
    index_writer,
    open_tantivy,
    sort_key,
)
from tidings.core.index.embedded_reader import LatestCommitReader
from tidings.core.index.query_language import parse
from tidings.core.index.stories import MAX_STORIES, StoryQuery, story_document
from tidings.core.index.tantivy_query import TantivyCompiler


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in ("title", "body", "summary"):
        sb.add_text_field(name, tokenizer_name="en_stem")
    for name in ("topics", "source", "entities", "language"):
        sb.add_text_field(name, tokenizer_name="raw")
    sb.add_date_field("published", indexed=True, fast=True)
    sb.add_unsigned_field("sortkey", indexed=True, fast=True)
    return sb.build()


def _document(story: dict[str, Any]) -> tantivy.Document:
    fields = story_document(story)
    doc = tantivy.Document()
    doc.add_text("id", fields["id"])
    for name in ("title", "body", "summary"):
        doc.add_text(name, fields[name])
    for name in ("topics", "source", "entities"):
        for value in fields[name]:
            doc.add_text(name, value)
    if fields["published"] is not None:
        doc.add_date("published", fields["published"])
    doc.add_unsigned("sortkey", sort_key(fields["id"], fields["published"]))
    return doc


class EmbeddedStoryIndex:
    """A :class:`~tidings.core.index.stories.StoryIndex` on a tantivy directory."""

    def __init__(self, path: Path, writable: bool = False) -> None:
        self.path = Path(path)
        self._schema = _schema()
        self._index = open_tantivy(self._schema, self.path)
        self._compiler = TantivyCompiler(self._schema)
        self._reader = LatestCommitReader(self._index, self.path)
        self._writer = index_writer(self._index, self.path) if writable else None

    def _require_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise IndexReadOnlyError(f"the story index at {self.path} was opened read-only")
        return self._writer

    def _add(self, writer: tantivy.IndexWriter, stories: Iterable[dict[str, Any]]) -> int:
        added = 0
        for story in stories:
            writer.delete_documents_by_term("id", str(story["id"]))
            writer.add_document(_document(story))
            added += 1
        return added

    def _commit(self, fill: Any) -> int:
        """Run ``fill(writer)`` and commit it whole, or roll it back on any failure."""
        writer = self._require_writer()
        try:
            done = fill(writer)
        except BaseException:
            writer.rollback()
            raise
        writer.commit()
        self._index.reload()
        return int(done or 0)

    def upsert(self, stories: list[dict[str, Any]]) -> None:
        if stories:
            self._commit(lambda w: self._add(w, stories))

    def delete(self, ids: list[str]) -> None:
        def remove(writer: tantivy.IndexWriter) -> int:
            for sid in ids:
                writer.delete_documents_by_term("id", str(sid))
            return len(ids)

        if ids:
            self._commit(remove)

    def rebuild(self, batches: Iterable[list[dict[str, Any]]]) -> int:
        def fill(writer: tantivy.IndexWriter) -> int:
            writer.delete_all_documents()
            return sum(self._add(writer, batch) for batch in batches)

        return self._commit(fill)

    def clear(self) -> None:
        self.rebuild([])

    def search(self, query: StoryQuery) -> list[str]:
        text = self._compiler.compile(parse(query.q))
        limit = max(1, min(int(query.limit), MAX_STORIES))
        searcher = self._reader.searcher()
        try:
            found = searcher.search(
                all_of(text, filter_queries(self._schema, query)), limit, count=False,
                order_by_field="sortkey", order=tantivy.Order.Desc,
            ).hits  # fmt: skip
        except ValueError as exc:  # tantivy refused to run it: the user's problem
            raise QueryError(f"cannot search stories for {query.q!r}: {exc}") from None
        return [searcher.doc(addr).get_first("id") for _, addr in found]

    def count(self) -> int:
        return int(self._reader.searcher().num_docs)

    def close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.wait_merging_threads()
