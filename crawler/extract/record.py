"""Assemble one article record from a page, its metadata and what the crawler already knew.

``hints`` carry what was learnt before fetching the page (feed entry, sitemap entry, source,
HTTP ``Content-Type``): keys ``source``, ``source_domains``, ``content_type``, ``fetched_at``,
``language``, ``feed_published``, ``feed_updated``, ``feed_title``, ``feed_authors``,
``feed_summary``, ``feed_tags``, ``sitemap_published``, ``sitemap_title``, ``sitemap_lastmod``,
``site_template``. All optional. ``content_type`` matters only for a page given as bytes (a
crawl hands over the response's bytes and header: :func:`crawler.extract.document.decode_html`
decodes them, once, in the worker). ``source_domains`` are the
domains the source names as its own: a declared canonical URL may point there as well as to the
page's own site (:mod:`crawler.urls.sites`). ``site_template`` (a crawl's site memory,
:mod:`crawler.extract.site_memory`) names the body lines the source's other pages showed as
template: they are dropped, and the record carries the page's own line keys for the crawl to
learn (taken out before it is stored).
"""

from __future__ import annotations

from typing import Any

from crawler.extract.body import extract_body, strip_markup
from crawler.extract.document import decode_html, parse_html
from crawler.extract.errors import NotAnArticle
from crawler.extract.floor import BRIEF_WORDS, floor_verdict
from crawler.extract.metadata import PageMetadata, clean, read_metadata
from crawler.extract.pubdate import choose_dates
from crawler.extract.sentences import split_sentences
from crawler.extract.site_memory import LINES_KEY, TEMPLATE_HINT, body_keys, strip_template
from crawler.extract.words import word_count
from crawler.urls.canonical import canonical_url, host_of
from tidings.core.article import Article, article_id, utc_now
from tidings.core.fingerprint import fingerprint

SUMMARY_CHARS = 400


def _summary(meta: PageMetadata, body: str, hints: dict[str, Any]) -> str:
    text = meta.description or clean(strip_markup(hints.get("feed_summary") or ""))
    if not text:
        sentences = split_sentences(body.split("\n", 1)[0] if body else "")
        text = " ".join(sentences[:2])
    text = clean(text) or ""
    if len(text) > SUMMARY_CHARS:
        text = text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
    return text


def _without_title(body: str, title: str) -> str:
    """Drop a first line that repeats the headline (extractors keep the ``<h1>``)."""
    first, _, rest = body.partition("\n")
    return rest if rest and first.strip().casefold() == title.casefold() else body


def _source(hints: dict[str, Any], canonical: str, meta: PageMetadata) -> dict[str, str]:
    given = hints.get("source")
    if isinstance(given, dict) and given.get("id"):
        domain = given.get("domain") or host_of(canonical)
        return {
            "id": str(given["id"]),
            "name": str(given.get("name") or given["id"]),
            "domain": str(domain),
        }
    domain = host_of(canonical)
    bare = domain.removeprefix("www.")
    return {"id": bare, "name": meta.site_name or bare, "domain": domain}


def build_record(
    html: str | bytes, url: str, hints: dict[str, Any] | None = None, captions: bool = False
) -> Article:
    """Extract one article record from one page; raises :class:`NotAnArticle` with a reason.

    ``captions``: the body keeps the story's figure captions (:mod:`crawler.extract.captions`).
    """
    hints = hints or {}
    text = decode_html(html, hints.get("content_type"))
    tree = parse_html(text)
    meta = read_metadata(tree, url, text)
    title = meta.title or clean(hints.get("feed_title")) or clean(hints.get("sitemap_title"))
    if not title:
        raise NotAnArticle("no title")
    body = extract_body(text, tree, url, meta.jsonld_body, BRIEF_WORDS, captions=captions)
    body = _without_title(body, title)
    template = hints.get(TEMPLATE_HINT)
    page_lines = body_keys(body) if template is not None else None
    if template:
        body = strip_template(body, template)
    words = word_count(body)
    too_short = floor_verdict(body, words, meta.paywalled)  # crawler.extract.floor
    if too_short:
        raise NotAnArticle(too_short)
    canonical = canonical_url(tree, url, hints.get("source_domains") or ())
    fetched_at = hints.get("fetched_at") or utc_now()
    dates = choose_dates(meta, tree, hints, fetched_at)  # precedence: crawler.extract.pubdate
    feed_authors = [a for a in hints.get("feed_authors") or [] if isinstance(a, str)]
    feed_tags = [t for t in hints.get("feed_tags") or [] if isinstance(t, str)]
    tags = list({t.lower(): t for t in [*meta.tags, *feed_tags]}.values())[:30]
    record: Article = {
        "id": article_id(canonical),
        "url": url,
        "canonical_url": canonical,
        "source": _source(hints, canonical, meta),  # type: ignore[typeddict-item]
        "title": title,
        "summary": _summary(meta, body, hints),
        "body": body,
        "authors": meta.authors or feed_authors,
        "published_at": dates.published_utc,
        "updated_at": dates.updated_utc,
        "date_source": dates.source,
        "fetched_at": fetched_at,
        "language": meta.language or hints.get("language"),
        "image_url": meta.image_url,
        "tags": tags,
        "topics": [],
        "entities": [],
        "explanations": {},
        "model_version": None,
        "word_count": words,
        "fingerprint": fingerprint(body),
        "cluster_id": None,
    }
    if page_lines is not None:
        record[LINES_KEY] = page_lines  # type: ignore[literal-required]
    return record
