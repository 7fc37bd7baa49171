"""Crawl benchmark: a generated loopback news site, crawled end to end (fetch → extract → tag →
store → index), with and without the worker pool.

The site (a sitemap index over news sitemaps of 1,000 URLs each, plus a feed of the latest 100)
is served from its own process on 127.0.0.1; its pages look like real news pages (head
metadata and JSON-LD, navigation, a ~600-word story naming people, companies and places,
related links, footer, and ~80 KB of page furniture: ~96 KB each, ~15 KB with
``--furniture-kb 0``). Article pages are rendered to a temporary folder before the crawls and
served from the files (``--render-on-request`` generates them per request instead). Each
configuration crawls it into a fresh home in a fresh process with the real default model
(topics and entities); the bench prints articles/s (stored articles over the crawl's wall time,
from the first request to the last index commit), seconds per stage, CPU of the crawl, its
workers and the site, and peak memory (PSS of the crawl process and its workers, sampled every
0.25 s), and how memory moved between the first and the last quarter of the crawl.

With ``--store postgresql`` the pool configuration crawls twice in the same run, into SQLite
(the baseline) and into a PostgreSQL store (a private, durable cluster the bench starts with
:mod:`tidings.dev.postgres`), so the ratio compares the store engines alone.

With ``--real SET`` (repeatable) it crawls instead the real pages of the extraction sets in
``../shared/data`` (bench/real_site.py: unchanged pages from ``--hosts`` loopback hosts, each with
robots.txt and a sitemap), then, as the same-run baseline, the generated site with as many
pages, and splits the CPU cost a page by stage on a sample of both (bench/stage_costs.py).

    .venv/bin/python bench/crawl.py [--pages 5000] [--furniture-kb 80] [--workers N]
                                    [--no-baseline] [--no-classify] [--no-article-element]
                                    [--render-on-request] [--vs NAME=VALUE] [--json FILE]
    .venv/bin/python bench/crawl.py --store postgresql [--pages 2000] [--no-classify]
    .venv/bin/python bench/crawl.py --real extraction-dev2 --real extraction-dev
                                    [--hosts 8] [--stage-pages 400] [--stages-only]
                                    [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import multiprocessing
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.real_site import QuietHandler, load_pages, page_html, serve_hosts, unpack  # noqa: E402

T = TypeVar("T")
SITEMAP_SIZE = 1000
#: Set to a folder: the crawl process is profiled (cProfile, every thread) into it.
PROFILE_ENV = "BENCH_CRAWL_PROFILE"
FEED_SIZE = 100
SAMPLE_EVERY = 0.25

# -- the generated site ------------------------------------------------------------------------

PEOPLE = [
    "Maria Lopez", "James Okafor", "Chen Wei", "Anna Schmidt", "Rahul Mehta", "Sarah Collins",
    "Tom Becker", "Yuki Tanaka", "Olivia Brown", "Pierre Dubois", "Fatima Hassan", "Lars Nilsson",
]  # fmt: skip
ORGS = {
    "business": ["Northwind Bank", "Contoso Retail", "Acme Freight", "Globex Energy"],
    "technology": ["Initech", "Hooli", "Vandelay Systems", "Soylent Cloud"],
    "politics": ["the Treasury", "the Senate", "the Labour Party", "the European Commission"],
    "sport": ["Riverside United", "the Lions", "Harbour City FC", "the national squad"],
    "entertainment": ["Silverline Studios", "the Royal Opera", "Moonbeam Records", "Netflix"],
}
PLACES = ["London", "Berlin", "Tokyo", "Nairobi", "Toronto", "Madrid", "Sydney", "Chicago"]
SENTENCES = {
    "business": [
        "Shares in {org} rose {n} per cent after the company reported quarterly revenue "
        "above analysts' forecasts, helped by strong demand in {place}.",
        "{person}, chief executive of {org}, said the firm would cut costs by {n} million "
        "dollars next year and review its dividend policy.",
        "Investors have worried about rising interest rates, which make borrowing more "
        "expensive for companies that plan to expand.",
        "The central bank is expected to hold rates at its next meeting, economists said.",
        "Profit margins narrowed as shipping and wage costs climbed through the spring.",
    ],
    "technology": [
        "{org} unveiled a new chip that it says runs machine learning models {n} times "
        "faster than the previous generation.",
        "{person}, who leads software engineering at {org}, said the update would reach "
        "phones and laptops in {place} first.",
        "Security researchers found a flaw that could let attackers read private messages, "
        "and a patch is being rolled out.",
        "The company is investing heavily in data centres and cloud computing capacity.",
        "Developers at the conference asked about open source licences and privacy rules.",
    ],
    "politics": [
        "{person} told reporters in {place} that {org} would publish the bill within {n} "
        "days, after weeks of negotiation.",
        "Opposition members said the plan did too little for families facing higher bills.",
        "The vote in parliament is expected to be close, with several members undecided.",
        "Ministers defended the budget, arguing it would reduce borrowing over five years.",
        "A spokesperson for {org} declined to comment on the leaked draft.",
    ],
    "sport": [
        "{org} won {n}-1 in {place} on Saturday, with {person} scoring twice in the second half.",
        "The coach praised the defence but said the team must improve its passing.",
        "{person} has been ruled out for {n} weeks with a hamstring injury.",
        "The result leaves the club third in the league table, two points off the top.",
        "Fans filled the stadium despite the rain and sang long after the final whistle.",
    ],
    "entertainment": [
        "{org} announced that the film, starring {person}, will open in cinemas in {place} "
        "next month.",
        "Critics praised the album's production, and it reached number {n} in the charts.",
        "{person} said in an interview that the role was the hardest of her career.",
        "The festival sold out within hours, and organisers added {n} extra shows.",
        "The series has been renewed for a second season after strong streaming figures.",
    ],
}
TOPICS = list(SENTENCES)
#: Words for the rest of a story, so that stories share no more text than real ones do (the
#: store's near-duplicate check would otherwise compare every story with every other).
NOUNS = [
    "plan",
    "report",
    "market",
    "budget",
    "team",
    "season",
    "board",
    "deal",
    "network",
    "service",
    "contract",
    "council",
    "museum",
    "station",
    "factory",
    "festival",
    "study",
    "survey",
    "growth",
    "price",
    "target",
    "strategy",
    "audience",
    "product",
    "league",
    "supply",
    "vote",
    "policy",
    "record",
    "figure",
    "project",
    "region",
    "district",
    "sector",
    "agency",
    "schedule",
    "launch",
    "concert",
    "career",
    "minister",
    "investor",
    "player",
    "striker",
    "engineer",
    "analyst",
    "voter",
]
VERBS = [
    "approved",
    "delayed",
    "expanded",
    "questioned",
    "rejected",
    "announced",
    "doubled",
    "reviewed",
    "funded",
    "launched",
    "cancelled",
    "defended",
    "criticised",
    "welcomed",
    "extended",
    "reduced",
    "tested",
    "confirmed",
]
ADJECTIVES = [
    "new",
    "regional",
    "annual",
    "early",
    "final",
    "local",
    "major",
    "quarterly",
    "national",
    "private",
    "public",
    "surprising",
    "modest",
    "sharp",
    "steady",
    "fragile",
    "crucial",
    "costly",
    "ambitious",
    "popular",
]


def article_path(i: int) -> str:
    day = datetime(2026, 11, 25, tzinfo=UTC) - timedelta(hours=i)
    return f"/{TOPICS[i % len(TOPICS)]}/{day:%Y/%m/%d}/story-{i}.html"


def _published(i: int) -> datetime:
    return datetime(2026, 11, 25, 12, tzinfo=UTC) - timedelta(hours=i, minutes=i % 60)


def _boilerplate(rng: random.Random, kb: int) -> str:
    """About ``kb`` KB of what surrounds a story on a real page: menus, "most read" lists,
    reader comments, inline scripts and icons (real pages median ~115 KB of HTML)."""
    blocks: list[str] = []
    size = 0
    k = 0
    while size < kb * 1024:
        k += 1
        links = "".join(
            f'<li class="menu-item menu-item-{k}-{j}"><a class="menu-link" '
            f'href="/section/{TOPICS[j % 5]}/{k}-{j}/">{rng.choice(PLACES)} {TOPICS[j % 5]} '
            f"{j}</a></li>"
            for j in range(20)
        )
        comment = (
            f'<div class="comment" id="c{k}"><span class="who">{rng.choice(PEOPLE)}</span>'
            f"<p>{rng.choice(SENTENCES[rng.choice(TOPICS)]).format(n=k, **_fill(rng))}</p></div>"
        )
        script = (
            f"<script>window.dataLayer=window.dataLayer||[];dataLayer.push({{'slot':'ad-{k}',"
            f"'sizes':[[300,250],[728,90]],'targeting':{{'section':'{TOPICS[k % 5]}'}}}});"
            "</script>"
        )
        icon = (
            f'<svg class="icon" viewBox="0 0 24 24"><path d="M{k} 2L2 7l10 5 10-5-10-5z'
            'M2 17l10 5 10-5M2 12l10 5 10-5"/></svg>'
        )
        block = f'<div class="widget"><ul class="menu">{links}</ul>{comment}{script}{icon}</div>'
        blocks.append(block)
        size += len(block)
    return "\n".join(blocks)


def _fill(rng: random.Random, topic: str | None = None) -> dict[str, str]:
    return {
        "person": rng.choice(PEOPLE),
        "org": rng.choice(ORGS[topic or rng.choice(TOPICS)]),
        "place": rng.choice(PLACES),
    }


def article_page(i: int, base: str, kb: int = 0, story_tag: str = "article") -> bytes:
    """A news page: metadata, navigation, a ~600-word story, related links, footer, and
    ``kb`` KB more of page furniture (menus, comments, scripts). The story sits in a
    ``story_tag`` element (``div`` for pages without ``<article>``, which extraction cannot
    narrow down before trafilatura reads the page: crawler/extract/focus.py)."""
    rng = random.Random(i)
    topic = TOPICS[i % len(TOPICS)]
    fill = _fill(rng, topic)

    def sentence() -> str:
        return rng.choice(SENTENCES[topic]).format(n=rng.randint(2, 40), **fill)

    def filler() -> str:
        a, b, c = (rng.choice(ADJECTIVES) for _ in range(3))
        n1, n2, n3 = (rng.choice(NOUNS) for _ in range(3))
        return (
            f"The {a} {n1} {rng.choice(VERBS)} the {b} {n2} in {rng.choice(PLACES)} "
            f"{rng.choice(['on', 'after', 'before', 'since'])} {rng.randint(2, 28)} "
            f"{rng.choice(['May', 'June', 'July', 'March'])}, and the {c} {n3} "
            f"{rng.choice(VERBS)} {rng.randint(3, 90)} {rng.choice(NOUNS)}s."
        )

    title = sentence().split(",")[0].rstrip(".")[:90] + f" ({i})"
    paragraphs = [" ".join([sentence(), sentence()])] + [
        " ".join(filler() if rng.random() < 0.8 else sentence() for _ in range(rng.randint(3, 5)))
        for _ in range(8)
    ]
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    published = _published(i).isoformat()
    nav = "".join(f'<li><a href="/{t}/">{t.title()}</a></li>' for t in TOPICS) * 4
    related = "".join(
        f'<li><a href="{article_path(j)}">Related story {j}</a></li>'
        for j in rng.sample(range(max(i + 50, 60)), 8)
    )
    jsonld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": published,
            "author": {"@type": "Person", "name": rng.choice(PEOPLE)},
            "publisher": {"@type": "Organization", "name": "Loopback Herald"},
        }
    )
    boiler = (
        '<div class="ad">Advertisement</div><aside class="newsletter"><h3>Sign up</h3>'
        "<p>Get the morning briefing in your inbox every weekday.</p><form><input "
        'name="email"><button>Subscribe</button></form></aside>'
    )
    css = "".join(f".c{k}{{margin:{k}px;padding:{k}px}}" for k in range(250))
    story_open = story_tag if story_tag == "article" else f'{story_tag} class="story"'
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Loopback Herald</title>
<meta name="description" content="{paragraphs[0][:150]}">
<meta property="og:title" content="{title}"><meta property="og:type" content="article">
<meta property="og:url" content="{base}{article_path(i)}">
<meta property="article:published_time" content="{published}">
<link rel="canonical" href="{base}{article_path(i)}">
<script type="application/ld+json">{jsonld}</script><style>{css}</style></head>
<body><header><a href="/">Loopback Herald</a><nav><ul>{nav}</ul></nav></header>
<main><{story_open}><h1>{title}</h1><p class="byline">By {rng.choice(PEOPLE)},
<time datetime="{published}">{_published(i):%d %b %Y}</time></p>
{body}</{story_tag}>{boiler}
<section class="related"><h2>More stories</h2><ul>{related}</ul></section>
<section class="more">{_boilerplate(rng, kb) if kb else ""}</section></main>
<footer><p>Loopback Herald. All rights reserved.</p><ul>{nav}</ul></footer></body></html>"""
    return html.encode()


def site_response(
    path: str, base: str, pages: int, kb: int = 0, story_tag: str = "article"
) -> tuple[int, str, bytes]:
    """(status, content type, body) of ``path`` on a site of ``pages`` articles."""
    if path == "/robots.txt":
        return 200, "text/plain", b"User-agent: *\nDisallow: /private/\n"
    if path == "/sitemap.xml":
        parts = "".join(
            f"<sitemap><loc>{base}/sitemap-{k}.xml</loc></sitemap>"
            for k in range((pages + SITEMAP_SIZE - 1) // SITEMAP_SIZE)
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{parts}</sitemapindex>'
        )
        return 200, "application/xml", xml.encode()
    if path.startswith("/sitemap-") and path.endswith(".xml"):
        k = int(path.removeprefix("/sitemap-").removesuffix(".xml"))
        urls = "".join(
            f"<url><loc>{base}{article_path(i)}</loc><news:news><news:publication>"
            "<news:name>Loopback Herald</news:name><news:language>en</news:language>"
            f"</news:publication><news:publication_date>{_published(i).isoformat()}"
            "</news:publication_date></news:news></url>"
            for i in range(k * SITEMAP_SIZE, min(pages, (k + 1) * SITEMAP_SIZE))
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?><urlset '
            'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
        )
        return 200, "application/xml", xml.encode()
    if path == "/feed.rss":
        items = "".join(
            f"<item><title>Story {i}</title><link>{base}{article_path(i)}</link>"
            f"<pubDate>{format_datetime(_published(i))}</pubDate></item>"
            for i in range(min(FEED_SIZE, pages))
        )
        rss = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Loopback Herald</title><link>{base}/</link>{items}</channel></rss>"
        )
        return 200, "application/rss+xml", rss.encode()
    i = article_index(path, pages)
    if i is not None:
        return 200, "text/html; charset=utf-8", article_page(i, base, kb, story_tag)
    return 404, "text/plain", b"not found"


def article_index(path: str, pages: int) -> int | None:
    """The number of the article page at ``path`` on a site of ``pages`` articles, or None."""
    name = path.rsplit("/", 1)[-1]
    if not (name.startswith("story-") and name.endswith(".html")):
        return None
    number = name.removeprefix("story-").removesuffix(".html")
    if not number.isdigit():
        return None
    i = int(number)
    return i if i < pages and path == article_path(i) else None


def serve_site(
    pages: int, kb: int, ready: Any, render_dir: str | None = None, story_tag: str = "article"
) -> None:
    """Serve the site on a free loopback port (HTTP/1.1 keep-alive); report the port.

    With ``render_dir``, every article page is rendered there first and then served from the
    file, as a static cache in front of a real site would: the crawl then shares the 2 cores
    with a file server, not with a page generator (~0.6 ms a page, about 3% of the ingest work).
    """

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.split("?", 1)[0]
            i = article_index(path, pages) if render_dir is not None else None
            if i is not None:
                status, ctype = 200, "text/html; charset=utf-8"
                body = Path(str(render_dir), f"{i}.html").read_bytes()
            else:
                status, ctype, body = site_response(path, base, pages, kb, story_tag)
            self.reply(status, ctype, body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    if render_dir is not None:
        for i in range(pages):
            Path(render_dir, f"{i}.html").write_bytes(article_page(i, base, kb, story_tag))
    ready.put(base)
    httpd.serve_forever()


def _stat_fields(pid: int | str) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name (state, parent, ...)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- one crawl, in its own process --------------------------------------------------------------


def crawl_child(config: dict[str, Any]) -> dict[str, Any]:
    """Run one crawl as ``tidings crawl`` would; the report plus CPU and setup times."""
    from crawler.run.crawl import run_crawl
    from tidings.core.config import Settings
    from tidings.core.sources import adhoc_sources

    started = time.perf_counter()
    settings = Settings.from_env(
        home=config["home"], model_dir=config.get("model_dir"), store_url=config.get("store_url")
    )
    tagger = None
    if config["classify"]:
        from classifier.tagger import Tagger

        tagger = Tagger.load(settings.model_dir)
        tagger.tag([{"title": "Warm up", "body": "Warm up the pipeline in London."}])
    setup = time.perf_counter() - started
    setup_cpu = resource.getrusage(resource.RUSAGE_SELF)
    sources = adhoc_sources([], config.get("sitemaps") or [f"{config['base']}/sitemap.xml"])
    with _profiled(os.environ.get(PROFILE_ENV)):
        report = run_crawl(
            settings,
            sources,
            tagger=tagger,
            log_level="WARNING",
            batch_size=config["batch_size"],
            overrides=config.get("overrides") or {},
            workers=config["workers"],
        )
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "report": {k: v for k, v in vars(report).items()},
        "setup_s": round(setup, 2),
        "cpu_main_s": round(me.ru_utime + me.ru_stime, 2),
        "cpu_main_setup_s": round(setup_cpu.ru_utime + setup_cpu.ru_stime, 2),
        "cpu_workers_s": round(kids.ru_utime + kids.ru_stime, 2),
        "model_version": getattr(tagger, "model_version", None),
        "workers": config["workers"],
    }


@contextlib.contextmanager
def _profiled(folder: str | None) -> Iterator[None]:
    """With ``folder``: cProfile every thread of the crawl process (CPU time, not wall: the
    reactor's, the store writer's, Scrapy's DNS threads...) while the crawl runs, one
    ``.pstats`` file a thread, so the crawler process's own CPU can be split by function.
    Profiling slows what it profiles: read shares, not rates."""
    if not folder:
        yield
        return
    profiles: list[tuple[str, cProfile.Profile]] = []

    def start_in_thread(*_: Any) -> None:
        sys.setprofile(None)
        profile = cProfile.Profile(time.thread_time)
        profiles.append((threading.current_thread().name, profile))
        profile.enable()

    threading.setprofile(start_in_thread)
    os.register_at_fork(after_in_child=lambda: sys.setprofile(None))  # workers run unprofiled
    main = cProfile.Profile(time.thread_time)
    main.enable()
    try:
        yield
    finally:
        main.disable()
        threading.setprofile(None)
        Path(folder).mkdir(parents=True, exist_ok=True)
        main.dump_stats(Path(folder, "main.pstats"))
        for i, (name, profile) in enumerate(profiles):
            profile.disable()
            profile.dump_stats(Path(folder, f"thread{i}-{name}.pstats"))


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (from /proc)."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent[int(entry.name)] = int(_stat_fields(entry.name)[1])
            except OSError:
                continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [p for p, pp in parent.items() if pp in frontier]
        found += frontier
    return found


def _thread_cpu(pid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds of each live thread of ``pid`` so far, with the thread's name (``comm``)."""
    found: dict[int, tuple[str, float]] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            text = (task / "stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        found[int(task.name)] = (name, ticks / os.sysconf("SC_CLK_TCK"))
    return found


def _by_thread(pid: int, threads: dict[int, tuple[str, float]]) -> dict[str, float]:
    """The crawl process's CPU by thread, as last sampled (0.25 s before a thread ended at
    most): the main thread (the reactor: Scrapy, the spider), each other Python thread (the
    store writer is the busiest; they share the main thread's name), native threads summed by
    name (tantivy's indexing threads name themselves)."""
    main_name = threads.get(pid, ("", 0.0))[0]
    out: dict[str, float] = {}
    python = sorted((cpu for tid, (name, cpu) in threads.items()
                     if name == main_name and tid != pid), reverse=True)  # fmt: skip
    out["main thread"] = threads.get(pid, ("", 0.0))[1]
    for i, cpu in enumerate(python[:3]):
        out[f"python thread {i + 1}"] = cpu
    out["python threads, rest"] = sum(python[3:])
    for name, cpu in threads.values():
        if name != main_name:
            key = name.rstrip("0123456789-_")
            out[key] = out.get(key, 0.0) + cpu
    return {k: round(v, 2) for k, v in sorted(out.items(), key=lambda kv: -kv[1]) if v}


def run_config(config: dict[str, Any]) -> dict[str, Any]:
    """Run ``crawl_child`` in a fresh process while sampling its memory (PSS of its tree)."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", json.dumps(config)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    samples: list[tuple[float, int, int]] = []  # (seconds, PSS of the tree, of the crawler)
    threads: dict[int, tuple[str, float]] = {}  # the crawler's threads: id -> (name, CPU s)
    stop = threading.Event()

    def sample() -> None:
        started = time.monotonic()
        while not stop.is_set():
            threads.update(_thread_cpu(proc.pid))
            main = _pss_kb(proc.pid)
            rest = sum(_pss_kb(p) for p in _tree(proc.pid) if p != proc.pid)
            samples.append((time.monotonic() - started, main + rest, main))
            stop.wait(SAMPLE_EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed ({proc.returncode}):\n{err[-4000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["memory"] = _memory(samples, result)
    result["crawler_threads_cpu_s"] = _by_thread(proc.pid, threads)
    step = max(1, len(samples) // 200)  # a memory curve of ~200 points for --json
    result["memory_curve"] = [
        (round(t, 1), kb // 1024, main // 1024) for t, kb, main in samples[::step]
    ]
    return result


def _memory(samples: list[tuple[float, int, int]], result: dict[str, Any]) -> dict[str, float]:
    """Peak PSS, and mean PSS in the first and last quarter of the crawl itself (MB), of the
    crawl with its workers and of the crawl's own process."""
    total = samples[-1][0] if samples else 0.0
    crawl = result["report"]["elapsed_s"]
    begin = max(0.0, total - crawl)  # setup (model load) comes first

    def mean(lo: float, hi: float, column: int) -> float:
        window = [s[column] for s in samples if begin + lo * crawl <= s[0] <= begin + hi * crawl]
        return sum(window) / len(window) / 1024 if window else 0.0

    return {
        "peak_mb": round(max((s[1] for s in samples), default=0) / 1024),
        "q1_mb": round(mean(0, 0.25, 1)),
        "q4_mb": round(mean(0.75, 1, 1)),
        "main_q1_mb": round(mean(0, 0.25, 2)),
        "main_q4_mb": round(mean(0.75, 1, 2)),
    }


# -- main ---------------------------------------------------------------------------------------


#: Stages timed per stored article (ms), in pipeline order.
STAGES = ("extract", "tag", "stories", "store", "index")


def _row(name: str, result: dict[str, Any], pages: int) -> list[str]:
    report = result["report"]
    stored = report["inserted"] + report["updated"]
    rate = stored / report["elapsed_s"] if report["elapsed_s"] else 0.0
    stages = report["stage_seconds"]
    per = {k: 1000 * v / max(1, stored) for k, v in stages.items()}
    mem = result["memory"]
    return [
        name,
        f"{stored}/{pages}",
        f"{report['elapsed_s']:.1f}",
        f"{rate:.1f}",
        " ".join(f"{k} {per.get(k, 0):.1f}" for k in STAGES),
        f"{result['cpu_main_s']:.0f}+{result['cpu_workers_s']:.0f} ({result['cpu_site_s']:.0f})",
        f"{1000 * (result['cpu_main_s'] + result['cpu_workers_s']) / max(1, stored):.0f}",
        _workers_share(result),
        f"{mem['peak_mb']}",
        f"{mem['q1_mb']}→{mem['q4_mb']} ({mem['main_q1_mb']}→{mem['main_q4_mb']})",
    ]


def _workers_share(result: dict[str, Any]) -> str:
    """How much of the crawl the pool's workers had pages in hand (their extract and tag wall
    time; the rest they waited for pages) and how much CPU they got (the rest they waited for
    a core), as shares of workers × crawl seconds; "-" without a pool."""
    workers, elapsed = result.get("workers") or 0, result["report"]["elapsed_s"]
    if not workers or not elapsed:
        return "-"
    stages = result["report"]["stage_seconds"]
    in_hand = (stages.get("extract", 0.0) + stages.get("tag", 0.0)) / (workers * elapsed)
    return f"{in_hand:.0%} · {result['cpu_workers_s'] / (workers * elapsed):.0%}"


def _stories_share(name: str, result: dict[str, Any]) -> str:
    """The stories stage's share of ingest: its wall time against the table's stages (on a
    loaded machine mostly waiting for a core), and the CPU of the thread that placed the
    articles against the crawl's CPU (main process and workers, model load included)."""
    report = result["report"]
    stages = report["stage_seconds"]
    stored = max(1, report["inserted"] + report["updated"])
    wall, cpu = stages.get("stories", 0.0), stages.get("stories_cpu", 0.0)
    wall_share = wall / max(1e-9, sum(stages.get(k, 0.0) for k in STAGES))
    cpu_share = cpu / max(1e-9, result["cpu_main_s"] + result["cpu_workers_s"])
    return (
        f"{name}: stories {1000 * wall / stored:.1f} ms wall a stored article ({wall_share:.1%} "
        f"of stage time), {1000 * cpu / stored:.1f} ms CPU ({cpu_share:.1%} of the crawl's CPU); "
        f"load average {_load()}"
    )


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    rows = [header, *rows]
    widths = [max(len(row[k]) for row in rows) for k in range(len(header))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)), flush=True)


def _crawl(name: str, site_pid: int, config: dict[str, Any]) -> dict[str, Any]:
    """One crawl (``config`` less its home) into a fresh home; adds the site's CPU seconds."""
    with tempfile.TemporaryDirectory(prefix="tidings-bench-crawl-") as home:
        server_cpu = _cpu_seconds(site_pid)
        result = run_config({**config, "home": home})
        result["cpu_site_s"] = round(_cpu_seconds(site_pid) - server_cpu, 1)
    print(f"  {name}: done", file=sys.stderr, flush=True)
    return result


CRAWL_HEADER = [
    "run", "stored", "crawl s", "articles/s", "ms per article (stage)",
    "CPU s main+workers (site)", "CPU ms/article", "workers: in hand · CPU",
    "peak MB", "MB q1→q4 (crawler alone)",
]  # fmt: skip


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000, help="article pages (default 5000)")
    parser.add_argument(
        "--workers", type=int, default=None, help="pool size (default: one per core)"
    )
    parser.add_argument(
        "--furniture-kb",
        type=int,
        default=80,
        help="KB of menus, comments and scripts per page beside the story (default 80: pages "
        "of ~100 KB, near the median of real news pages)",
    )
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the baseline run (--workers 0; with --real, the synthetic site)",
    )
    parser.add_argument(
        "--no-article-element",
        action="store_true",
        help="put the story in a <div> instead of an <article> (pages whose prose extraction "
        "cannot narrow down: the whole page goes to trafilatura)",
    )
    parser.add_argument(
        "--render-on-request",
        action="store_true",
        help="generate each page when it is requested instead of serving pages rendered to a "
        "temporary folder before the crawls (the generator then competes with the crawl)",
    )
    parser.add_argument(
        "--real",
        metavar="SET",
        action="append",
        default=[],
        help="crawl the real pages of this extraction set under --data-dir instead (repeatable: "
        "extraction-dev2, extraction-dev); the baseline is then the synthetic site with as "
        "many pages, crawled in the same run",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=REPO.parent / "shared" / "data",
        help="folder of the extraction sets (default ../shared/data)",
    )
    parser.add_argument(
        "--hosts", type=int, default=8, help="loopback hosts serving the real pages (default 8)"
    )
    parser.add_argument(
        "--stage-pages",
        type=int,
        default=400,
        help="pages of each site whose CPU cost is split by stage in this process (default 400)",
    )
    parser.add_argument(
        "--stages-only",
        action="store_true",
        help="with --real: skip the crawls, only split the CPU cost a page by stage (what a "
        "loaded machine can still measure: CPU time, not rates)",
    )
    parser.add_argument("--no-classify", action="store_true", help="crawl without tagging")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--model", type=Path, default=None, help="model dir (default: bundled)")
    parser.add_argument(
        "--set",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="Scrapy setting for both runs, as `tidings crawl --set` (repeatable)",
    )
    parser.add_argument(
        "--vs",
        metavar="NAME=VALUE",
        help="also run the pool configuration with this Scrapy setting, and compare "
        "(e.g. TIDINGS_WRITE_THREAD=false: writes on the reactor thread)",
    )
    parser.add_argument(
        "--store",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="postgresql: crawl into SQLite and into PostgreSQL in the same run and compare",
    )
    parser.add_argument("--json", type=Path, help="write all results as JSON here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(crawl_child(json.loads(args.child))))
        return 0
    if args.hosts < 1 or args.hosts > 254:
        parser.error("--hosts must be between 1 and 254")

    from crawler.run.scaling import default_workers
    from tidings.cli.crawl_commands import parse_overrides

    overrides = parse_overrides(args.set)
    workers = default_workers() if args.workers is None else args.workers
    common = {
        "workers": workers,
        "classify": not args.no_classify,
        "batch_size": args.batch_size,
        "model_dir": str(args.model) if args.model else None,
        "overrides": overrides,
    }
    if args.real:
        return real_main(args, common)

    story_tag = "div" if args.no_article_element else "article"
    render_dir = None if args.render_on_request else tempfile.mkdtemp(prefix="tidings-site-")
    server, base = _start_site(args.pages, args.furniture_kb, render_dir, story_tag)
    configs = [(f"pool, {workers} workers", workers, {})]
    if args.store == "postgresql":
        configs = [(f"pool, {workers} workers, SQLite", workers, {}),
                   (f"pool, {workers} workers, PostgreSQL", workers, {"store": "pg"})]  # fmt: skip
    elif not args.no_baseline and workers:
        configs.append(("baseline, no pool", 0, {}))
    vs = parse_overrides([args.vs]) if args.vs else {}
    if vs:  # e.g. TIDINGS_WRITE_THREAD=false: store and index on the reactor thread
        configs.append((f"pool, {args.vs}", workers, vs))
    cores = len(os.sched_getaffinity(0))
    print(
        f"site {base}: {args.pages} article pages "
        f"(~{len(article_page(0, base, args.furniture_kb)) // 1024} KB each, story in "
        f"<{story_tag}>), "
        f"{cores} cores, tagging {'off' if args.no_classify else 'on'}, "
        f"batch {args.batch_size}{', settings ' + str(overrides) if overrides else ''}",
        flush=True,
    )
    results: dict[str, Any] = {}
    postgres = _start_postgres() if args.store == "postgresql" else None
    try:
        for name, n, extra in configs:
            config = {**common, "base": base, "workers": n}
            if extra.pop("store", None) == "pg":
                assert postgres is not None
                config["store_url"] = postgres.fresh_database("bench_crawl")
            config["overrides"] = {**overrides, **extra}
            results[name] = _crawl(name, server.pid, config)
    finally:
        server.terminate()
        if postgres is not None:
            postgres.stop()
        if render_dir is not None:
            shutil.rmtree(render_dir, ignore_errors=True)
    _print_table(CRAWL_HEADER, [_row(name, r, args.pages) for name, r in results.items()])
    for name, r in results.items():
        print(_stories_share(name, r), flush=True)
    runs = list(results.values())
    if args.store == "postgresql":
        ratio = runs[0]["report"]["elapsed_s"] / max(runs[1]["report"]["elapsed_s"], 1e-9)
        print(f"PostgreSQL vs SQLite: {ratio:.2f}x articles/s; load average {_load()}")
    elif not args.no_baseline and workers:
        ratio = runs[1]["report"]["elapsed_s"] / max(runs[0]["report"]["elapsed_s"], 1e-9)
        print(f"pool vs baseline: {ratio:.2f}x articles/s")
    if vs:
        ratio = runs[-1]["report"]["elapsed_s"] / max(runs[0]["report"]["elapsed_s"], 1e-9)
        print(f"pool vs pool with {args.vs}: {ratio:.2f}x articles/s")
    version = next(iter(results.values())).get("model_version")
    print(f"model {version}; setup (model load) excluded from crawl s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def _start_postgres() -> Any:
    """A private PostgreSQL cluster, durable (fsync and synchronous commits on) like a real one."""
    from tidings.dev.postgres import PostgresCluster

    return PostgresCluster(durable=True).start()


def _start_site(
    pages: int, kb: int, render_dir: str | None, story_tag: str = "article"
) -> tuple[Any, str]:
    """The generated site's server process and base URL."""
    fork = multiprocessing.get_context("fork")
    ready: Any = fork.Queue()
    server = fork.Process(
        target=serve_site, args=(pages, kb, ready, render_dir, story_tag), daemon=True
    )
    server.start()
    return server, ready.get(timeout=60 + pages / 100)  # rendering ahead: ~0.6 ms a page


def real_main(args: argparse.Namespace, common: dict[str, Any]) -> int:
    """``--real``: crawl the real pages from loopback hosts, then the synthetic site with as
    many pages in the same run; then split the CPU cost a page by stage on both."""
    pages = load_pages(args.data_dir, args.real, args.hosts)
    if not pages:
        raise SystemExit(f"--real: no pages in {', '.join(args.real)} under {args.data_dir}")
    if args.stages_only:
        return stages_main(args, common, pages)
    root = tempfile.mkdtemp(prefix="tidings-real-")
    synth_dir = tempfile.mkdtemp(prefix="tidings-site-")
    size = unpack(args.data_dir, pages, Path(root))
    fork = multiprocessing.get_context("fork")
    ready: Any = fork.Queue()
    real = fork.Process(target=serve_hosts, args=(pages, root, args.hosts, ready), daemon=True)
    real.start()
    bases: list[str] = ready.get(timeout=60)
    synth, synth_base = _start_site(len(pages), args.furniture_kb, synth_dir)
    print(
        f"real pages: {len(pages)} from {', '.join(args.real)} ({size / len(pages) / 1024:.0f} KB "
        f"mean) on {len(bases)} loopback hosts; synthetic baseline: {len(pages)} pages of "
        f"~{len(article_page(0, synth_base, args.furniture_kb)) // 1024} KB; "
        f"{len(os.sched_getaffinity(0))} cores, load average {_load()} (1/5/15 min)",
        flush=True,
    )
    runs = [
        (f"real pages, pool {common['workers']}", real.pid, [f"{b}/sitemap.xml" for b in bases])
    ]
    if not args.no_baseline:
        runs.append(
            (f"synthetic, pool {common['workers']}", synth.pid, [f"{synth_base}/sitemap.xml"])
        )
    results: dict[str, Any] = {}
    try:
        for name, pid, sitemaps in runs:
            results[name] = _crawl(name, pid, {**common, "sitemaps": sitemaps})
        real_sample = _sample(
            [(Path(root, p.path.lstrip("/")).read_bytes(), bases[p.host] + p.path) for p in pages],
            args.stage_pages,
        )
        synth_sample = [
            (article_page(i, synth_base, args.furniture_kb), synth_base + article_path(i))
            for i in _sample(list(range(len(pages))), args.stage_pages)
        ]  # only the sampled pages are rendered
    finally:
        real.terminate()
        synth.terminate()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(synth_dir, ignore_errors=True)
    _print_table(CRAWL_HEADER, [_row(name, r, len(pages)) for name, r in results.items()])
    if len(results) == 2:
        (_, real_run), (_, synth_run) = results.items()
        print(f"real vs synthetic: {_rate(real_run) / max(_rate(synth_run), 1e-9):.2f}x articles/s")
    for name, r in results.items():
        split = ", ".join(f"{k} {v:.1f}" for k, v in r["crawler_threads_cpu_s"].items())
        print(f"{name}: crawl process CPU s by thread (setup {r['cpu_main_setup_s']:.1f}): {split}")
    version = next(iter(results.values())).get("model_version")
    print(f"model {version}; setup (model load) excluded from crawl s; load average {_load()}")
    costs = _stage_table(
        {"real": real_sample, "synthetic": synth_sample}, common, results, args.no_classify
    )
    if args.json:
        args.json.write_text(json.dumps({"crawls": results, "stage_cpu_ms": costs}, indent=2))
    return 0


def stages_main(args: argparse.Namespace, common: dict[str, Any], pages: list[Any]) -> int:
    """``--real --stages-only``: the CPU split by stage on a sample of each site, no crawl (so
    no servers: the pages are read from the set and rendered here, with the URLs they would
    have been served from)."""
    base = "http://127.0.0.1:8000"
    samples = {
        "real": [
            (page_html(args.data_dir, p), f"http://127.0.0.{p.host + 1}:8000{p.path}")
            for p in _sample(pages, args.stage_pages)
        ],
        "synthetic": [
            (article_page(i, base, args.furniture_kb), base + article_path(i))
            for i in _sample(list(range(len(pages))), args.stage_pages)
        ],
    }
    print(f"stages only: {len(samples['real'])} pages of each site; load average {_load()}")
    costs = _stage_table(samples, common, {}, args.no_classify)
    if args.json:
        args.json.write_text(json.dumps({"stage_cpu_ms": costs}, indent=2))
    return 0


def _rate(result: dict[str, Any]) -> float:
    report = result["report"]
    return (report["inserted"] + report["updated"]) / max(report["elapsed_s"], 1e-9)


def _sample(pages: list[T], n: int) -> list[T]:
    """``n`` pages spread evenly over ``pages`` (every page if there are fewer)."""
    step = max(1, len(pages) // max(1, n))
    return pages[::step][:n]


def _stage_table(
    samples: dict[str, list[tuple[bytes, str]]],
    common: dict[str, Any],
    results: dict[str, Any],
    no_classify: bool,
) -> dict[str, dict[str, float]]:
    """Print CPU-ms a page by stage for each sample (and ms a stored article of the crawl's
    store and index stages); returns the figures."""
    from stage_costs import extraction_costs, load_date_parser, tagging_costs

    tagger = None
    if not no_classify:
        from classifier.tagger import Tagger
        from tidings.core.config import Settings

        with tempfile.TemporaryDirectory() as home:
            settings = Settings.from_env(home=home, model_dir=common["model_dir"])
            tagger = Tagger.load(settings.model_dir)
        tagger.tag([{"title": "Warm up", "body": "Warm up the pipeline in London."}])
    warm_up = load_date_parser()
    costs: dict[str, dict[str, float]] = {}
    for name, pages in samples.items():
        spent, records = extraction_costs(pages)
        articles = [r for r in records if r is not None]
        per_page = {k: 1000 * v / len(pages) for k, v in spent.items()}
        if tagger is not None and articles:
            per_page.update(
                {k: 1000 * v / len(articles) for k, v in tagging_costs(tagger, articles).items()}
            )
        per_page["articles"] = len(articles)
        per_page["body words"] = sum(r["word_count"] for r in articles) / max(1, len(articles))
        costs[name] = per_page
    crawl_stages = {}
    for name, result in results.items():
        report = result["report"]
        stored = max(1, report["inserted"] + report["updated"])
        crawl_stages[name] = {
            k: 1000 * report["stage_seconds"].get(k, 0) / stored for k in ("store", "index")
        }
    names = list(costs)
    stages = [
        "parse", "metadata", "extraction", "dates", "fingerprint", "record (rest)",
        "extract (all)",
        "NER", "model", "rules", "tag (rest)", "tag (all)",
    ]  # fmt: skip
    rows = []
    for stage in stages:
        cells = [f"{costs[n].get(stage, 0):.2f}" for n in names]
        ratio = (
            costs[names[0]].get(stage, 0) / costs[names[-1]].get(stage, 0)
            if len(names) > 1 and costs[names[-1]].get(stage)
            else 0
        )
        rows.append([stage, *cells, f"{ratio:.1f}x" if ratio else "-"])
    for stage in ("store", "index") if crawl_stages else ():
        cells = [f"{v[stage]:.2f} (crawl, wall)" for v in crawl_stages.values()][: len(names)]
        cells += ["-"] * (len(names) - len(cells))  # --no-baseline: the synthetic site not crawled
        rows.append([stage, *cells, "-"])
    rows.append(
        [
            "articles / pages",
            *(f"{int(costs[n]['articles'])}/{len(samples[n])}" for n in names),
            "-",
        ]
    )
    rows.append(["body words", *(f"{costs[n]['body words']:.0f}" for n in names), "-"])
    print(
        f"CPU ms a page by stage, in this process (tagging: a stored article), load {_load()};"
        f" dates exclude the date parser's one-off load ({warm_up:.2f} CPU s, once a process):"
    )
    _print_table(["stage", *names, "ratio"], rows)
    return costs


if __name__ == "__main__":
    raise SystemExit(main())
