"""NewsAPI's response shapes: the article record as NewsAPI lists it, and the schemas that
document the ``/v2`` responses in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from tidings.core.article import article_date

#: NewsAPI cuts ``content`` to this many characters and says how many it left out.
CONTENT_CHARS = 200


def cut_content(body: str | None) -> str | None:
    """The body as NewsAPI's ``content``: its first 200 characters (each run of whitespace
    shown as one space), then ``… [+N chars]`` for the N characters left out."""
    text = (body or "").strip()
    if not text:
        return None
    shown = " ".join(text[:CONTENT_CHARS].split())
    if len(text) <= CONTENT_CHARS:
        return shown
    return f"{shown}… [+{len(text) - CONTENT_CHARS} chars]"


def published_at(article: dict[str, Any]) -> str | None:
    """``published_at`` (else ``fetched_at``) as NewsAPI writes dates: UTC, seconds, ``Z``."""
    value = article_date(article)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def article(record: dict[str, Any], body: str | None) -> dict[str, Any]:
    """One article in NewsAPI's shape (``record``: the listed fields; ``body``: the stored one)."""
    source = record.get("source") if isinstance(record.get("source"), dict) else {}
    authors = [a for a in record.get("authors") or [] if isinstance(a, str) and a.strip()]
    return {
        "source": {"id": source.get("id"), "name": source.get("name")},
        "author": ", ".join(authors) or None,
        "title": record.get("title"),
        "description": record.get("summary") or None,
        "url": record.get("url"),
        "urlToImage": record.get("image_url"),
        "publishedAt": published_at(record),
        "content": cut_content(body),
    }


def _opt(field: fields.Field) -> fields.Field:
    field.allow_none = True
    return field


class NewsSourceRefSchema(Schema):
    id = _opt(fields.String())
    name = _opt(fields.String())


class NewsArticleSchema(Schema):
    source = fields.Nested(NewsSourceRefSchema, required=True)
    author = _opt(fields.String())
    title = _opt(fields.String())
    description = _opt(fields.String())
    url = _opt(fields.String())
    urlToImage = _opt(fields.String())  # noqa: N815 - NewsAPI's name
    publishedAt = _opt(fields.String(metadata={"description": "UTC, 2024-05-01T12:00:00Z"}))  # noqa: N815
    content = _opt(
        fields.String(metadata={"description": "The first 200 characters, `… [+N chars]`."})
    )


class NewsArticlesSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok"]})
    totalResults = fields.Integer(required=True)  # noqa: N815 - NewsAPI's name
    articles = fields.List(fields.Nested(NewsArticleSchema), required=True)


class NewsSourceSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    url = _opt(fields.String())
    category = fields.String(required=True)
    language = _opt(fields.String())
    country = _opt(fields.String())


class NewsSourcesSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok"]})
    sources = fields.List(fields.Nested(NewsSourceSchema), required=True)


class NewsErrorSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["error"]})
    code = fields.String(required=True, metadata={"description": "NewsAPI's error code."})
    message = fields.String(required=True)
