"""``/api/v1/docs``: a browsable page rendered in the browser from ``/api/v1/openapi.json``.

Self-made and served from here (no CDN); its script inserts everything from the document as
text, and the page's Content-Security-Policy allows only this origin's script and style.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, redirect, send_from_directory

HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

bp = Blueprint("apidocs", __name__, url_prefix="/api/v1")


@bp.get("/docs")
def docs_redirect() -> Response:
    return redirect("docs/", 308)  # type: ignore[return-value]


@bp.get("/docs/")
def docs() -> Response:
    return _asset("docs.html", "text/html; charset=utf-8")


@bp.get("/docs/<any('docs.js', 'docs.css'):name>")
def asset(name: str) -> Response:
    kind = "text/javascript" if name.endswith(".js") else "text/css"
    return _asset(name, f"{kind}; charset=utf-8")


def _asset(name: str, mimetype: str) -> Response:
    resp = send_from_directory(HERE, name, mimetype=mimetype, max_age=300)
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
