"""The whole record's CPU with trafilatura's content search walked in Python and as its XPath,
alternated in one process.

``crawler.extract.content_search`` answers the search in one Python walk while trafilatura's
expressions are the ones it transcribes; with ``TRANSCRIPTION_HOLDS`` off it evaluates them as
XPath, which is main's code path before the module existed (the same stage order for
``marks``, the same cheapest-first order for ``has_mark``). Both sides run ``extract_article``
(fixed ``fetched_at``) over the same pages in the same process, rounds alternated with the
first side swapping each round, which cancels most of a shared machine's drift; it checks that
both sides built the same records and prints CPU ms a page per round and the ratio.

    nice -n 10 .venv/bin/python bench/content_search.py [--every 6] [--rounds 4]
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.alternation import alternate, parse_args  # noqa: E402
from bench.record_diff import FETCHED_AT, SETS, _pages  # noqa: E402
from bench.shared_data import data_root  # noqa: E402
from crawler.extract import content_search, extract_article  # noqa: E402
from crawler.extract.errors import NotAnArticle  # noqa: E402


def records(pages: list[tuple[str, str, str]]) -> tuple[float, str]:
    """CPU ms a page of ``extract_article`` over ``pages``, and the records as one JSON text."""
    out: list[object] = []
    started = time.process_time()
    for _key, url, html in pages:
        with contextlib.suppress(NotAnArticle):
            out.append(extract_article(html, url, {"fetched_at": FETCHED_AT}))
    spent = (time.process_time() - started) * 1000 / len(pages)
    return spent, json.dumps(out, sort_keys=True, default=str)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    data = args.data_dir or data_root()
    pages = [page for name in SETS for page in _pages(data, name)[:: args.every]]
    if not content_search.TRANSCRIPTION_HOLDS:
        raise SystemExit("this trafilatura's search is not the transcribed one: nothing to compare")
    records(pages)  # warm: imports and first-call loads

    def side(walk: bool) -> Callable[[], tuple[float, str]]:
        def run() -> tuple[float, str]:
            content_search.TRANSCRIPTION_HOLDS = walk
            return records(pages)

        return run

    runs = alternate({"python walk": side(True), "xpath": side(False)}, args.rounds)
    content_search.TRANSCRIPTION_HOLDS = True
    spent = {name: [ms for ms, _ in results] for name, results in runs.items()}
    outputs = {name: {out for _, out in results} for name, results in runs.items()}
    same = outputs["python walk"] == outputs["xpath"] and len(outputs["xpath"]) == 1
    load = os.getloadavg()[0]
    print(f"{len(pages)} pages (every {args.every}th of {', '.join(SETS)}); records identical "
          f"both ways: {'yes' if same else 'NO'}; load average {load:.1f}")  # fmt: skip
    print("| round | python walk, CPU ms a page | xpath | ratio |")
    print("|---|---|---|---|")
    for i, (walk, xpath) in enumerate(zip(spent["python walk"], spent["xpath"], strict=True)):
        print(f"| {i + 1} | {walk:.2f} | {xpath:.2f} | {walk / xpath:.3f} |")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
