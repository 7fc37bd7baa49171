"""``bench/stories.py --catch-up`` on a small size: a second writer that reloads A's snapshot
and replays A's journal rows through the real store ends in A's state (the bench exits
otherwise), and the table says what each way cost."""

from __future__ import annotations

import pytest

from bench.stories import main


def test_the_catch_up_bench_checks_the_caught_up_writer_and_prints_its_costs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["--catch-up", "--sizes", "300"])
    printed = capsys.readouterr().out
    header, _, *rows, total = printed.strip().splitlines()
    assert "reload CPU s" in header and "replay CPU ms per row" in header
    assert [row.split(" | ")[0] for row in rows] == ["| 300"]
    for row in rows:
        cells = [c.strip() for c in row.strip("| ").split(" | ")]
        assert len(cells) == header.count("|") - 1
        snapshot_mb, reload_s, row_kb = float(cells[2]), float(cells[4]), float(cells[5])
        assert snapshot_mb > 0 and reload_s >= 0 and row_kb > 0
    assert total.startswith("total ") and total.endswith("for 2,348 articles")  # + a window
