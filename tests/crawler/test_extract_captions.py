"""The story's figure captions: kept in the body only when asked, and only the story's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extract import extract_article
from crawler.extract.captions import story_container
from crawler.extract.document import parse_html
from tidings.cli.main import main

URL = "https://harbour.example/news/bridge"
CAPTION = "The mayor opens the new bridge on Monday morning. Photo: Jane Doe / Harbour Post"
SIDE_CAPTION = "Readers' photo of the week: a heron on the pier at low tide"
GALLERY_CAPTION = "Slide three of a gallery about another town's carnival parade"


def paragraph(i: int) -> str:
    return (
        f"<p>Bridge report part {i}: the council said the crossing cost less than planned, that "
        f"traffic on the old road fell by a third and that buses will use lane {i} from May.</p>"
    )


def page(figure: str = "") -> str:
    return (
        "<!doctype html><html><head><title>New bridge opens</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<article><h1>New bridge opens</h1><div class='story'>"
        + "".join(paragraph(i) for i in range(3))
        + f"<figure><img src='bridge.jpg' alt='bridge'><figcaption>{CAPTION}</figcaption></figure>"
        + figure
        + "".join(paragraph(i) for i in range(3, 6))
        + "</div></article>"
        f"<aside><figure><img src='heron.jpg'><figcaption>{SIDE_CAPTION}</figcaption></figure>"
        "</aside></body></html>"
    )


def test_the_story_caption_is_kept_in_place_with_the_option() -> None:
    body = extract_article(page(), URL, captions=True)["body"].splitlines()
    assert CAPTION in body  # fails without the option: no extractor keeps a <figcaption>
    at = body.index(CAPTION)
    assert body[at - 1].startswith("Bridge report part 2") and body[at + 1].startswith(
        "Bridge report part 3"
    )


def test_captions_are_off_by_default() -> None:
    body = extract_article(page(), URL)["body"]
    assert "The mayor opens" not in body and "Bridge report part 5" in body


def test_a_caption_outside_the_story_is_never_kept() -> None:
    body = extract_article(page(), URL, captions=True)["body"]
    assert "heron" not in body


def test_a_gallery_caption_inside_the_story_is_not_kept() -> None:
    gallery = (
        "<div class='photo-gallery'><figure><img src='c.jpg'>"
        f"<figcaption>{GALLERY_CAPTION}</figcaption></figure></div>"
    )
    body = extract_article(page(gallery), URL, captions=True)["body"]
    assert CAPTION in body and "carnival" not in body


def test_one_stray_line_does_not_widen_the_story_container() -> None:
    tree = parse_html(page())
    paragraphs = tree.findall(".//article//p")
    stray = tree.find(".//nav")
    assert story_container([*paragraphs, stray]) is tree.find(".//div[@class='story']")
    assert story_container([]) is None


def test_tidings_extract_captions_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "page.html"
    path.write_text(page(), encoding="utf-8")
    assert main(["extract", str(path), "--url", URL, "--captions"]) == 0
    assert CAPTION in json.loads(capsys.readouterr().out)["body"]
    assert main(["extract", str(path), "--url", URL]) == 0
    assert CAPTION not in json.loads(capsys.readouterr().out)["body"]
