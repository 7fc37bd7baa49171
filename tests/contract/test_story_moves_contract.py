"""A move rewrites the records of the stories it touched exactly as counting every member
again would (``recounted`` in tidings/core/store/story_recount.py), on every engine, while a
story of many members that one article leaves or joins is not read whole
(tidings/core/store/story_moves.py)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from tidings.core.article import normalise
from tidings.core.store import StoreEngine
from tidings.core.store.sql_stories import SqlPlacement
from tidings.core.store.story_recount import recounted

StoreOpener = Callable[[], StoreEngine]

DAYS = [f"2024-03-{d:02d}T{h:02d}:00:00Z" for d in (1, 2, 3) for h in range(0, 24, 2)]
TITLES = [f"Shared headline {i}" for i in range(8)]
SOURCES = [("wire", "Wire"), ("wire", "The Wire"), ("post", "Post"), ("post", "The Post")]
ENTITIES = [("padang", "Padang", "GPE"), ("padang", "PADANG", "GPE"), ("un", "UN", "ORG"),
            ("un", "United Nations", "ORG"), ("fauzi", "Fauzi", "PERSON")]  # fmt: skip


def _article(rng: random.Random, n: int) -> dict[str, Any]:
    """One stored article; titles, dates, sources' and entities' texts often shared (ties at a
    span's end, a title's or an entity's first member), some undated."""
    sid, name = rng.choice(SOURCES)
    return normalise({
        "url": f"https://{sid}.example/{n}",
        "title": rng.choice(TITLES) if rng.random() < 0.8 else f"Headline number {n}",
        "published_at": rng.choice(DAYS) if rng.random() < 0.8 else None,
        "fetched_at": rng.choice(DAYS),
        "source": {"id": sid, "name": name, "domain": f"{sid}.example"},
        "entities": [{"key": k, "text": t, "label": lb}
                     for k, t, lb in rng.sample(ENTITIES, rng.randint(0, 3))],
        "topics": [{"id": t} for t in rng.sample(["quake", "aid", "politics"], rng.randint(0, 2))],
    })  # fmt: skip


def _members(tx: SqlPlacement, batch: dict[str, dict[str, Any]]) -> dict[str, list[Any]]:
    """story id -> its members' records in placing order (as stored, else as ``batch`` holds)."""
    rows = tx._run(
        "SELECT sa.story_id, sa.article_id, a.record FROM story_articles sa "
        "LEFT JOIN articles a ON a.id = sa.article_id ORDER BY sa.seq"
    ).fetchall()
    out: dict[str, list[Any]] = {}
    for row in rows:
        record = json.loads(row["record"]) if row["record"] else batch.get(row["article_id"])
        if record is not None:
            out.setdefault(row["story_id"], []).append(record)
    return out


def _first_of_something(member: dict[str, Any], members: list[dict[str, Any]]) -> bool:
    """Whether ``member`` is the first of ``members`` from its source or with an entity."""
    before = members[: members.index(member)]
    keys = {e["key"] for e in member["entities"]} - {
        e["key"] for m in before for e in m["entities"]
    }
    return bool(keys) or all(m["source"]["id"] != member["source"]["id"] for m in before)


def _build(store: StoreEngine, rng: random.Random, sizes: list[int]) -> dict[str, Any]:
    """Stories of ``sizes`` members placed interleaved, each record a full recount with a
    random member as its headline; about one member in ten is the batch's, not stored."""
    articles = [_article(rng, n) for n in range(sum(sizes))]
    batch = {a["id"]: a for a in articles if rng.random() < 0.1}
    store.upsert([a for a in articles if a["id"] not in batch])
    owners = [f"s{i}" for i, size in enumerate(sizes) for _ in range(size)]
    rng.shuffle(owners)
    with store.placing() as tx:
        assert isinstance(tx, SqlPlacement)
        tx.add_members(
            [
                (a["id"], sid, seq)
                for seq, (a, sid) in enumerate(zip(articles, owners, strict=True), 1)
            ]
        )
        records = []
        for sid, members in _members(tx, batch).items():
            head = rng.choice(members)
            old = {"headline_article_id": head["id"], "headline_fit": rng.random()}
            records.append(recounted(sid, old, members).dump())
        tx.put_records(records, 1)
    return batch


def _move_and_check(
    store: StoreEngine, rng: random.Random, batch: dict[str, dict[str, Any]], version: int
) -> int:
    """One random move (mostly one article; headline members, span ends, a source's or an
    entity's first member favoured), then every touched story's record must be the full
    recount's; returns how many moved."""
    with store.placing() as tx:
        assert isinstance(tx, SqlPlacement)
        before = _members(tx, batch)
        old = tx.records(list(before))
        sid = rng.choice(sorted(before))
        members = before[sid]
        pick = rng.random()
        if pick < 0.2:
            chosen = [m for m in members if m["id"] == old[sid]["headline_article_id"]]
        elif pick < 0.4:
            chosen = [max(members, key=lambda m: (m["published_at"] or "", m["fetched_at"]))]
        elif pick < 0.55:  # the first with its source or an entity, not the story's first
            firsts = [m for m in members[1:] if _first_of_something(m, members)]
            chosen = [rng.choice(firsts or members)]
        elif pick < 0.65:
            chosen = rng.sample(members, min(len(members), rng.randint(2, 4)))
        else:
            chosen = [rng.choice(members)]
        targets = sorted(set(before) - {sid}) + [f"new{version}"]
        target = rng.choice(targets)
        moves = {m["id"]: target for m in chosen or members[:1]}
        if rng.random() < 0.1 and len(moves) > 1:  # two stories' members cross
            first = next(iter(moves))
            moves[first] = rng.choice(targets)
        stories = sorted({sid, *moves.values()})
        tx.move_members(moves, stories, version, batch)
        after = _members(tx, batch)
        stored = tx.records(stories)
        for story_id in stories:
            if story_id not in after:
                assert story_id not in stored
                continue
            expected = recounted(story_id, old.get(story_id), after[story_id]).dump()
            assert stored[story_id] == expected, (story_id, sorted(moves))
            row = tx._run(
                "SELECT articles, last_seen FROM stories WHERE id = ?", (story_id,)
            ).fetchone()
            assert (row["articles"], row["last_seen"]) == (
                expected["articles"],
                expected["last_seen"],
            )
    return len(moves)


def test_moved_members_leave_every_record_as_a_full_recount_would(
    store_engines: StoreOpener,
) -> None:
    rng = random.Random(15)
    store = store_engines()
    batch = _build(store, rng, [1, 1, 2, 3, 5, 8, 13, 30, 70, 200])
    moved = sum(_move_and_check(store, rng, batch, version) for version in range(2, 602))
    assert moved >= 600


def _poison_all_but(store: StoreEngine, keep: set[str]) -> None:
    """Give every other stored record a source and a title of its own: a move that reads one
    of them counts it in."""
    with store.placing() as tx:
        assert isinstance(tx, SqlPlacement)
        ids = [r["id"] for r in tx._run("SELECT id FROM articles").fetchall()]
        poison = [(json.dumps({"id": aid, "title": "Poison", "source": "poison"}), aid)
                  for aid in ids if aid not in keep]  # fmt: skip
        tx._many("UPDATE articles SET record = ? WHERE id = ?", poison)


def test_one_article_leaving_or_joining_a_big_story_reads_what_moved(
    store_engines: StoreOpener,
) -> None:
    """A story of 400 members loses one placed late and gains it back: the records read are
    the moved one and at most the first page of members before it, never the whole story."""
    store = store_engines()
    articles = [
        normalise({"url": f"https://wire.example/{n}", "title": f"Headline number {n}",
                   "published_at": f"2024-03-02T{n % 20 + 2:02d}:00:00Z",
                   "fetched_at": f"2024-03-05T{n % 20 + 2:02d}:00:00Z",
                   "source": {"id": "wire", "name": "Wire", "domain": "wire.example"}})
        for n in range(402)
    ]  # fmt: skip
    late = articles[350]
    for a, day in ((articles[0], "01"), (articles[1], "03")):  # the spans' ends
        a["published_at"], a["fetched_at"] = f"2024-03-{day}T00:00:00Z", f"2024-03-{day}T09:00:00Z"
    store.upsert(articles)
    with store.placing() as tx:
        assert isinstance(tx, SqlPlacement)
        tx.add_members([(a["id"], "big", seq) for seq, a in enumerate(articles[:400], 1)])
        tx.add_members([(articles[400]["id"], "small", 401), (articles[401]["id"], "small", 402)])
        for sid, members in (("big", articles[:400]), ("small", articles[400:])):
            old = {"headline_article_id": members[0]["id"], "headline_fit": 0.0}
            tx.put_records([recounted(sid, old, members).dump()], 1)
        full = tx.records(["big"])["big"]
    _poison_all_but(store, {a["id"] for a in articles[:64] + articles[350:351] + articles[400:]})
    with store.placing() as tx:
        assert isinstance(tx, SqlPlacement)
        tx.move_members({late["id"]: "small"}, ["big", "small"], 2, {})
        big = tx.records(["big"])["big"]
        assert set(big["sources"]) == {"wire"} and big["sources"]["wire"]["articles"] == 399
        assert big["articles"] == 399 and big["titles"] == full["titles"]
        tx.move_members({late["id"]: "big"}, ["big", "small"], 3, {})  # and back to its place
        again = tx.records(["big", "small"])
        assert again["big"] == full and again["small"]["articles"] == 2
