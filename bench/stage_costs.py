"""CPU milliseconds a page by stage of the ingest work, measured on given pages in one process.

A crawl reports wall time per coarse stage (extract, tag, store, index) from its workers; this
splits the CPU work of extraction and tagging finer, on the same pages: the functions that
``crawler.extract.record`` and the tagger call for each stage are wrapped with a CPU clock
(``time.thread_time``) for the duration of the measurement and restored after, so the code
measured is the code the crawl runs. Stages: parse (decode + lxml), metadata, extraction
(the body), dates, fingerprint, the rest of the record; NER, model, rules and the rest of tagging.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

EXTRACT_STAGES = {
    "decode_html": "parse",
    "parse_html": "parse",
    "read_metadata": "metadata",
    "extract_body": "extraction",
    "choose_dates": "dates",
    "fingerprint": "fingerprint",
}


@contextmanager
def timed(owner: Any, names: dict[str, str], spent: dict[str, float]) -> Iterator[None]:
    """Wrap ``owner.<name>`` for each name so its CPU time adds to ``spent[stage]``."""
    saved = {name: getattr(owner, name) for name in names}

    def wrap(fn: Callable[..., Any], stage: str) -> Callable[..., Any]:
        def clocked(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[stage] += time.thread_time() - started

        return clocked

    try:
        for name, stage in names.items():
            setattr(owner, name, wrap(saved[name], stage))
        yield
    finally:
        for name, fn in saved.items():
            setattr(owner, name, fn)


def load_date_parser() -> float:
    """Load the date stage's parsers before any clock starts; returns the CPU seconds it took.

    The date stage's last resort (htmldate's text search) hands strings to dateparser, whose
    first call in a process loads its locales (the English one and every locale's month names,
    ~0.4 s; :func:`crawler.extract.textdate.warm_up`); later calls take milliseconds. Timed
    inside a sample, that one-off lands on whichever page first needs the search, so it is
    measured and reported on its own.
    """
    from crawler.extract.textdate import warm_up

    started = time.thread_time()
    warm_up()
    return time.thread_time() - started


def extraction_costs(pages: Sequence[tuple[bytes, str]]) -> tuple[dict[str, float], list[Any]]:
    """CPU seconds by stage over ``pages`` (html, url) and the records (None: not an article)."""
    from crawler.extract import NotAnArticle, extract_article
    from crawler.extract import record as record_module

    spent: dict[str, float] = defaultdict(float)
    records: list[Any] = []
    names = {n: s for n, s in EXTRACT_STAGES.items() if hasattr(record_module, n)}
    with timed(record_module, names, spent):
        for html, url in pages:
            started = time.thread_time()
            try:
                records.append(extract_article(html, url))
            except NotAnArticle:
                records.append(None)
            spent["extract (all)"] += time.thread_time() - started
    spent["record (rest)"] = spent["extract (all)"] - sum(spent[s] for s in set(names.values()))
    return dict(spent), records


def tagging_costs(
    tagger: Any, records: Sequence[dict[str, Any]], batch: int = 64
) -> dict[str, float]:
    """CPU seconds by stage to tag ``records`` in batches of ``batch``, as the crawl does."""
    spent: dict[str, float] = defaultdict(float)
    with (
        timed(tagger.entities, {"read": "NER"}, spent),  # tokenize + recognise the leads
        timed(tagger, {"model_topics": "model"}, spent),
        timed(tagger.rules, {"match_with_evidence": "rules"}, spent),
    ):
        for k in range(0, len(records), batch):
            chunk = [dict(r) for r in records[k : k + batch]]
            started = time.thread_time()
            tagger.tag(chunk)
            spent["tag (all)"] += time.thread_time() - started
    spent["tag (rest)"] = spent["tag (all)"] - spent["NER"] - spent["model"] - spent["rules"]
    return dict(spent)
