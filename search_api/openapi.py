"""The OpenAPI 3.1 document, generated from the views' own schemas by flask-smorest.

Views of ``/api/v1`` live on :class:`ApiBlueprint`: their query and body schemas parse the
request (a bad one is a 400 problem, not webargs' 422) and, with the response schemas, become
the document at ``/api/v1/openapi.json``. Nothing here is written by hand, so it cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, NoReturn

import flask_smorest
from flask import Flask
from marshmallow import Schema
from webargs.flaskparser import FlaskParser
from werkzeug.routing import AnyConverter

from search_api.problems import PROBLEM_MIMETYPE, validation_problem
from search_api.schemas import ProblemSchema

API_VERSION = "1.0.0"
DESCRIPTION = """\
Search and read news articles collected, tagged and indexed by Tidings.

Errors are RFC 9457 problem documents (`application/problem+json`); a 400 lists each bad
parameter in `invalid_params`. Public GET endpoints allow any origin (CORS) and are rate
limited per API key or client address (`429` with `Retry-After`). Write and admin endpoints
need an API key: `Authorization: Bearer KEY` or `X-API-Key: KEY`.

**Stories.** A story gathers every outlet's articles about one real-world event (copies of one
text, `cluster_id`, nest inside it). Every article carries its `story_id`; `GET /api/v1/stories`
ranks recent stories (filters as on search), `GET /api/v1/stories/{story_id}` gives one story's
full coverage with a per-day timeline, `collapse=story` on search shows one hit per story, and
`/feeds/stories.{rss,atom,json}` (`?topic=`) has one entry per story. The embeddable widget
shows stories with one option in both forms: `data-show="stories"` on the `/widget.js` script
tag, `show=stories` on the `/widget` iframe (a line per story: its headline linking to the
story's page, its first source "+N sources").
"""
#: Security requirement of the write and admin endpoints (either header works).
API_KEY_SECURITY = [{"bearerAuth": []}, {"apiKeyHeader": []}]


class ProblemParser(FlaskParser):
    """webargs parser whose validation errors are 400 problems naming each parameter."""

    DEFAULT_VALIDATION_STATUS = 400

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[type[Schema], Schema] = {}

    def _get_schema(self, argmap: Any, req: Any) -> Schema:
        """One instance per schema class, made on first use: webargs makes a new one per
        request (a deep copy of every field: 0.69 of parsing's 1.06 profiled ms a search), and
        a loaded schema keeps no state between loads, so every request may share it."""
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas.setdefault(argmap, argmap())
            return schema
        return super()._get_schema(argmap, req)

    def handle_error(  # type: ignore[override]
        self, error: Any, req: Any, schema: Any, *, error_status_code: Any, error_headers: Any
    ) -> NoReturn:
        raise validation_problem(error.messages)

    def _handle_invalid_json_error(self, error: Exception, req: Any, *a: Any, **k: Any) -> NoReturn:
        """A body that is not JSON (or not UTF-8): a 400 naming ``body``, not Werkzeug's
        "the browser (or proxy) sent a request that this server could not understand"."""
        raise validation_problem({"body": [f"not valid JSON: {error}"]})


class ApiBlueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint that parses with :class:`ProblemParser`."""

    ARGUMENTS_PARSER = ProblemParser()

    def problems(self, *codes: int) -> Callable[[Any], Any]:
        """Document that a view may answer these statuses with a problem document."""

        def decorate(view: Any) -> Any:
            for code in codes:
                view = self.alt_response(code, response=HTTPStatus(code).name)(view)
            return view

        return decorate


class TidingsApi(flask_smorest.Api):
    """flask-smorest's Api with problem documents for errors and the app's own error handlers."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # each view lists the problems it can answer

    def _register_error_handlers(self) -> None:
        """Errors are rendered by :mod:`search_api` (problem documents), not by flask-smorest."""

    def _register_responses(self) -> None:
        for status in HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM_MIMETYPE: {"schema": ProblemSchema}}
            self.spec.components.response(status.name, response, lazy=True)


def init_openapi(app: Flask, blueprints: list[ApiBlueprint]) -> TidingsApi:
    """Serve the generated document at ``/api/v1/openapi.json`` and register ``blueprints``."""
    app.config.update(
        API_TITLE="Tidings API",
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": DESCRIPTION,
                "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
            },
            "servers": [{"url": "/"}],
        },
    )
    api = TidingsApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme(
        "apiKeyHeader", {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    )
    api.spec.components.security_scheme(  # NewsAPI clients' way (/v2)
        "apiKeyQuery", {"type": "apiKey", "in": "query", "name": "apiKey"}
    )
    # `<any(rss, atom, json):fmt>` in a path: a string parameter with those values
    api.register_converter(AnyConverter, lambda c: {"type": "string", "enum": sorted(c.items)})
    for bp in blueprints:
        api.register_blueprint(bp)
    return api
