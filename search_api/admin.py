"""Write and admin endpoints (API key required): add a source, start a crawl, delete an article.

They use the same write paths as the CLI: the sources file under the home directory, the
``tidings crawl`` command, and the store of record followed by the index.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from flask import Response, current_app, jsonify, url_for
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from search_api import jobs, sources_file
from search_api.auth import require_api_key
from search_api.openapi import API_KEY_SECURITY, ApiBlueprint
from search_api.problems import INDEX_BUSY, Problem
from search_api.resources import resources
from search_api.schemas import JobSchema

bp = ApiBlueprint(
    "admin", __name__, url_prefix="/api/v1", description="Write and admin (API key required)."
)

SOURCE_ID = r"^[a-z0-9][a-z0-9._-]{0,63}$"
_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f\ud800-\udfff]*$")
_INTERVAL = r"^[0-9]{1,7}[smhd]?$"


def _url() -> fields.Url:
    return fields.Url(
        schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=2000)
    )


def _text(max_len: int, **kwargs: Any) -> fields.String:
    checks = [
        validate.Length(min=1, max=max_len),
        validate.Regexp(_PRINTABLE, error="not printable"),
    ]
    return fields.String(validate=checks, **kwargs)


class SourceInput(Schema):
    """A source, as in the sources file (``[[sources]]``)."""

    id = fields.String(required=True, validate=validate.Regexp(SOURCE_ID))
    name = _text(200)
    home = _url()
    feeds = fields.List(_url(), validate=validate.Length(max=50))
    sitemaps = fields.List(_url(), validate=validate.Length(max=50))
    allowed_domains = fields.List(
        fields.String(validate=validate.Regexp(r"^[A-Za-z0-9.-]{1,253}$")),
        validate=validate.Length(max=50),
    )
    interval = fields.String(
        validate=validate.Regexp(_INTERVAL),
        metadata={"description": "Seconds, or like 90s, 30m, 2h, 1d."},
    )
    language = fields.String(validate=validate.Regexp(r"^[A-Za-z-]{2,20}$"))
    topics = fields.List(_text(200), validate=validate.Length(max=50))

    @validates_schema
    def _somewhere_to_crawl(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not (data.get("home") or data.get("feeds") or data.get("sitemaps")):
            raise ValidationError("give at least one of home, feeds or sitemaps", "feeds")


class CrawlInput(Schema):
    force = fields.Boolean(
        load_default=False, metadata={"description": "Crawl sources whose interval has not passed."}
    )


@bp.post("/sources")
@require_api_key  # before parsing: a request without a key learns nothing more
@bp.arguments(SourceInput, location="json", as_kwargs=False)
@bp.response(201, SourceInput)
@bp.problems(401, 403, 409, 429)
@bp.doc(security=API_KEY_SECURITY)
def add_source(source: dict[str, Any]) -> tuple[Response, int, dict[str, str]]:
    """Add a source to ``<home>/sources.toml`` (crawled by the next crawl)."""
    order = ("id", "name", "home", "feeds", "sitemaps", "allowed_domains", "interval",
             "language", "topics")  # fmt: skip
    table = {k: source[k] for k in order if k in source}
    if isinstance(table.get("interval"), str) and table["interval"].isdigit():
        table["interval"] = int(table["interval"])
    path = sources_file.path_in(resources().settings.home)
    try:
        sources_file.add_source(path, table)
    except sources_file.SourceExists:
        raise Problem(409, detail=f"a source with id {source['id']!r} already exists") from None
    return jsonify(table), 201, {"Location": url_for("catalog.sources")}


@bp.post("/crawl")
@require_api_key  # before parsing: a request without a key learns nothing more
@bp.arguments(CrawlInput, location="json", as_kwargs=False, required=False)
@bp.response(202, JobSchema)
@bp.problems(401, 403, 409, 429)
@bp.doc(security=API_KEY_SECURITY)
def crawl(args: dict[str, Any]) -> tuple[Response, int, dict[str, str]]:
    """Start ``tidings crawl`` over the sources file in the background; poll the job's URL."""
    settings = resources().settings
    path = sources_file.path_in(settings.home)
    if not sources_file.read_sources(path):
        raise Problem(409, detail=f"no sources to crawl in {path.name}: add one first")
    command = current_app.config.get("TIDINGS_CRAWL_COMMAND") or crawl_command(settings.home, path)
    if args.get("force"):
        command = [*command, "--force"]
    env = {"TIDINGS_HOME": str(settings.home), "TIDINGS_INDEX": settings.index_backend}
    if settings.es_url:
        env.update(TIDINGS_ES_URL=settings.es_url, TIDINGS_ES_INDEX=settings.es_index)
    if settings.taxonomy:  # the crawl tags with the taxonomy this API labels with
        env["TIDINGS_TAXONOMY"] = str(settings.taxonomy.resolve())
    try:
        job = jobs.start(settings.home, list(command), env)
    except jobs.JobRunning as exc:
        raise Problem(409, detail=f"crawl job {exc} is still running") from None
    return jsonify(job), 202, {"Location": url_for("admin.crawl_job", job_id=job["id"])}


@bp.get("/crawl/<job_id>")
@require_api_key  # before parsing: a request without a key learns nothing more
@bp.response(200, JobSchema)
@bp.problems(401, 403, 404, 429)
@bp.doc(security=API_KEY_SECURITY)
def crawl_job(job_id: str) -> Response:
    """A crawl job's status, exit code and the end of its log."""
    job = jobs.status(resources().settings.home, job_id[:64])
    if job is None:
        raise Problem(404, detail=f"no crawl job {job_id[:64]!r}")
    resp = jsonify(job)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.delete("/articles/<article_id>")
@require_api_key  # before parsing: a request without a key learns nothing more
@bp.response(204)
@bp.problems(401, 403, 404, 409, 429)
@bp.doc(security=API_KEY_SECURITY)
def delete_article(article_id: str) -> tuple[str, int]:
    """Delete an article from the store of record and the index."""
    res = resources()
    if len(article_id) > 200 or res.store.get(article_id) is None:
        raise Problem(404, detail=f"no article with id {article_id[:200]!r}")
    writer, owned = _writable_index()
    try:
        res.store.delete([article_id])
        writer.delete([article_id])
    finally:
        if owned:
            writer.close()
    return "", 204


def crawl_command(home: Path, sources: Path) -> list[str]:
    """``tidings crawl`` over a sources file, with this interpreter (the API's environment)."""
    return [
        sys.executable,
        "-m",
        "tidings",
        "--home",
        str(home),
        "crawl",
        "--sources",
        str(sources),
    ]


def _writable_index() -> tuple[Any, bool]:
    """An index to write to: the app's own if it is writable, else a writer opened now
    (a 409 problem if another process holds the writer lock)."""
    from tidings.core.index import IndexLockedError, open_index

    res = resources()
    if getattr(res.index, "writable", False):
        return res.index, False
    try:
        return open_index(res.settings, writable=True), True
    except IndexLockedError as exc:
        raise Problem(
            409,
            detail=f"the index is being written by another process; retry later ({exc})",
            type=INDEX_BUSY,
            headers={"Retry-After": "10"},
        ) from None
