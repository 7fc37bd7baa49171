"""Embedded (tantivy) index specifics beyond the contract: processes, cursors, open_index."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tidings.core.config import Settings
from tidings.core.index import (
    EmbeddedIndex,
    IndexLockedError,
    IndexReadOnlyError,
    IndexSchemaError,
    QueryError,
    SearchRequest,
    open_index,
)
from tidings.core.index.cursor import DateCursor, OffsetCursor, decode_cursor, encode_cursor
from tidings.core.index.embedded import sort_key

ART = {
    "id": "x1",
    "url": "https://e.example/1",
    "title": "Harbour reopens",
    "body": "Ships returned.",
    "source": {"id": "e", "name": "E", "domain": "e.example"},
    "published_at": "2024-01-01T00:00:00+00:00",
    "topics": [{"id": "news", "score": 1.0, "origin": "rule"}],
}

RUN = [sys.executable, "-c"]


def test_open_index_picks_the_backend(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    index = open_index(settings, writable=True)
    try:
        assert isinstance(index, EmbeddedIndex)
        assert index.health() == {"status": "ok", "backend": "embedded", "documents": 0}
    finally:
        index.close()
    with pytest.raises(ValueError, match="TIDINGS_ES_URL"):
        open_index(replace(settings, index_backend="elasticsearch"))
    with pytest.raises(ValueError, match="embedded, elasticsearch"):
        open_index(replace(settings, index_backend="solr"))


def test_read_only_index_refuses_writes(tmp_path: Path) -> None:
    reader = EmbeddedIndex(tmp_path, writable=False)
    with pytest.raises(IndexReadOnlyError):
        reader.upsert([ART])
    reader.close()


def test_a_bad_record_leaves_nothing_half_written(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path, writable=True)
    try:
        with pytest.raises(KeyError):
            index.upsert([dict(ART, id="ok1"), {"title": "no id"}])
        index.upsert([dict(ART, id="ok2")])
        assert [h.id for h in index.search(SearchRequest()).hits] == ["ok2"]
    finally:
        index.close()


def test_index_with_another_schema_is_refused(tmp_path: Path) -> None:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("other", stored=True)
    tantivy.Index(builder.build(), path=str(tmp_path))
    with pytest.raises(IndexSchemaError, match="tidings reindex"):
        EmbeddedIndex(tmp_path, writable=False)


def test_writer_lock_is_released_on_close(tmp_path: Path) -> None:
    first = EmbeddedIndex(tmp_path, writable=True)
    first.upsert([ART])
    first.close()
    second = EmbeddedIndex(tmp_path, writable=True)
    assert second.count() == 1
    second.close()


def test_second_writer_in_another_process_fails_clearly(tmp_path: Path) -> None:
    writer = EmbeddedIndex(tmp_path, writable=True)
    code = (
        "import sys; from pathlib import Path\n"
        "from tidings.core.index import EmbeddedIndex, IndexLockedError\n"
        "try:\n    EmbeddedIndex(Path(sys.argv[1]), writable=True)\n"
        "except IndexLockedError as e:\n    print('locked:', e)\n"
    )
    try:
        out = subprocess.run([*RUN, code, str(tmp_path)], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert "locked:" in out.stdout and "only one writer" in out.stdout
    finally:
        writer.close()
    assert issubclass(IndexLockedError, RuntimeError)


def test_reader_in_another_process_sees_new_commits(tmp_path: Path) -> None:
    writer = EmbeddedIndex(tmp_path, writable=True)
    code = (
        "import sys, time; from pathlib import Path\n"
        "from tidings.core.index import EmbeddedIndex\n"
        "r = EmbeddedIndex(Path(sys.argv[1]), writable=False)\n"
        "print(r.count(), flush=True); sys.stdin.readline()\n"
        "deadline = time.time() + 10\n"
        "while r.count() == 0 and time.time() < deadline: time.sleep(0.05)\n"
        "print(r.count(), flush=True)\n"
    )
    proc = subprocess.Popen(
        [*RUN, code, str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline().strip() == "0"
        started = time.monotonic()
        writer.upsert([ART])
        proc.stdin.write("go\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "1"
        assert time.monotonic() - started < 5
    finally:
        proc.kill()
        proc.wait()
        writer.close()


def test_cursor_round_trip_and_rejections() -> None:
    for cursor, sort in ((DateCursor(123, "abc"), "date"), (OffsetCursor(40), "relevance")):
        text = encode_cursor(cursor)
        assert text.replace("-", "").replace("_", "").isalnum()  # URL-safe, no padding
        assert decode_cursor(text, sort) == cursor
    with pytest.raises(QueryError):
        decode_cursor(encode_cursor(OffsetCursor(40)), "date")
    with pytest.raises(QueryError):
        decode_cursor(encode_cursor(OffsetCursor(10**9)), "relevance")
    with pytest.raises(QueryError):
        decode_cursor("%%%", "date")


def test_unknown_facet_is_a_query_error(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path, writable=True)
    try:
        with pytest.raises(QueryError):
            index.search(SearchRequest(facets=("colour",)))
    finally:
        index.close()


def test_records_with_odd_dates_and_topics_still_index(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path, writable=True)
    try:
        odd = dict(ART, id="x2", published_at="not a date", fetched_at=None, topics=["plain"])
        index.upsert([odd, dict(ART, id="x3", published_at=None, topics=None, source=None)])
        assert index.count() == 2
        assert [h.id for h in index.search(SearchRequest(topics=("plain",))).hits] == ["x2"]
    finally:
        index.close()


def _colliding_ids(pairs: int) -> list[tuple[str, str]]:
    """Ids whose 24-bit tie hashes collide, so articles of the same second share a sort key."""
    seen: dict[int, str] = {}
    found: list[tuple[str, str]] = []
    n = 0
    while len(found) < pairs:
        aid = f"c{n}"
        key = sort_key(aid, None)
        if key in seen:
            found.append((seen.pop(key), aid))
        else:
            seen[key] = aid
        n += 1
    return found


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_date_cursor_orders_equal_sort_keys_by_id(tmp_path: Path, limit: int) -> None:
    colliding = [aid for pair in _colliding_ids(2) for aid in pair]
    others = ["o1", "o2", "o3"]
    index = EmbeddedIndex(tmp_path, writable=True)
    try:
        index.upsert([dict(ART, id=aid) for aid in colliding + others])
        keys = {aid: sort_key(aid, datetime(2024, 1, 1, tzinfo=UTC)) for aid in colliding + others}
        assert len(set(keys.values())) == len(keys) - 2
        expected = sorted(keys, key=lambda aid: (-keys[aid], aid))
        seen: list[str] = []
        cursor = None
        while True:
            result = index.search(SearchRequest(sort="date", limit=limit, cursor=cursor))
            seen += [h.id for h in result.hits]
            cursor = result.next_cursor
            if cursor is None:
                break
        assert seen == expected
    finally:
        index.close()
