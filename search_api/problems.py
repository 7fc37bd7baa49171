"""RFC 9457 problem documents: every API error has one machine-readable shape.

Clients branch on ``status`` and ``type``; validation errors also list each bad parameter in
``invalid_params`` so a client can point at the field to fix instead of parsing prose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

PROBLEM_MIMETYPE = "application/problem+json"

#: ``type`` of a request whose query parameters are wrong (names them in ``invalid_params``).
INVALID_PARAMS = "tag:tidings,2024:problem/invalid-parameters"
#: ``type`` of a query the index cannot run (syntax it rejects, a stale cursor).
INVALID_QUERY = "tag:tidings,2024:problem/invalid-query"
#: ``type`` when the search index is not available (not built yet, or broken).
INDEX_UNAVAILABLE = "tag:tidings,2024:problem/index-unavailable"
#: ``type`` of a request without a valid API key (401: none given, 403: a wrong one).
API_KEY = "tag:tidings,2024:problem/api-key"
#: ``type`` of a request over its rate limit (429, with ``Retry-After``).
RATE_LIMITED = "tag:tidings,2024:problem/rate-limited"
#: ``type`` of a write refused because another process holds the index writer lock.
INDEX_BUSY = "tag:tidings,2024:problem/index-busy"
#: ``type`` of an endpoint the configured index backend cannot answer yet.


@dataclass(eq=False)  # exceptions compare (and hash) by identity
class Problem(Exception):
    """An error answered as a problem document; raise it from any view."""

    status: int
    detail: str | None = None
    type: str = "about:blank"
    title: str | None = None
    invalid_params: list[dict[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.heading}: {self.detail or ''}"

    @property
    def heading(self) -> str:
        """``title``, else the HTTP reason phrase (as RFC 9457 advises): the JSON body's
        ``title`` and the first words of an HTML page's error paragraph."""
        return self.title or _phrase(self.status)

    def to_dict(self) -> dict[str, Any]:
        """The JSON body."""
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.heading,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        body["instance"] = _instance()
        if self.invalid_params:
            body["invalid_params"] = self.invalid_params
        return body


def invalid_params(errors: list[tuple[str, str]]) -> Problem:
    """A 400 naming each bad query parameter and why it was rejected."""
    names = ", ".join(dict.fromkeys(name for name, _ in errors))
    return Problem(
        400,
        detail=f"invalid parameter(s): {names}",
        type=INVALID_PARAMS,
        title="Invalid parameters",
        invalid_params=[{"name": name, "reason": reason} for name, reason in errors],
    )


def validation_problem(messages: Any) -> Problem:
    """A 400 from marshmallow/webargs error messages (``{name: [reason, ...]}``, maybe nested)."""
    if isinstance(messages, dict) and len(messages) == 1:
        (only,) = messages
        if only in ("query", "querystring", "json") and isinstance(messages[only], dict):
            messages = messages[only]  # webargs namespaces errors under the location
    errors: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for name, reasons in messages.items():
            label = "body" if name == "_schema" else str(name)
            errors.extend((label, reason) for reason in _flatten(reasons))
    else:
        errors.extend(("body", reason) for reason in _flatten(messages))
    return invalid_params(errors or [("body", "invalid")])


def _flatten(reasons: Any) -> list[str]:
    if isinstance(reasons, str):
        return [reasons]
    if isinstance(reasons, dict):
        return [r for value in reasons.values() for r in _flatten(value)]
    if isinstance(reasons, list | tuple):
        return [r for value in reasons for r in _flatten(value)]
    return [str(reasons)]


def problem_response(problem: Problem) -> Response:
    """Render a problem as ``application/problem+json`` with its status and headers."""
    resp = Response(json.dumps(problem.to_dict()), status=problem.status, mimetype=PROBLEM_MIMETYPE)
    for key, value in problem.headers.items():
        resp.headers[key] = value
    resp.headers["Cache-Control"] = "no-store"
    return resp


def allow_header(exc: HTTPException) -> dict[str, str]:
    """The ``Allow`` header a 405 carries (RFC 9110 requires it), as headers to pass on."""
    allow = exc.get_response().headers.get("Allow")
    return {"Allow": allow} if allow else {}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _instance() -> str:
    """The request path (without the query: it may be long and is echoed elsewhere)."""
    try:
        return request.path
    except RuntimeError:  # outside a request context
        return ""
