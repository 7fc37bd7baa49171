"""bench/duplicates.py's accounting on a small labelled set through the real SQLite store: a
wire copy shares a cluster and counts as a copy found; two pages whose extracted bodies are the
same boilerplate share a cluster and count as a false merge (their ground truths differ); a
distinct story stays alone."""

from __future__ import annotations

from pathlib import Path

from bench.duplicates import Labelled, report
from tidings.core.store import Store

WIRE = " ".join(
    f"The expedition searched reef {i} near the island and found no wreckage" for i in range(12)
)
MENU = " ".join(
    f"Home crafts section {i} subscribe to our newsletter for more ideas" for i in range(12)
)
OTHER = " ".join(
    f"Quarterly revenue at the chip maker rose {i} percent on demand" for i in range(12)
)


def test_copies_found_and_boilerplate_merges_counted(tmp_path: Path) -> None:
    labelled = [
        Labelled({"title": "Search falls short", "body": WIRE}, "a", WIRE),
        Labelled({"title": "Search falls short", "body": WIRE + " Editing by X."}, "b", WIRE),
        Labelled(
            {"title": "Leaf bunting", "body": MENU}, "c", "Cut leaves from paper and string them."
        ),
        Labelled(
            {"title": "Corn printing", "body": MENU}, "d", "Print with a corn cob dipped in paint."
        ),
        Labelled({"title": "Chip maker results", "body": OTHER}, "e", OTHER),
    ]
    store = Store(tmp_path / "d.db")
    try:
        row = report("pages", labelled, store, show=0)
    finally:
        store.close()
    assert row["clusters of 2+"] == 2
    assert row["pairs in one cluster"] == 2
    assert row["pairs of distinct stories in one cluster"] == 1  # c / d: boilerplate
    assert row["copies in the truth"] == 1  # a / b
    assert row["of which in one cluster"] == 1
