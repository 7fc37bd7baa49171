"""The body stage's CPU with and without the container walk, alternated in one process.

``crawler.extract.body.extract_body`` reads a focused page's container with
:mod:`crawler.extract.container_text` when the walk's text is trusted, else with trafilatura's
first pass. With the walk switched off (``container_text`` answering None) the function is
main's before the walk existed, so both sides run the same pages in the same process, rounds
alternated (the first side of each round swaps), which cancels most of a shared machine's
drift. The clock covers parsing and ``extract_body`` (metadata is read off the clock); it
prints CPU ms a page per round and the ratio.

    nice -n 15 .venv/bin/python bench/container_walk.py [--every 6] [--rounds 4]
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.alternation import alternate, parse_args  # noqa: E402
from bench.record_diff import NO_URL, SETS  # noqa: E402
from bench.shared_data import data_root  # noqa: E402
from crawler.extract import body  # noqa: E402
from crawler.extract.document import parse_html  # noqa: E402
from crawler.extract.floor import BRIEF_WORDS  # noqa: E402
from crawler.extract.metadata import read_metadata  # noqa: E402

Page = tuple[str, str, str | None]


def load(data: Path, every: int) -> list[Page]:
    """(html, url, JSON-LD body) of every ``every``-th page of each set."""
    pages = []
    for name in SETS:
        truth = json.loads((data / name / "ground-truth.json").read_text())
        for page_id in sorted(truth)[::every]:
            raw = (data / name / "html" / f"{page_id}.html.gz").read_bytes()
            html = gzip.decompress(raw).decode("utf-8", "replace")
            url = truth[page_id].get("url") or NO_URL
            pages.append((html, url, read_metadata(parse_html(html), url).jsonld_body))
    return pages


def cpu_ms(pages: list[Page]) -> float:
    """CPU ms a page of parsing and ``extract_body`` over ``pages``."""
    started = time.process_time()
    for html, url, jsonld_body in pages:
        body.extract_body(html, parse_html(html), url, jsonld_body, BRIEF_WORDS)
    return (time.process_time() - started) * 1000 / len(pages)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    pages = load(args.data_dir or data_root(), args.every)
    walk = body.container_text
    sides = {"walk": walk, "no walk": lambda focus: None}
    answers: list[bool] = []

    def counted(focus):  # type: ignore[no-untyped-def]
        text = walk(focus)
        answers.append(text is not None)
        return text

    body.container_text = counted  # type: ignore[assignment]
    cpu_ms(pages)  # warm (imports and first-call loads), counting the walk's answers

    def timed(side: str) -> Callable[[], float]:
        def run() -> float:
            body.container_text = sides[side]  # type: ignore[assignment]
            return cpu_ms(pages)

        return run

    spent = alternate({side: timed(side) for side in sides}, args.rounds)
    body.container_text = walk
    print(f"{len(pages)} pages (every {args.every}th of {', '.join(SETS)}): {len(answers)} "
          f"focused, the walk's text used on {sum(answers)}")  # fmt: skip
    print("| round | with the walk | without | ratio |")
    print("|---|---|---|---|")
    for i, (with_walk, without) in enumerate(zip(spent["walk"], spent["no walk"], strict=True)):
        print(f"| {i + 1} | {with_walk:.2f} | {without:.2f} | {with_walk / without:.3f} |")


if __name__ == "__main__":
    main()
