"""bench/extraction.py on a two-page set in the benchmark's format: rows per source and
extractor, pages without a URL, the headline and caption options, and a folder that holds no
set."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SENTENCES = [
    f"The harbour council met on day {i} and agreed that the ferry would keep running, "
    f"after residents wrote {i} letters asking for the old timetable to stay."
    for i in range(8)
]


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_extraction", REPO / "bench/extraction.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_extraction"] = module
    spec.loader.exec_module(module)
    return module


def page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>"
        f"<nav><a href='/a'>Home</a> <a href='/b'>World</a></nav>"
        f"<article><h1>{title}</h1>{body}</article><footer>(c) The Paper</footer></body></html>"
    )


@pytest.fixture
def bench_set(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "tiny-set"
    (folder / "html").mkdir(parents=True)
    (folder / "ids").mkdir()
    pages = {
        "a-1": ("Ferry stays", SENTENCES[:4], "https://paper.example/news/ferry"),
        "b-1": ("Council votes", SENTENCES[4:], None),  # no URL, as some benchmark pages
    }
    truth = {}
    for page_id, (title, paragraphs, url) in pages.items():
        html = page(title, paragraphs).encode()
        (folder / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html))
        truth[page_id] = {"articleBody": "\n".join(paragraphs), "url": url}
    (folder / "ground-truth.json").write_text(json.dumps(truth))
    (folder / "ids" / "a.json").write_text(json.dumps(["a-1"]))
    (folder / "ids" / "b.json").write_text(json.dumps(["b-1"]))
    (folder / "ids" / "quick.json").write_text(json.dumps(["a-1"]))
    return folder


def test_one_row_per_source_and_extractor(bench_set: Path, tmp_path: Path, capsys) -> None:
    bench = load_bench()
    out = tmp_path / "out"
    argv = ["--data-dir", str(bench_set.parent), "--out", str(out), "--repeat", "1"]
    assert bench.main([*argv, "--n-bootstrap", "0"]) == 0
    printed = capsys.readouterr().out
    names = [name for name, _ in bench.extractors(only_ours=False)]
    assert {"tidings", "trafilatura-default", "trafilatura-no-comments"} <= set(names)
    scores = json.loads((out / "scores.json").read_text())
    for group in ("all", "a", "b"):  # the sample list (quick) is not a source
        for name in names:
            assert f"tiny-set|{group}|{name}" in scores
            assert any(line.split()[:2] == ["tiny-set", group] and name in line
                       for line in printed.splitlines())  # fmt: skip
    assert "tiny-set|quick|tidings" not in scores
    ours = json.loads((out / "tiny-set.tidings.json").read_text())
    assert SENTENCES[5] in ours["b-1"]  # the page without a URL is extracted too
    assert scores["tiny-set|all|tidings"]["f1"] > 0.9


def test_sample_ids_and_headline_option(bench_set: Path, tmp_path: Path, capsys) -> None:
    bench = load_bench()
    out = tmp_path / "out"
    argv = ["--data-dir", str(bench_set), "--out", str(out), "--only-ours", "--ids", "quick"]
    assert bench.main([*argv, "--with-title", "--repeat", "1", "--n-bootstrap", "0"]) == 0
    printed = capsys.readouterr().out
    assert "--with-title" in printed
    ours = json.loads((out / "tiny-set-quick.tidings.json").read_text())
    assert list(ours) == ["a-1"]
    assert ours["a-1"].startswith("Ferry stays\n")
    scores = json.loads((out / "scores.json").read_text())
    assert set(scores) == {"tiny-set/quick|all|tidings", "tiny-set/quick|a|tidings"}


def test_outside_takes_the_pages_a_sample_left_out(bench_set: Path, tmp_path: Path) -> None:
    bench = load_bench()
    out = tmp_path / "out"
    argv = ["--data-dir", str(bench_set), "--out", str(out), "--only-ours", "--ids", "quick"]
    assert bench.main([*argv, "--outside", "--repeat", "1", "--n-bootstrap", "0"]) == 0
    ours = json.loads((out / "tiny-set-outside-quick.tidings.json").read_text())
    assert list(ours) == ["b-1"]
    scores = json.loads((out / "scores.json").read_text())
    assert set(scores) == {"tiny-set/outside-quick|all|tidings", "tiny-set/outside-quick|b|tidings"}


def test_without_switches_one_of_our_rules_off(bench_set: Path, tmp_path: Path, capsys) -> None:
    from crawler.extract import body

    bench = load_bench()
    kept = {name: getattr(body, name) for name, _ in bench.ABLATIONS.values()}
    argv = ["--data-dir", str(bench_set), "--out", str(tmp_path / "out"), "--only-ours"]
    try:
        assert bench.main([*argv, "--without", "edges", "--repeat", "1", "--n-bootstrap", "0"]) == 0
        assert body.drop_boilerplate(["Ferry stays", "x"], None, {"ferry stays"}) == [
            "Ferry stays",
            "x",
        ]
    finally:
        for name, value in kept.items():
            setattr(body, name, value)
    assert "tidings without edges" in capsys.readouterr().out
    assert set(bench.ABLATIONS) >= {"jsonld", "edges", "focus", "widgets", "referee"}


def test_without_referee_puts_longer_wins_back() -> None:
    """``--without referee`` measures the referee against the rule it replaced."""
    from crawler.extract import body

    bench = load_bench()
    first, twice = " ".join(["w"] * 60), " ".join(["w"] * 120)
    assert body.referee(first, twice, 25) == first
    kept = body.referee
    try:
        bench.switch_off("referee")
        assert body.referee(first, twice, 25) == twice
    finally:
        body.referee = kept


def test_a_folder_without_a_set_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    assert load_bench().main(["--data-dir", str(tmp_path), "--only-ours"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no extraction set" in err


def test_ablation_reruns_only_where_a_rule_fired(bench_set: Path, tmp_path: Path, capsys) -> None:
    from crawler.extract import body

    spec = importlib.util.spec_from_file_location("ablation", REPO / "bench/extraction_ablation.py")
    assert spec and spec.loader
    ablation = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ablation)
    kept = dict(vars(body))
    try:
        out = tmp_path / "out"
        assert ablation.main(["--data-dir", str(bench_set), "--out", str(out)]) == 0
    finally:
        for name in ("link_share", *(n for n, _ in ablation.ABLATIONS.values())):
            setattr(body, name, kept[name])
    preds = json.loads((out / "tiny-set.json").read_text())
    # the edge rule trims the headline line at the top of both pages; no page has JSON-LD
    assert set(preds["fired:edges"]) == {"a-1", "b-1"}
    assert "fired:jsonld" not in preds and preds["jsonld"] == preds["all rules"]
    assert set(preds["edges"]) == set(preds["all rules"]) == {"a-1", "b-1"}
    printed = capsys.readouterr().out
    assert any(line.split()[:3] == ["tiny-set", "a", "1"] for line in printed.splitlines())


def test_with_captions_turns_our_caption_option_on(tmp_path: Path, capsys) -> None:
    caption = "The harbour ferry leaving the quay at dawn. Photo: The Paper"
    folder = tmp_path / "caption-set"
    (folder / "html").mkdir(parents=True)
    html = page("Ferry stays", SENTENCES[:4]).replace(
        "</article>", f"<figure><img src='f.jpg'><figcaption>{caption}</figcaption></figure>"
        + "".join(f"<p>{p}</p>" for p in SENTENCES[4:]) + "</article>"
    )  # fmt: skip
    (folder / "html" / "c-1.html.gz").write_bytes(gzip.compress(html.encode()))
    truth = {"c-1": {"articleBody": "\n".join([*SENTENCES[:4], caption, *SENTENCES[4:]])}}
    (folder / "ground-truth.json").write_text(json.dumps(truth))
    bench = load_bench()
    out = tmp_path / "out"
    argv = ["--data-dir", str(folder), "--out", str(out), "--only-ours", "--repeat", "1"]
    assert bench.main([*argv, "--n-bootstrap", "0"]) == 0
    assert "--with-captions" not in capsys.readouterr().out
    assert caption not in json.loads((out / "caption-set.tidings.json").read_text())["c-1"]
    assert bench.main([*argv, "--with-captions", "--n-bootstrap", "0"]) == 0
    assert "--with-captions" in capsys.readouterr().out
    assert caption in json.loads((out / "caption-set.tidings.json").read_text())["c-1"]
