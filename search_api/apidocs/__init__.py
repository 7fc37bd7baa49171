"""``/api/v1/docs``: Swagger UI over ``/api/v1/openapi.json``, with "Try it out".

Swagger UI comes from a package (PyPI ``flask-swagger-ui`` vendors swagger-ui-dist's files; only
those files are used, not its blueprint, whose page has an inline script), served from here:
no CDN, nothing fetched at run time. The page's own script (``docs.js``) starts the viewer, so
the Content-Security-Policy allows only this origin's scripts and styles, and requests to this
origin ("Try it out"); the spec validator badge, which would call an outside service, is off.
"""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Response, redirect, send_from_directory

HERE = Path(__file__).parent
#: swagger-ui-dist's files, as the flask-swagger-ui package ships them.
VENDOR = Path(flask_swagger_ui.__file__).parent / "dist"
VENDOR_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "VERSION")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

bp = Blueprint("apidocs", __name__, url_prefix="/api/v1")


@bp.get("/docs")
def docs_redirect() -> Response:
    return redirect("docs/", 308)  # type: ignore[return-value]


@bp.get("/docs/")
def docs() -> Response:
    return _asset(HERE, "docs.html", "text/html")


@bp.get("/docs/docs.js")
def script() -> Response:
    return _asset(HERE, "docs.js", "text/javascript")


@bp.get("/docs/vendor/<any(" + ", ".join(repr(n) for n in VENDOR_FILES) + "):name>")
def vendor(name: str) -> Response:
    kinds = {".js": "text/javascript", ".css": "text/css"}
    kind = kinds.get(Path(name).suffix, "text/plain")
    return _asset(VENDOR, name, kind)


def _asset(folder: Path, name: str, mimetype: str) -> Response:
    """``name`` as ``mimetype`` (a bare text/* type: Werkzeug adds its ``charset=utf-8``)."""
    resp = send_from_directory(folder, name, mimetype=mimetype, max_age=300)
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
