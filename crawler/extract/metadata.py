"""Page metadata from markup: JSON-LD, OpenGraph / meta tags, microdata, ``<time>``, the URL.

Each source of dates is kept apart (``dates``), because the record says where its date came
from and the order of trust is a policy of :mod:`crawler.extract.record`, not of parsing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from crawler.extract.dates import parse_moment, url_day
from crawler.extract.jsonld import read_jsonld

PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "article:published",
    "og:published_time", "published_time", "article.published", "datepublished",
    "parsely-pub-date", "sailthru.date", "publish-date", "publish_date", "publishdate",
    "pubdate", "date", "dc.date.issued", "dc.date", "dcterms.created", "dcterms.issued",
    "dcterms.date", "citation_publication_date", "originalpublicationdate", "date_published",
    "publication_date", "cxenseparse:recs:publishtime", "article_date_original",
)  # fmt: skip
MODIFIED_META = (
    "article:modified_time", "og:updated_time", "article:modified", "og:modified_time",
    "modified_time", "article.updated", "datemodified", "dcterms.modified", "last-modified",
    "lastmod", "date_modified", "cxenseparse:recs:modifytime",
)  # fmt: skip
AUTHOR_META = (
    "author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
    "dcterms.creator", "byl", "twitter:creator:name",
)  # fmt: skip
TAG_META = ("article:tag", "parsely-tags", "news_keywords", "keywords", "sailthru.tags")
#: Tag sources that hold a comma-separated list (``article:tag`` holds one tag per element).
LIST_TAG_META = frozenset({"parsely-tags", "news_keywords", "keywords", "sailthru.tags"})
_BY = re.compile(r"^\s*(?:by|von|par|por|door)\s+", re.IGNORECASE)
_PUBLISHED_HINT = re.compile(r"publish|posted|created|dateline|byline|article-date", re.I)
_UPDATED_HINT = re.compile(r"updat|modif", re.I)
_SPACE = re.compile(r"\s+")
_MAIN_TAGS = frozenset({"article", "header", "main"})


@dataclass
class PageMetadata:
    """Everything the markup says about a page, before any choice between sources."""

    title: str | None = None
    description: str | None = None
    site_name: str | None = None
    image_url: str | None = None
    language: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    jsonld_body: str | None = None
    is_article: bool = False  # JSON-LD or og:type says so
    paywalled: bool = False  # JSON-LD isAccessibleForFree is false
    us_dates: bool = False  # US English: 03/05/2024 is March 5th
    #: date source ("jsonld", "meta", "time-tag", "url") -> (published, modified), each an
    #: aware datetime in the offset the page wrote it in
    dates: dict[str, tuple[datetime | None, datetime | None]] = field(default_factory=dict)


def clean(text: str | None) -> str | None:
    """Collapse whitespace; None for empty."""
    if text is None:
        return None
    text = _SPACE.sub(" ", text).strip()
    return text or None


def meta_tags(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents by lowercased name / property / itemprop, in page order."""
    found: dict[str, list[str]] = {}
    for meta in tree.iterfind(".//meta"):
        content = clean(meta.get("content"))
        if content is None:
            continue
        for attr in ("property", "name", "itemprop"):
            key = (meta.get(attr) or "").strip().lower()
            if key:
                found.setdefault(key, []).append(content)
    return found


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None


def _first_date(meta: dict[str, list[str]], keys: tuple[str, ...]) -> datetime | None:
    for key in keys:
        for value in meta.get(key, ()):
            parsed = parse_moment(value)
            if parsed:
                return parsed
    return None


def _parsely_page(meta: dict[str, list[str]]) -> dict[str, object]:
    raw = _first(meta, "parsely-page")
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


#: schema.org microdata dates on body elements other than ``<meta>`` (read with the meta tags)
#: and ``<time datetime>`` (the time-tag signal): ``<span itemprop="datePublished"
#: content="2020-04-27T18:50:24+02:00">27.04.2020 - 18:50 Uhr</span>``.
_MICRODATA_DATES = etree.XPath(
    "//body//*[@itemprop='datePublished' or @itemprop='dateModified'][@content]"
    "[not(self::meta or self::time[@datetime])]"
)


def _microdata_dates(
    tree: lxml_html.HtmlElement, html_text: str | None = None
) -> tuple[datetime | None, datetime | None]:
    """The first microdata ``datePublished`` and ``dateModified`` a body element states.

    ``html_text``: the page's text, when the caller has it. Most pages never write
    ``itemprop`` (an attribute name: ASCII, in any case, and no entity spells one), and one
    look at the text's bytes, ASCII letters lower-cased (~0.2 ms on a real 120 KB page, half
    of ``str.lower``), spares them the search over every element (0.5-0.8 ms).
    """
    if html_text is not None and b"itemprop" not in html_text.encode(errors="replace").lower():
        return None, None
    found: dict[str, datetime] = {}
    for el in _MICRODATA_DATES(tree):
        moment = parse_moment(el.get("content"))
        if moment is not None:
            found.setdefault(el.get("itemprop"), moment)
    return found.get("datePublished"), found.get("dateModified")


def _time_dates(tree: lxml_html.HtmlElement) -> tuple[datetime | None, datetime | None]:
    """Published / modified from ``<time datetime>``: marked ones first, else article's first."""
    times = [t for t in tree.iterfind(".//time[@datetime]") if parse_moment(t.get("datetime"))]
    published = modified = None
    for t in times:
        parent = t.getparent()
        marks = " ".join(
            filter(None, (t.get("itemprop"), t.get("class"), t.get("id"), parent.get("class")))
        ).lower()
        if "pubdate" in t.attrib or "datepublished" in marks or _PUBLISHED_HINT.search(marks):
            published = published or parse_moment(t.get("datetime"))
        elif "datemodified" in marks or _UPDATED_HINT.search(marks):
            modified = modified or parse_moment(t.get("datetime"))
    if published is None:
        in_article = [t for t in times if any(a.tag in _MAIN_TAGS for a in t.iterancestors())]
        if in_article:
            published = parse_moment(in_article[0].get("datetime"))
        elif len(times) == 1:
            published = parse_moment(times[0].get("datetime"))
    return published, modified


def _title(
    tree: lxml_html.HtmlElement,
    meta: dict[str, list[str]],
    jsonld_title: str | None,
    site_name: str | None,
) -> str | None:
    h1 = tree.find(".//h1")
    candidates = [
        jsonld_title,
        _first(meta, "og:title", "twitter:title", "parsely-title", "headline"),
        clean(h1.text_content()) if h1 is not None else None,
        clean(tree.findtext(".//title")),
    ]
    title = next((clean(c) for c in candidates if clean(c)), None)
    if title and site_name:
        for sep in (" | ", " - ", " — ", " – ", " :: "):
            suffix = f"{sep}{site_name}"
            if title.lower().endswith(suffix.lower()) and len(title) > len(suffix):
                title = title[: -len(suffix)].strip()
    return title


def _authors(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        name = clean(_BY.sub("", value or ""))
        if not name or name.startswith(("http://", "https://", "@")) or len(name) > 100:
            continue
        seen.setdefault(name.lower(), name)
    return list(seen.values())


def _tags(ld_keywords: list[str], meta: dict[str, list[str]]) -> list[str]:
    values = list(ld_keywords)
    for key in TAG_META:
        for value in meta.get(key, ()):
            values.extend(value.split(",") if key in LIST_TAG_META else [value])
    seen: dict[str, str] = {}
    for value in values:
        tag = clean(value)
        if tag and len(tag) <= 80:
            seen.setdefault(tag.lower(), tag)
    return list(seen.values())[:30]


def _language(
    tree: lxml_html.HtmlElement, meta: dict[str, list[str]], jsonld_lang: str | None
) -> str | None:
    raw = tree.get("lang") or tree.get("xml:lang") or jsonld_lang
    raw = raw or _first(meta, "og:locale", "content-language", "language", "dc.language")
    if not raw:
        return None
    primary = re.split(r"[-_]", raw.strip())[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _site_name(meta: dict[str, list[str]], publisher: str | None) -> str | None:
    for name in (_first(meta, "og:site_name", "application-name"), publisher):
        name = clean(name)
        if name and "://" not in name and len(name) <= 100:
            return name
    return None


def read_metadata(
    tree: lxml_html.HtmlElement, page_url: str, html_text: str | None = None
) -> PageMetadata:
    """Collect title, description, authors, image, language, tags and dates by source
    (``html_text``: the text ``tree`` was parsed from, when the caller has it)."""
    meta = meta_tags(tree)
    ld = read_jsonld(tree)
    parsely = _parsely_page(meta)
    site_name = _site_name(meta, ld.publisher if ld else None)
    image = (ld.image if ld else None) or _first(meta, "og:image", "og:image:url", "twitter:image")
    out = PageMetadata(
        title=_title(tree, meta, ld.headline if ld and ld.is_article else None, site_name),
        description=_first(meta, "description", "og:description", "twitter:description")
        or (ld.description if ld else None),
        site_name=site_name,
        image_url=urljoin(page_url, image) if image else None,
        language=_language(tree, meta, ld.language if ld else None),
        jsonld_body=ld.body if ld else None,
        is_article=bool(ld and ld.is_article)
        or (_first(meta, "og:type") or "").lower() == "article",
        paywalled=bool(ld and ld.paywalled),
    )
    meta_authors = [a for k in AUTHOR_META for a in meta.get(k, ())]
    if isinstance(parsely.get("author"), str):
        meta_authors.append(str(parsely["author"]))
    out.authors = _authors((ld.authors if ld else []) or meta_authors)
    out.tags = _tags(ld.keywords if ld else [], meta)
    if ld:
        out.dates["jsonld"] = (parse_moment(ld.published), parse_moment(ld.modified))
    micro_published, micro_modified = _microdata_dates(tree, html_text)
    meta_published = (
        _first_date(meta, PUBLISHED_META)
        or parse_moment(parsely.get("pub_date"))
        or micro_published
    )
    out.dates["meta"] = (meta_published, _first_date(meta, MODIFIED_META) or micro_modified)
    out.dates["time-tag"] = _time_dates(tree)
    out.dates["url"] = (url_day(page_url), None)
    lang = (tree.get("lang") or _first(meta, "og:locale") or "").lower().replace("_", "-")
    out.us_dates = lang in ("en", "en-us")
    return out
