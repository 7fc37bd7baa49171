"""Schema.org JSON-LD: the most reliable metadata a news page carries, when it carries any.

Publishers nest the article in lists, in ``@graph`` and under ``mainEntity``, refer to authors
by ``@id``, and sometimes write invalid JSON; this module copes with all of that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html

ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
        "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle",
        "liveblogposting", "techarticle", "scholarlyarticle", "report",
        "socialmediaposting", "posting", "satiricalarticle", "advertisercontentarticle",
    }
)  # fmt: skip
PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage"})
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DECODER = json.JSONDecoder(strict=False)


@dataclass
class JsonLdArticle:
    """What a JSON-LD article (or, for dates only, a WebPage) says about the page."""

    headline: str | None = None
    description: str | None = None
    body: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    image: str | None = None
    language: str | None = None
    keywords: list[str] = field(default_factory=list)
    section: str | None = None
    publisher: str | None = None
    url: str | None = None
    is_article: bool = False
    #: ``isAccessibleForFree`` said no: the page shows subscribers the story, others a stub
    paywalled: bool = False


def _load(text: str) -> Any:
    text = text.strip()
    for junk in ("<!--", "-->", "<![CDATA[", "]]>"):
        text = text.replace(junk, "")
    text = text.strip().rstrip(";")
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    text = _TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", text)).strip()
    try:
        # the first whole value: a stray closing brace after it ("Extra data") is junk
        return _DECODER.raw_decode(text)[0]
    except ValueError:
        return None


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type") or []
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values}


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Candidate top-level nodes: list items, ``@graph`` members and ``mainEntity`` values."""
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity"):
            if key in data:
                yield from _nodes(data[key])


def _one(value: Any, *keys: str) -> Any:
    """One item of a JSON-LD value: a list's first, and of a node the first of ``keys`` it
    gives a value for (publishers write a name, an image or a date all three ways)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        node, value = value, None
        for key in keys:
            value = value or node.get(key)
    return value


def _text(value: Any) -> str | None:
    value = _one(value, "@value", "name")
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _names(value: Any, ids: dict[str, dict[str, Any]]) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in values:
        if isinstance(item, dict):
            if "name" not in item and item.get("@id") in ids:
                item = ids[item["@id"]]
            name = _text(item.get("name"))
        else:
            name = _text(item)
        if name and not name.startswith(("http://", "https://")):
            names.append(name)
    return names


def _image(value: Any) -> str | None:
    return _text(_one(value, "url", "contentUrl"))


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    if isinstance(value, list):
        return [t for t in (_text(v) for v in value) if t]
    return []


def _from_node(
    node: dict[str, Any], ids: dict[str, dict[str, Any]], is_article: bool
) -> JsonLdArticle:
    publisher = node.get("publisher")
    if isinstance(publisher, dict) and "name" not in publisher and publisher.get("@id") in ids:
        publisher = ids[publisher["@id"]]
    return JsonLdArticle(
        headline=_text(node.get("headline")) or _text(node.get("name")),
        description=_text(node.get("description")),
        body=_text(node.get("articleBody")) or _text(node.get("text")),
        published=_text(node.get("datePublished")) or _text(node.get("dateCreated")),
        modified=_text(node.get("dateModified")),
        authors=_names(node.get("author") or node.get("creator") or [], ids),
        image=_image(node.get("image") or node.get("thumbnailUrl")),
        language=_text(node.get("inLanguage")),
        keywords=_keywords(node.get("keywords")),
        section=_text(node.get("articleSection")),
        publisher=_text(publisher) if publisher else None,
        url=_text(node.get("url")),
        is_article=is_article,
        paywalled=str(node.get("isAccessibleForFree", "")).strip().lower() in ("false", "no"),
    )


def read_jsonld(tree: lxml_html.HtmlElement) -> JsonLdArticle | None:
    """The page's JSON-LD article (the one with most content), else a WebPage with a date."""
    nodes: list[dict[str, Any]] = []
    for script in tree.iterfind(".//script[@type]"):
        if script.get("type", "").strip().lower() == "application/ld+json" and script.text:
            nodes.extend(_nodes(_load(script.text)))
    ids = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    articles = [n for n in nodes if _types(n) & ARTICLE_TYPES]
    if articles:
        best = max(articles, key=lambda n: (bool(n.get("articleBody")), bool(n.get("headline"))))
        return _from_node(best, ids, is_article=True)
    pages = [n for n in nodes if _types(n) & PAGE_TYPES and n.get("datePublished")]
    return _from_node(pages[0], ids, is_article=False) if pages else None
