"""Site memory in real crawls over loopback HTTP: a site's template lines, which extraction lets
through on every page (a newsletter prompt, a "read more" line, a social line), are learnt from
its first pages, dropped from the later ones, kept in the store for the next crawl; the story
text always stays, and a site with too few pages is extracted exactly as without memory."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from crawl_run import REPO, crawl_command, tidings_env
from crawl_site import SiteServer

from crawler.extract import extract_article
from crawler.extract.site_memory import MIN_PAGES, SiteMemory, line_key
from tidings.cli.main import main
from tidings.core.config import Settings
from tidings.core.store import open_store

TEMPLATE = (
    "Sign up for the Courier morning briefing and get the day's news in your inbox first.",
    "Read more: our full coverage of the harbour council and its budget this year.",
    "Follow the Courier on social media for live updates from the council chamber.",
)
WORDS = ["council", "bridge", "river", "harbour", "budget", "vote",
         "residents", "mayor", "ferry", "school", "plan", "cost"]  # fmt: skip


def story(i: int) -> list[str]:
    rng = random.Random(i)
    return [
        " ".join(rng.choice(WORDS) for _ in range(25)).capitalize() + f" (story {i}, part {p})."
        for p in range(5)
    ]


def article(i: int) -> bytes:
    paragraphs = "".join(f"<p>{s}</p>" for s in story(i))
    prompt, more, social = (f"<p>{line}</p>" for line in TEMPLATE)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Story {i} | Courier</title></head><body><nav><a href="/">Home</a></nav>
<article><h1>Story {i}</h1>{prompt}{paragraphs}{more}{social}</article>
<footer>Courier</footer></body></html>""".encode()


def courier(numbers: range) -> Any:
    """A site of ``numbers`` article pages with one sitemap (a function of the base URL)."""

    def pages(base: str) -> dict[str, tuple[int, str, bytes]]:
        urls = "".join(f"<url><loc>{base}/news/{i}.html</loc></url>" for i in numbers)
        sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        found = {f"/news/{i}.html": (200, "text/html", article(i)) for i in numbers}
        found["/sitemap.xml"] = (200, "application/xml", sitemap.encode())
        found["/robots.txt"] = (200, "text/plain", b"User-agent: *\nAllow: /\n")
        return found

    return pages


def crawl(
    home: Path, site: SiteServer, *options: str, store_url: str | None = None
) -> dict[int, dict[str, Any]]:
    """Crawl the site into ``home`` (or the PostgreSQL store at ``store_url``); the stored
    records by story number."""
    env = {**tidings_env(home), **({"TIDINGS_STORE_URL": store_url} if store_url else {})}
    result = subprocess.run(
        crawl_command(home, "--sitemap", f"{site.base_url}/sitemap.xml", *options),
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with open_store(Settings.from_env(home=home, store_url=store_url)) as store:
        records = [r for batch in store.iter_articles() for r in batch]
    return {int(r["url"].rsplit("/", 1)[1].removesuffix(".html")): r for r in records}


def with_template(records: dict[int, dict[str, Any]]) -> set[int]:
    """Story numbers whose stored body still holds a template line."""
    return {i for i, r in records.items() if any(t in r["body"] for t in TEMPLATE)}


def assert_stories_whole(records: dict[int, dict[str, Any]]) -> None:
    for i, record in records.items():
        assert all(paragraph in record["body"] for paragraph in story(i)), i


def stored_lines(
    home: Path, site: SiteServer, store_url: str | None = None
) -> tuple[int, dict[int, int]]:
    source = site.base_url.removeprefix("http://").replace(":", "-")
    with open_store(Settings.from_env(home=home, store_url=store_url)) as store:
        return store.site_lines(source)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_crawl_learns_the_template_and_the_next_crawl_starts_with_it(
    tmp_path: Path, engine: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("pg_url") if engine == "postgresql" else None
    site = SiteServer(pages=courier(range(12)))
    try:
        first = crawl(tmp_path, site, "--workers", "0", store_url=url)
        # in-process, pages are extracted and learnt one after another: only the pages that
        # came before the site had MIN_PAGES keep the template
        assert len(first) == 12 and len(with_template(first)) == MIN_PAGES
        assert_stories_whole(first)
        pages, lines = stored_lines(tmp_path, site, url)
        assert pages == 12 and all(lines[line_key(t)] == 12 for t in TEMPLATE)

        site.pages = courier(range(12, 18))(site.base_url)  # six new stories next time
        second = crawl(tmp_path, site, "--workers", "0", store_url=url)
        new = {i: r for i, r in second.items() if i >= 12}
        assert len(new) == 6 and with_template(new) == set()  # memory from the store
        assert_stories_whole(new)
        assert stored_lines(tmp_path, site, url)[0] == 18
    finally:
        site.stop()


def test_without_site_memory_every_page_keeps_the_template(tmp_path: Path) -> None:
    site = SiteServer(pages=courier(range(12)))
    try:
        records = crawl(tmp_path, site, "--workers", "0", "--set", "TIDINGS_SITE_MEMORY=false")
    finally:
        site.stop()
    assert len(records) == 12 and with_template(records) == set(records)
    assert stored_lines(tmp_path, site) == (0, {})


def test_worker_processes_get_the_template_as_pages_leave(tmp_path: Path) -> None:
    """With a pool, a page's template is the newest when it is sent, not when it was fetched:
    pages that waited for a worker while the first ones were extracted are cleaned too."""
    site = SiteServer(pages=courier(range(40)))
    try:
        records = crawl(tmp_path, site, "--workers", "1", "--batch-size", "4")
    finally:
        site.stop()
    assert len(records) == 40
    kept = with_template(records)
    assert MIN_PAGES <= len(kept) <= 10, sorted(kept)  # at most the first calls' pages
    assert_stories_whole(records)


def test_a_site_with_too_few_pages_extracts_the_same_with_or_without_memory(
    tmp_path: Path,
) -> None:
    site = SiteServer(pages=courier(range(MIN_PAGES)))
    try:
        remembering = crawl(tmp_path / "memory", site, "--workers", "0")
        plain = crawl(tmp_path / "plain", site, "--workers", "0", "--set",
                      "TIDINGS_SITE_MEMORY=false")  # fmt: skip
    finally:
        site.stop()
    assert len(remembering) == MIN_PAGES and set(remembering) == set(plain)
    for i, record in remembering.items():
        other = plain[i]
        assert {k: v for k, v in record.items() if k != "fetched_at"} == {
            k: v for k, v in other.items() if k != "fetched_at"
        }
        assert "_site_lines" not in record


def test_tidings_extract_on_one_page_needs_no_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One page on its own: the whole story and its title, extracted as a crawl's first page
    of the site would be (nothing is dropped without pages to learn from)."""
    path = tmp_path / "page.html"
    path.write_bytes(article(7))
    assert main(["extract", str(path), "--url", "https://courier.example/news/7.html"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["title"] == "Story 7"
    assert all(paragraph in record["body"] for paragraph in story(7))
    assert record["body"] == extract_article(article(7), record["url"])["body"]
    assert "_site_lines" not in record
    memory = SiteMemory()
    assert memory.clean("courier.example", record["body"]) == record["body"]
