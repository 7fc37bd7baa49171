"""``PostgresDatabase.lock_wait``: the seconds a store's transactions block on the articles lock
while another host holds it (what ``bench/stories_writers.py`` reports as the lock-wait share)."""

from __future__ import annotations

import threading
import time

from tidings.core.store.postgres import PostgresStore

HOLD = 1.0


def test_lock_wait_counts_the_time_another_writer_holds_the_lock(pg_url: str) -> None:
    holder, waiter = PostgresStore(pg_url), PostgresStore(pg_url)
    try:
        alone = waiter._db.lock_wait  # noqa: SLF001
        with waiter._db.write():  # noqa: SLF001 - nobody holds it: next to no wait
            pass
        uncontended = waiter._db.lock_wait - alone  # noqa: SLF001
        assert 0 < uncontended < HOLD / 2
        taken = threading.Event()

        def hold() -> None:
            with holder._db.write():  # noqa: SLF001
                taken.set()
                time.sleep(HOLD)

        thread = threading.Thread(target=hold)
        thread.start()
        assert taken.wait(30)
        before = waiter._db.lock_wait  # noqa: SLF001
        with waiter._db.write():  # noqa: SLF001 - blocks until the holder commits
            pass
        thread.join()
        waited = waiter._db.lock_wait - before  # noqa: SLF001
        assert HOLD * 0.5 < waited < HOLD * 10
        assert holder._db.lock_wait < HOLD / 2  # noqa: SLF001 - the holder never waited
    finally:
        holder.close()
        waiter.close()
