"""Write and admin endpoints (API key required): add a source, start a crawl, delete an article.

They use the same write paths as the CLI: the sources model (:mod:`tidings.core.sources`, which
validates and writes ``<home>/sources.toml``), the ``tidings crawl`` command, and the store of
record followed by the index. Sources added here must point at public hosts
(:mod:`tidings.core.hosts`) unless ``TIDINGS_ALLOW_INTERNAL_HOSTS`` names them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from flask import Response, current_app, jsonify, url_for
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from search_api import jobs
from search_api.auth import require_api_key
from search_api.openapi import API_KEY_SECURITY, ApiBlueprint
from search_api.problems import INDEX_BUSY, Problem, invalid_params
from search_api.resources import resources
from search_api.schemas import JobSchema
from tidings.core import hosts
from tidings.core.sources import (
    ANY_DOMAIN,
    ID_PATTERN,
    Source,
    SourceExists,
    SourcesError,
    append_source,
    home_sources_path,
    host_of,
    interval_entry,
    load_home_sources,
    source_from_dict,
)
from tidings.core.sync import delete_and_unindex

bp = ApiBlueprint(
    "admin", __name__, url_prefix="/api/v1", description="Write and admin (API key required)."
)

_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f\ud800-\udfff]*$")


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
    """A source, as in the sources file (``[[sources]]``).

    This schema checks shapes and sizes and documents the body; what makes a source valid is
    decided by the sources model (:func:`tidings.core.sources.source_from_dict`), the same
    check ``tidings crawl --sources`` applies.
    """

    id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN.pattern))
    name = _text(200)
    home = _url()
    feeds = fields.List(_url(), validate=validate.Length(max=50))
    sitemaps = fields.List(_url(), validate=validate.Length(max=50))
    allowed_domains = fields.List(
        fields.String(validate=validate.Regexp(r"^[A-Za-z0-9.-]{1,253}$")),
        validate=validate.Length(max=50),
    )
    interval = fields.String(
        validate=validate.Length(min=1, max=20),
        metadata={"description": "Seconds, or like 90s, 30m, 2h, 1d (more than 0)."},
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
@bp.problems(400, 401, 403, 409, 429)
@bp.doc(security=API_KEY_SECURITY)
def add_source(source: dict[str, Any]) -> tuple[Response, int, dict[str, str]]:
    """Add a source to ``<home>/sources.toml`` (crawled by the next crawl).

    Refused (400) if the sources model rejects it or if a host it names resolves to a
    loopback, private, link-local or reserved address (unless ``TIDINGS_ALLOW_INTERNAL_HOSTS``
    names that host).
    """
    order = ("id", "name", "home", "feeds", "sitemaps", "allowed_domains", "interval",
             "language", "topics")  # fmt: skip
    table = {k: source[k] for k in order if k in source}
    if isinstance(table.get("interval"), str):
        table["interval"] = interval_entry(table["interval"])
    try:
        _refuse_internal_hosts(source_from_dict(table, "source"))
        append_source(home_sources_path(resources().settings.home), table)
    except SourceExists:
        raise Problem(409, detail=f"a source with id {source['id']!r} already exists") from None
    except SourcesError as exc:
        if exc.key is None:  # the file on the server is broken, not this request
            raise Problem(409, detail="the sources file cannot be read; check it with "
                          "`tidings sources check`") from None  # fmt: skip
        raise invalid_params([(exc.key, str(exc))]) from None
    return jsonify(table), 201, {"Location": url_for("catalog.sources")}


def _refuse_internal_hosts(source: Source) -> None:
    """:class:`SourcesError` naming the first field with a host that is not public (see
    :mod:`tidings.core.hosts`): every host the crawler would fetch from is checked, those of
    the start URLs and the allowed domains that linked articles may be on."""
    allowed = current_app.config.get("TIDINGS_ALLOW_INTERNAL_HOSTS") or ()
    urls = [("home", source.home or ""), *(("feeds", u) for u in source.feeds),
            *(("sitemaps", u) for u in source.sitemaps)]  # fmt: skip
    named = [(key, host_of(url)) for key, url in urls]
    named += [("allowed_domains", d) for d in source.allowed_domains if d != ANY_DOMAIN]
    checked: set[str] = set()
    for key, host in named:
        if host and host not in checked:
            checked.add(host)
            reason = hosts.refusal(host, allowed)
            if reason:
                raise SourcesError(f"{key}: {reason}", key)


@bp.post("/crawl")
@require_api_key  # before parsing: a request without a key learns nothing more
@bp.arguments(CrawlInput, location="json", as_kwargs=False, required=False)
@bp.response(202, JobSchema)
@bp.problems(401, 403, 409, 429)
@bp.doc(security=API_KEY_SECURITY)
def crawl(args: dict[str, Any]) -> tuple[Response, int, dict[str, str]]:
    """Start ``tidings crawl`` over the sources file in the background; poll the job's URL."""
    settings = resources().settings
    path = home_sources_path(settings.home)
    try:
        configured = load_home_sources(settings.home)
    except (SourcesError, OSError):
        raise Problem(409, detail=f"{path.name} cannot be read; check it with "
                      "`tidings sources check`") from None  # fmt: skip
    if not configured:
        raise Problem(409, detail=f"no sources to crawl in {path.name}: add one first")
    command = current_app.config.get("TIDINGS_CRAWL_COMMAND") or crawl_command(settings.home, path)
    if args.get("force"):
        command = [*command, "--force"]
    try:
        job = jobs.start(settings.home, list(command), settings.to_env())
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
@bp.problems(401, 403, 404, 409, 429, 503)
@bp.doc(security=API_KEY_SECURITY)
def delete_article(article_id: str) -> tuple[str, int]:
    """Delete an article from the store of record and the index.

    The same tracked path as every write (:func:`tidings.core.sync.delete_and_unindex`): if
    the index fails after the store delete, the tombstone stays pending and the next crawl,
    import or prune removes the article from the index.
    """
    res = resources()
    if len(article_id) > 200 or res.store.get(article_id) is None:
        raise Problem(404, detail=f"no article with id {article_id[:200]!r}")
    writer, owned = _writable_index()
    try:
        delete_and_unindex(res.store, writer, [article_id])
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
