"""Re-tag stored articles with a (new) model, in batches, without re-crawling.

Resumable: with ``only_outdated`` an article already tagged by the target model version is
skipped, so a run that was stopped simply continues. Each batch goes to the store first (marked
pending for the index in the same transaction), then to the index, then is marked indexed; a
crash between the two is repaired at the start of the next run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from tidings.core.store import StoreEngine
from tidings.core.sync import index_pending, store_and_index

Progress = Callable[[str], None]


class _Index(Protocol):
    def upsert(self, articles: list[dict[str, Any]]) -> None: ...

    def delete(self, ids: list[str]) -> Any: ...


class _Tagger(Protocol):
    model_version: str

    def tag(self, articles: list[dict[str, Any]]) -> None: ...


@dataclass
class ReclassifyReport:
    total: int = 0
    retagged: int = 0
    skipped: int = 0
    repaired: int = 0
    seconds: float = 0.0


def reclassify(
    store: StoreEngine,
    index: _Index,
    tagger: _Tagger,
    *,
    batch_size: int = 200,
    only_outdated: bool = True,
    progress: Progress | None = None,
) -> ReclassifyReport:
    """Re-tag every stored article (or only those of another model version)."""
    say = progress or (lambda _msg: None)
    start = time.perf_counter()
    report = ReclassifyReport(total=store.count())
    report.repaired = index_pending(store, index)
    if report.repaired:
        say(f"indexed {report.repaired} article(s) left pending by an earlier run")
    seen = 0
    for batch in store.iter_articles(batch_size):
        seen += len(batch)
        todo = [
            a for a in batch if not only_outdated or a.get("model_version") != tagger.model_version
        ]
        report.skipped += len(batch) - len(todo)
        if todo:
            tagger.tag(todo)
            store_and_index(store, index, todo)
            report.retagged += len(todo)
        rate = report.retagged / max(time.perf_counter() - start, 1e-9)
        say(
            f"{seen}/{report.total} articles: {report.retagged} re-tagged, "
            f"{report.skipped} already at {tagger.model_version} ({rate:.0f}/s)"
        )
    report.seconds = time.perf_counter() - start
    return report
