"""Extraction from single pages, no network: dates by precedence, charset, authors, image."""

from __future__ import annotations

import json

import pytest

from crawler.extract import NotAnArticle, extract_article
from tidings.core.article import DATE_SOURCES, FIELDS, article_id
from tidings.core.fingerprint import fingerprint

PARAGRAPHS = (
    "<p>The city council voted on Tuesday to build a new footbridge across the river, ending a "
    "debate that has run for more than two years and divided residents of both banks.</p>"
    "<p>Supporters say the bridge will cut journeys to the station by a quarter of an hour; "
    "opponents fear the cost will rise, as it did for the tram line, and that trees will go.</p>"
    "<p>Work is due to start in the spring and to finish within eighteen months, the council "
    "said in a statement published after the vote.</p>"
)


def page(head: str = "", body_extra: str = "", lang: str = "en", charset: str = "utf-8") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="{charset}">'
        f"<title>Council backs bridge | The Courier</title>{head}</head><body>"
        '<nav><a href="/">Home</a><a href="/sport">Sport</a></nav>'
        f"<article><h1>Council backs bridge</h1>{body_extra}{PARAGRAPHS}</article>"
        "<footer>The Courier</footer></body></html>"
    )


def jsonld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


META_DATE = '<meta property="article:published_time" content="2026-11-02T10:00:00+00:00">'
TIME_TAG = '<p class="byline"><time datetime="2026-11-03T10:00:00Z">3 Nov</time></p>'
LD = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Council backs bridge",
    "datePublished": "2026-11-01T10:00:00+02:00",
    "dateModified": "2026-11-04T08:00:00Z",
}


def test_record_has_every_contract_field() -> None:
    record = extract_article(page(), "https://courier.example/news/bridge")
    assert set(record) == set(FIELDS)
    assert record["id"] == article_id("https://courier.example/news/bridge")
    assert record["fingerprint"] == fingerprint(record["body"])
    assert record["topics"] == [] and record["entities"] == [] and record["cluster_id"] is None
    assert record["date_source"] in DATE_SOURCES
    assert record["word_count"] == len(record["body"].split()) >= 40


def test_each_page_source_alone_and_precedence_when_they_agree() -> None:
    url = "https://courier.example/2026/11/01/bridge"
    same_meta = '<meta property="article:published_time" content="2026-11-01T09:00:00+01:00">'
    same_time = '<p class="byline"><time datetime="2026-11-01T08:30:00Z">1 Nov</time></p>'
    r = extract_article(page(jsonld(LD) + same_meta, same_time), url)
    assert (r["published_at"], r["date_source"]) == ("2026-11-01T08:00:00+00:00", "jsonld")
    assert r["updated_at"] == "2026-11-04T08:00:00+00:00"
    url = "https://courier.example/news/bridge"
    r = extract_article(page(META_DATE), url)
    assert (r["published_at"], r["date_source"]) == ("2026-11-02T10:00:00+00:00", "meta")
    r = extract_article(page("", TIME_TAG), url)
    assert (r["published_at"], r["date_source"]) == ("2026-11-03T10:00:00+00:00", "time-tag")
    r = extract_article(page(), "https://courier.example/2026/10/30/bridge")
    assert (r["published_at"], r["date_source"]) == ("2026-10-30T00:00:00+00:00", "url")


def test_the_day_most_signals_state_beats_precedence() -> None:
    """JSON-LD alone says 1 November; meta, <time> and the URL say 3 November."""
    meta = '<meta property="article:published_time" content="2026-11-03T09:00:00+01:00">'
    r = extract_article(page(jsonld(LD) + meta, TIME_TAG), "https://courier.example/2026/11/03/b")
    assert (r["published_at"], r["date_source"]) == ("2026-11-03T08:00:00+00:00", "meta")
    assert r["updated_at"] == "2026-11-04T08:00:00+00:00"  # the modified date never votes


def test_hints_rank_between_page_and_url() -> None:
    url = "https://courier.example/2026/10/30/bridge"
    hints = {
        "feed_published": "Thu, 05 Nov 2026 09:00:00 GMT",
        "sitemap_published": "2026-11-06T00:00:00Z",
        "sitemap_lastmod": "2026-11-07",
    }
    r = extract_article(page(), url, hints)
    assert (r["published_at"], r["date_source"]) == ("2026-11-05T09:00:00+00:00", "feed")
    del hints["feed_published"]
    r = extract_article(page(), url, hints)
    assert (r["published_at"], r["date_source"]) == ("2026-11-06T00:00:00+00:00", "sitemap")
    assert r["updated_at"] == "2026-11-07T00:00:00+00:00"
    r = extract_article(page(META_DATE), url, hints)
    assert r["date_source"] == "meta"


def test_missing_date_is_none() -> None:
    r = extract_article(page(), "https://courier.example/news/bridge")
    assert (r["published_at"], r["updated_at"], r["date_source"]) == (None, None, "none")


def test_far_future_date_is_ignored() -> None:
    future = '<meta property="article:published_time" content="2099-01-01T00:00:00Z">'
    r = extract_article(page(future, TIME_TAG), "https://courier.example/x")
    assert r["date_source"] == "time-tag"


def test_jsonld_in_graph_with_author_refs_image_and_lists() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": "#site", "name": "The Courier"},
            {"@type": "Person", "@id": "#ann", "name": "Ann Example"},
            {
                "@type": ["NewsArticle"],
                "headline": "Council backs bridge",
                "datePublished": "2026-11-01",
                "author": [{"@id": "#ann"}, {"name": "Bo Test"}],
                "image": [{"@type": "ImageObject", "url": "/img/bridge.jpg"}],
                "keywords": "bridge, council",
                "inLanguage": "en-GB",
            },
        ],
    }
    r = extract_article(page(jsonld([graph])), "https://courier.example/news/bridge")
    assert r["authors"] == ["Ann Example", "Bo Test"]
    assert r["image_url"] == "https://courier.example/img/bridge.jpg"
    assert r["date_source"] == "jsonld" and r["published_at"] == "2026-11-01T00:00:00+00:00"
    assert r["tags"] == ["bridge", "council"]


def test_meta_authors_og_image_summary_and_canonical() -> None:
    head = (
        '<meta name="author" content="By Cleo Writer">'
        '<meta property="og:image" content="https://cdn.example/b.jpg">'
        '<meta name="description" content="Councillors approved the footbridge.">'
        '<meta property="og:site_name" content="The Courier">'
        '<link rel="canonical" href="https://courier.example/news/bridge">'
    )
    r = extract_article(page(head), "https://courier.example/news/bridge/?utm_source=tw")
    assert r["authors"] == ["Cleo Writer"]
    assert r["image_url"] == "https://cdn.example/b.jpg"
    assert r["summary"] == "Councillors approved the footbridge."
    assert r["title"] == "Council backs bridge"
    assert r["canonical_url"] == "https://courier.example/news/bridge"
    assert r["url"] == "https://courier.example/news/bridge/?utm_source=tw"
    assert r["id"] == article_id("https://courier.example/news/bridge")
    assert r["source"] == {
        "id": "courier.example",
        "name": "The Courier",
        "domain": "courier.example",
    }


def test_summary_falls_back_to_first_sentences() -> None:
    r = extract_article(page(), "https://courier.example/news/bridge")
    assert r["summary"].startswith("The city council voted on Tuesday")
    assert len(r["summary"]) <= 401


def test_latin1_bytes_declared_in_meta() -> None:
    html = page(body_extra="<p>Le café était fermé à Noël.</p>", lang="fr", charset="iso-8859-1")
    r = extract_article(html.encode("latin-1"), "https://courier.example/fr/cafe")
    assert "Le café était fermé à Noël." in r["body"]
    assert r["language"] == "fr"


def test_latin1_bytes_declared_only_in_http_header() -> None:
    html = page(body_extra="<p>Zoë's naïve café.</p>").replace('<meta charset="utf-8">', "")
    r = extract_article(
        html.encode("latin-1"),
        "https://courier.example/x",
        {"content_type": "text/html; charset=ISO-8859-1"},
    )
    assert "Zoë's naïve café." in r["body"]


def test_undeclared_bytes_read_as_the_crawl_reads_them() -> None:
    """A page that declares no charset, given as bytes, is UTF-8 if valid, else windows-1252
    (the crawl hands its workers the response's bytes: one decoder for both)."""
    html = page(body_extra="<p>Le café était fermé à Noël – encore.</p>")
    undeclared = html.replace('<meta charset="utf-8">', "")
    assert undeclared != html
    for encoding in ("cp1252", "utf-8"):
        r = extract_article(undeclared.encode(encoding), "https://courier.example/fr/cafe")
        assert "Le café était fermé à Noël – encore." in r["body"], encoding


def test_source_and_feed_hints_fill_gaps() -> None:
    hints = {
        "source": {"id": "courier", "name": "The Courier", "domain": "courier.example"},
        "feed_authors": ["Feed Author"],
        "feed_tags": ["Local"],
        "language": "cy",
    }
    r = extract_article(page(lang=""), "https://courier.example/x", hints)
    assert r["source"] == hints["source"]
    assert r["authors"] == ["Feed Author"] and r["tags"] == ["Local"] and r["language"] == "cy"


def test_not_an_article_without_enough_text() -> None:
    with pytest.raises(NotAnArticle, match="words"):
        extract_article(
            "<html><title>Sport</title><body><p>Scores.</p></body></html>", "http://a.b/"
        )
    with pytest.raises(NotAnArticle, match="no title"):
        extract_article(f"<html><body>{PARAGRAPHS}</body></html>", "http://a.b/x")
    with pytest.raises(NotAnArticle):
        extract_article(b"", "http://a.b/x")
    assert issubclass(NotAnArticle, ValueError)


def test_jsonld_article_body_is_a_fallback() -> None:
    text = " ".join(["Word"] * 60)
    html = (
        "<html><head><title>Short</title>"
        + jsonld({"@type": "Article", "headline": "Short", "articleBody": f"<p>{text}</p>"})
        + "</head><body><div id=app></div></body></html>"
    )
    r = extract_article(html, "http://a.b/x")
    assert r["word_count"] == 60 and "<p>" not in r["body"]


def test_a_page_cannot_claim_another_sites_article(tmp_path: object) -> None:
    """A page declaring another site's URL as canonical keeps its own URL and id: stored, the
    victim's article is untouched and the copy joins its near-duplicate cluster instead."""
    from pathlib import Path

    from tidings.core.store import Store

    victim = extract_article(
        page('<link rel="canonical" href="https://courier.example/news/bridge">'),
        "https://courier.example/news/bridge",
        {"source": {"id": "courier", "name": "The Courier"}},
    )
    hijack = page('<link rel="canonical" href="https://courier.example/news/bridge">').replace(
        "Council backs bridge", "Council backs bridge, says rival"
    )
    copy = extract_article(
        hijack, "https://rival.example/copied", {"source": {"id": "rival", "name": "Rival"}}
    )
    assert copy["canonical_url"] == "https://rival.example/copied"
    assert copy["id"] != victim["id"]
    with Store(Path(str(tmp_path)) / "t.db") as store:
        store.upsert([victim])
        store.upsert([copy])
        kept = store.get(victim["id"])
        assert kept is not None and kept["title"] == victim["title"]
        assert kept["source"]["id"] == "courier"
        stored_copy = store.get(copy["id"])
        assert stored_copy is not None and stored_copy["cluster_id"] == kept["cluster_id"]
