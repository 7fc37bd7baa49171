"""bench/crawl.py --real: real pages served from several loopback hosts, and the stage split."""

from __future__ import annotations

import gzip
import json
import multiprocessing
import subprocess
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bench.real_site import load_pages, serve_hosts, unpack
from bench.stage_costs import extraction_costs

REPO = Path(__file__).resolve().parents[2]

STORY = " ".join(f"Sentence {k} of the story about the harbour council budget." for k in range(30))


def _page(n: int) -> bytes:
    return (
        f"<html><head><title>Story {n}</title></head><body><nav>Home News</nav>"
        f"<article><h1>Story {n}</h1><p>{STORY}</p></article></body></html>"
    ).encode()


def _make_set(root: Path, name: str, ids: list[str]) -> None:
    (root / name / "html").mkdir(parents=True)
    truth = {}
    for n, page_id in enumerate(ids):
        (root / name / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(_page(n)))
        truth[page_id] = {"articleBody": STORY, "url": None}
    truth["missing-page"] = {"articleBody": "", "url": None}  # in the truth, no HTML: skipped
    (root / name / "ground-truth.json").write_text(json.dumps(truth))


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def test_real_pages_are_served_unchanged_from_several_loopback_hosts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _make_set(data, "set-a", ["a1", "a2", "a3"])
    _make_set(data, "set-b", ["b1", "b2"])
    pages = load_pages(data, ["set-a", "set-b"], hosts=2)
    assert [(p.set_name, p.page_id, p.host) for p in pages] == [
        ("set-a", "a1", 0), ("set-a", "a2", 1), ("set-a", "a3", 0),
        ("set-b", "b1", 1), ("set-b", "b2", 0),
    ]  # fmt: skip
    served = tmp_path / "served"
    assert unpack(data, pages, served) == sum(len(_page(n)) for n in (0, 1, 2, 0, 1))
    ready = multiprocessing.get_context("fork").Queue()
    server = multiprocessing.get_context("fork").Process(
        target=serve_hosts, args=(pages, str(served), 2, ready), daemon=True
    )
    server.start()
    try:
        bases = ready.get(timeout=30)
        assert [b.rsplit(":", 1)[0] for b in bases] == ["http://127.0.0.1", "http://127.0.0.2"]
        seen = []
        for host, base in enumerate(bases):
            status, robots = _get(f"{base}/robots.txt")
            assert status == 200 and robots.startswith(b"User-agent: *")
            status, xml = _get(f"{base}/sitemap.xml")
            locs = [e.text for e in ET.fromstring(xml).iter() if e.tag.endswith("loc")]
            assert locs == [base + p.path for p in pages if p.host == host]
            for loc in locs:
                status, body = _get(loc)
                assert status == 200
                seen.append(body)
            # a page is served by its own host only
            other = next(p for p in pages if p.host != host)
            assert _get(base + other.path)[0] == 404
        assert sorted(seen) == sorted(_page(n) for n in (0, 1, 2, 0, 1))
    finally:
        server.terminate()
        server.join(10)


def test_load_pages_refuses_a_folder_that_is_no_extraction_set(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no .*ground-truth.json"):
        load_pages(tmp_path, ["nothing-here"], hosts=1)


def test_stage_split_times_the_crawl_code_and_restores_it() -> None:
    from crawler.extract import extract_article
    from crawler.extract import record as record_module

    before = record_module.parse_html
    pages = [(_page(n), f"http://127.0.0.1/story-{n}.html") for n in range(5)]
    pages.append(
        (
            b"<html><head><title>Stub</title></head><body>Too short.</body></html>",
            "http://127.0.0.1/stub",
        )
    )
    spent, records = extraction_costs(pages)
    assert record_module.parse_html is before  # the wrappers are gone after the measurement
    assert records[-1] is None  # not an article
    for (html, url), record in zip(pages[:5], records[:5], strict=True):
        expected = extract_article(html, url)
        assert {k: v for k, v in record.items() if k != "fetched_at"} == {
            k: v for k, v in expected.items() if k != "fetched_at"
        }
    stages = ("parse", "metadata", "extraction", "dates", "fingerprint")
    for stage in stages:
        assert spent[stage] > 0
    parts = sum(spent[stage] for stage in stages)
    assert parts <= spent["extract (all)"] + 1e-9
    assert spent["record (rest)"] == pytest.approx(spent["extract (all)"] - parts)


def test_the_date_parsers_one_off_load_is_done_before_any_page_is_timed() -> None:
    """``load_date_parser`` loads the date stage's dateparser locales (a string no locale reads),
    so the first page htmldate's text search reaches is not charged their start-up. Run in a
    fresh interpreter: this process may have loaded them already."""
    script = (
        "import json; from bench.stage_costs import load_date_parser;"
        "from crawler.extract.textdate import date_parser;"
        "from dateparser.languages.loader import LocaleDataLoader as L;"
        "before = len(L._loaded_locales); spent = load_date_parser();"
        "print(json.dumps([before, 'en' in L._loaded_locales,"
        " date_parser.cache_info().currsize, spent]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    before, english, parsers, spent = json.loads(out.stdout.strip().splitlines()[-1])
    assert before == 0 and english and parsers == 1 and spent > 0
