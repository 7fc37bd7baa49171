"""Browser tests: the real app on a loopback port, a host page on another origin, real Chromium.

Chromium is Debian's (``apt-get install -y chromium``), driven by Playwright for Python with
``executable_path`` (never ``playwright install``). When it is missing the tests *fail* with a
message saying how to install it: they must not silently skip in CI.

Screenshots go to ``test-artifacts/screenshots/`` (gitignored). With
``TIDINGS_DOC_SCREENSHOTS=1`` the representative ones are also copied to ``docs/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response

try:
    from playwright.sync_api import Page
except ImportError as exc:  # pragma: no cover - a clear message instead of a bare ImportError
    raise ImportError(
        "tests/browser need Playwright for Python: pip install -e '.[test]' "
        "(playwright, pytest-playwright); the browser is Debian's chromium"
    ) from exc
from browser_site import Site, build_home, raw_articles  # noqa: E402
from werkzeug.serving import BaseWSGIServer, make_server

from search_api import create_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("TIDINGS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"
TIMEOUT_MS = 15_000

#: The host site's own CSS: aggressive rules that must not reach into the widget.
HOST_CSS = """
body { font: 30px/1.1 Georgia, serif; color: rgb(0, 128, 0); background: #f4efe6; margin: 0; }
a { color: rgb(255, 0, 0) !important; text-decoration: underline wavy; }
li { border: 3px dashed orange; }
.tw-link, .tw { background: yellow !important; font-size: 40px !important; }
p { text-transform: uppercase; }
.page { display: flex; gap: 24px; padding: 16px; }
.page article { flex: 1; }
#slot { width: 360px; flex: none; }
"""
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A news-reading blog</title>
<style>{css}</style></head>
<body><div class="page">
<article>
<h1>My blog</h1>
<p class="tw-head" id="host-para">A paragraph of the host page.</p>
<a class="tw-link" id="host-link" href="#">A host link with the widget's class name</a>
<ul><li>A host list item</li></ul>
</article>
<aside id="slot">{embed}</aside>
</div></body></html>"""


def _shifted(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The test articles moved to recent days (same spacing), so relative times look real."""
    newest = max(datetime.fromisoformat(a["published_at"].replace("Z", "+00:00")) for a in articles)
    shift = timedelta(days=(datetime.now(UTC) - newest).days - 1)
    out = []
    for a in articles:
        when = datetime.fromisoformat(a["published_at"].replace("Z", "+00:00")) + shift
        out.append({**a, "published_at": when.isoformat().replace("+00:00", "Z")})
    return out


def _serve(app: Any) -> tuple[BaseWSGIServer, threading.Thread]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="test-server", daemon=True)
    thread.start()
    return server, thread


def _host_app(app_origin: str) -> Flask:
    """The embedding site: pages with the widget script tag (or iframe) pointing at the app."""
    host = Flask("host-site")

    def page(embed: str) -> Response:
        html = HOST_PAGE.format(css=HOST_CSS, embed=embed)
        return Response(html, content_type="text/html; charset=utf-8")

    def script(**data: str) -> str:
        attrs = " ".join(f'data-{k}="{v}"' for k, v in data.items())
        return f'<script src="{app_origin}/widget.js" {attrs}></script>'

    @host.get("/light")
    def light() -> Response:
        return page(script(limit="5", theme="light"))

    @host.get("/dark")
    def dark() -> Response:
        return page(script(limit="5", theme="dark"))

    @host.get("/security")
    def security() -> Response:
        return page(script(topic="security", limit="5", theme="light"))

    @host.get("/stories")
    def stories() -> Response:
        return page(script(show="stories", limit="20", theme="light"))

    @host.get("/two")
    def two() -> Response:
        return page(script(topic="sport", limit="2") + script(topic="security", theme="dark"))

    def frame(query: str) -> str:
        src = f"{app_origin}/widget?{query.replace('&', '&amp;')}"
        tag = f'<iframe id="tw-frame" title="Headlines" src="{src}" width="360" height="520">'
        return tag + "</iframe>"

    @host.get("/iframe")
    def iframe() -> Response:
        return page(frame("topic=security&limit=5&theme=dark"))

    @host.get("/stories-both")
    def stories_both() -> Response:
        """Stories in both embed forms, one option name: the script and the iframe."""
        return page(script(show="stories", limit="20") + frame("show=stories&limit=20"))

    return host


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app over a tmp home with the test articles, and the host site, both on loopback."""
    home = tmp_path_factory.mktemp("tidings-browser-home")
    settings, stored = build_home(home, _shifted(raw_articles()))
    app = create_app(settings, config={"RATELIMIT_ENABLED": False})
    api_server, _ = _serve(app)
    app_origin = f"http://127.0.0.1:{api_server.server_port}"
    host_server, _ = _serve(_host_app(app_origin))
    try:
        yield Site(app_origin, f"http://localhost:{host_server.server_port}", stored)
    finally:
        host_server.shutdown()
        api_server.shutdown()
        app.extensions["tidings"].close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium; fail loudly (not skip) when it is not installed."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. The browser tests need it: "
            "apt-get update && apt-get install -y chromium (or set TIDINGS_CHROMIUM)",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


@dataclass
class Watch:
    """What a page did that it must not: dialogs (alert = script ran), JS errors, CSP reports."""

    dialogs: list[str]
    errors: list[str]
    console: list[str]

    def assert_clean(self) -> None:
        assert self.dialogs == [], f"a dialog fired: {self.dialogs}"
        assert self.errors == [], f"page errors: {self.errors}"
        csp = [m for m in self.console if "Content Security Policy" in m]
        assert csp == [], f"CSP violations: {csp}"


@pytest.fixture()
def watch(page: Page) -> Watch:
    """Register dialog/error/console listeners on ``page`` before the test navigates."""
    seen = Watch([], [], [])

    def on_dialog(dialog: Any) -> None:
        seen.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: seen.errors.append(str(exc)))
    page.on("console", lambda msg: seen.console.append(f"{msg.type}: {msg.text}"))
    page.set_default_timeout(TIMEOUT_MS)
    return seen


@pytest.fixture()
def shot() -> Any:
    """``shot(page_or_locator, name, doc=False)``: a screenshot for review (see module doc)."""
    return take_screenshot


def take_screenshot(target: Any, name: str, *, doc: bool = False) -> Path:
    """Screenshot ``target`` (a page or locator) to test-artifacts; optionally to docs too."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    target.screenshot(path=str(path))
    if doc and os.environ.get("TIDINGS_DOC_SCREENSHOTS") == "1":
        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOC_SCREENSHOTS / path.name)
    return path
