"""A crawl worker's whole job on every real page, replayed in one process and accounted for.

``bench/crawl.py --real`` reports the workers' CPU a stored article and splits a 200-page
sample by stage; the two do not add up (the "rest"). This replays what a worker does with
each page of the sets, in the crawl's order and batches: the page as the spider hands it over
(a Scrapy response's bytes and ``Content-Type``, decoded in the worker), its hints (source, its
domains, the fetch time, the source's site template as :mod:`crawler.extract.site_memory`
learns it, 8 loopback hosts as ``bench/real_site.py`` deals them), each call's pages pickled
out and its results pickled back as the pool does, and :func:`crawler.run.workers._finish_pages`
(extract each page, tag the batch) between. Every stage is timed on the thread's CPU clock, so
the table's rows add up to the job (the last row: what no stage holds).

    PYTHONPATH=. nice -n 10 .venv/bin/python bench/worker_costs.py [--every 1] [--batch 16]
        [--profile FILE.pstats] [--data-dir DIR] [--generated N]

``--generated N``: the same job on N pages of ``bench/crawl.py``'s generated site (every 10th
article page, ~96 KB each, as its crawl serves them) instead of the real pages.

``--profile``: cProfile (CPU timer) of the job too, saved for ``pstats`` (it slows the job ~2x:
read shares from it, not times).
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.real_site import load_pages, page_html  # noqa: E402
from bench.stage_costs import EXTRACT_STAGES, load_date_parser, timed  # noqa: E402

SETS = ("extraction-dev2", "extraction-dev")
HOSTS = 8
FETCHED_AT = "2026-12-07T00:00:00Z"
#: Stage wrappers: (module, function name) -> stage, in the order the table prints them.
WORKER_STAGES = {
    **{("crawler.extract.record", n): s for n, s in EXTRACT_STAGES.items()},
    ("crawler.extract.record", "body_keys"): "site memory",
    ("crawler.extract.record", "strip_template"): "site memory",
    ("crawler.extract.record", "canonical_url"): "canonical URL",
    ("crawler.extract", "build_record"): "extract (all)",
    ("crawler.extract.pubdate", "htmldate_day"): "dates: htmldate, votes undecided",
    ("crawler.extract.pubdate", "text_date"): "dates: the last resort (text search)",
}
#: Rows inside another stage: printed under it, not summed.
PARTS = ("dates: htmldate, votes undecided", "dates: the last resort (text search)")
#: Stages that hold others (not summed with them).
TOTALS = ("extract (all)", "tag (all)")


def _responses(data_dir: Path, every: int) -> list[tuple[int, str, bytes]]:
    """(host, url, body) of every ``every``-th page, in the order the crawl's hosts deal them."""
    pages = load_pages(data_dir, SETS, HOSTS)[::every]
    return [
        (p.host, f"http://127.0.0.{p.host + 1}:8000{p.path}", page_html(data_dir, p)) for p in pages
    ]


def _generated(pages: int) -> list[tuple[int, str, bytes]]:
    """(host, url, body) of ``pages`` of the generated site's article pages (every 10th), as
    ``bench/crawl.py --pages 5000`` serves them (80 KB of furniture each)."""
    from bench.crawl import article_page, article_path

    base = "http://127.0.0.1:8000"
    picked = range(0, 10 * pages, 10)
    return [(0, base + article_path(i), article_page(i, base, 80)) for i in picked]


def _tagger() -> Any:
    from classifier.tagger import Tagger
    from tidings.core.config import Settings

    with tempfile.TemporaryDirectory() as home:
        tagger = Tagger.load(Settings.from_env(home=home).model_dir)
    tagger.tag([{"title": "Warm up", "body": "Warm up the pipeline in London."}])
    return tagger


def replay(responses: list[tuple[int, str, bytes]], batch: int) -> dict[str, float]:
    """CPU seconds by stage of the worker's job on ``responses`` (and the spider's hand-over)."""
    import importlib

    from scrapy.http import HtmlResponse

    from crawler.extract import extract_article
    from crawler.extract.site_memory import LINES_KEY, TEMPLATE_HINT, SiteMemory
    from crawler.fetch.content import looks_binary
    from crawler.run import workers

    spent: dict[str, float] = defaultdict(float)
    memory = SiteMemory()
    ctype = "text/html; charset=utf-8"  # what bench/real_site.py serves
    groups: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for (module, name), stage in WORKER_STAGES.items():
        groups[(module, stage)][name] = stage
    owners = [(importlib.import_module(m), names) for (m, _), names in groups.items()]
    tagger = workers._worker_tagger
    owners += [
        (tagger, {"tag": "tag (all)", "model_topics": "model"}),
        (tagger.entities, {"read": "NER"}),
        (tagger.rules, {"match_with_evidence": "rules"}),
    ]
    with contextlib_stack(owners, spent):
        started = time.thread_time()
        for k in range(0, len(responses), batch):
            calls = []
            t0 = time.thread_time()
            for host, url, body in responses[k : k + batch]:
                response = HtmlResponse(url, body=body, headers={"Content-Type": ctype})
                source = f"host{host}"
                assert not looks_binary(response.body)
                hints = {
                    "content_type": ctype,
                    "source": {"id": source, "name": source, "domain": f"127.0.0.{host + 1}"},
                    "source_domains": [f"127.0.0.{host + 1}"],
                    "fetched_at": FETCHED_AT,
                    TEMPLATE_HINT: memory.template(source),
                }
                calls.append((response.body, url, hints))
            t1 = time.thread_time()
            sent = pickle.loads(pickle.dumps((extract_article, calls), pickle.HIGHEST_PROTOCOL))
            t2 = time.thread_time()
            finished = workers._finish_pages(*sent)
            t3 = time.thread_time()
            back = pickle.loads(pickle.dumps(finished, pickle.HIGHEST_PROTOCOL))
            t4 = time.thread_time()
            for (host, _, _), done in zip(responses[k : k + batch], back, strict=True):
                if isinstance(done.outcome, dict):
                    memory.learn_keys(f"host{host}", done.outcome.pop(LINES_KEY, ()))
            spent["spider: response and hints (crawl process)"] += t1 - t0
            spent["pickle out and in"] += (t2 - t1) + (t4 - t3)
            spent["worker job"] += t3 - t2
        spent["all"] = time.thread_time() - started
    return dict(spent)


class contextlib_stack:  # noqa: N801 - used as a context manager, like contextlib's
    """Every (module, {function: stage}) of ``owners`` timed into ``spent`` while inside."""

    def __init__(self, owners: list[tuple[Any, dict[str, str]]], spent: dict[str, float]) -> None:
        import contextlib

        self.stack = contextlib.ExitStack()
        self.owners, self.spent = owners, spent

    def __enter__(self) -> None:
        for owner, names in self.owners:
            self.stack.enter_context(timed(owner, names, self.spent))

    def __exit__(self, *exc: object) -> None:
        self.stack.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=1, help="every N-th page of the sets")
    parser.add_argument("--batch", type=int, default=16, help="pages a worker call (the pool's)")
    parser.add_argument("--profile", type=Path, help="also save a cProfile (CPU timer) here")
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--generated", type=int, metavar="N", help="N generated pages instead")
    args = parser.parse_args()
    if args.generated is not None and args.generated < 1:
        parser.error("--generated takes a number of pages, 1 or more")
    from crawler.extract import extract_article  # noqa: F401 - imports off the clock
    from crawler.run import workers

    workers._worker_tagger = _tagger()
    load_date_parser()
    if args.generated:
        responses = _generated(args.generated)
        what = "the generated site, every 10th article page"
    else:
        responses = _responses(args.data_dir, args.every)
        what = f"{', '.join(SETS)}, every {args.every}"
    before = resource.getrusage(resource.RUSAGE_SELF)
    profile = cProfile.Profile(time.process_time) if args.profile else None
    if profile is not None:
        profile.enable()
    spent = replay(responses, args.batch)
    if profile is not None:
        profile.disable()
        profile.dump_stats(args.profile)
    after = resource.getrusage(resource.RUSAGE_SELF)
    n = len(responses)
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"{n} pages ({what}), batches of {args.batch}; "
          f"process CPU {1000 * (user + system) / n:.2f} ms a page (user {1000 * user / n:.2f}, "
          f"system {1000 * system / n:.2f}); load average {load}")  # fmt: skip
    job = spent["worker job"]
    order = ["parse", "metadata", "extraction", "dates", "canonical URL", "site memory",
             "fingerprint", "NER", "model", "rules"]  # fmt: skip
    rows = [(s, spent.get(s, 0.0)) for s in order]
    parts = [(f"of which {s}", spent.get(s, 0.0)) for s in PARTS]
    extract_rest = spent["extract (all)"] - sum(v for s, v in rows[:7])
    tag_rest = spent["tag (all)"] - sum(v for s, v in rows[7:])
    rows += [("record (rest)", extract_rest), ("tagging (rest)", tag_rest)]
    rows.append(("worker job, outside both", job - spent["extract (all)"] - spent["tag (all)"]))
    handover = ("pickle out and in", "spider: response and hints (crawl process)")
    rows += [(s, spent[s]) for s in handover]
    print("| stage | CPU ms a page | share of the worker's job |")
    print("|---|---|---|")
    for stage, seconds in rows:
        print(f"| {stage} | {1000 * seconds / n:.2f} | {seconds / job:.1%} |")
        if stage == "dates":
            for part, part_s in parts:
                print(f"| {part} | ({1000 * part_s / n:.2f}) | ({part_s / job:.1%}) |")
    print(f"| **worker job** | **{1000 * job / n:.2f}** | 100% |")
    print(f"| all (job, pickling, hand-over) | {1000 * spent['all'] / n:.2f} | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
