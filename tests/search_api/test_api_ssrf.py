"""Sources added through the API may not point the crawler at internal hosts (SSRF)."""

from __future__ import annotations

import ipaddress
import tomllib
from pathlib import Path
from typing import Any

import pytest
from api_corpus import KEY
from flask.testing import FlaskClient

from search_api import create_app
from tidings.core.config import Settings

AUTH = {"X-API-Key": KEY}


def _ids(home: Path) -> list[str]:
    """The source ids in ``<home>/sources.toml``."""
    path = home / "sources.toml"
    if not path.exists():
        return []
    return [s["id"] for s in tomllib.loads(path.read_text(encoding="utf-8"))["sources"]]


def _client(settings: Settings, allow: frozenset[str] = frozenset()) -> FlaskClient:
    app = create_app(
        settings,
        config={"TIDINGS_API_KEYS": (KEY,), "RATELIMIT_ENABLED": False,
                "TIDINGS_ALLOW_INTERNAL_HOSTS": allow},
    )  # fmt: skip
    return app.test_client()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"feeds": ["http://127.0.0.1:8001/feed.rss"]}, "feeds"),  # loopback
        ({"feeds": ["http://localhost/feed.rss"]}, "feeds"),  # a name that resolves to loopback
        ({"home": "http://169.254.169.254/latest/meta-data/"}, "home"),  # cloud metadata
        ({"sitemaps": ["http://10.1.2.3/sitemap.xml"]}, "sitemaps"),  # private
        ({"feeds": ["http://192.168.0.10/rss"]}, "feeds"),
        ({"feeds": ["http://[::1]:8080/rss"]}, "feeds"),  # IPv6 loopback
        ({"feeds": ["http://[::ffff:127.0.0.1]/rss"]}, "feeds"),  # IPv4-mapped loopback
        ({"feeds": ["http://0.0.0.0/rss"]}, "feeds"),  # unspecified
        ({"feeds": ["http://100.64.0.1/rss"]}, "feeds"),  # carrier-grade NAT
        ({"feeds": ["http://2130706433/rss"]}, "feeds"),  # 127.0.0.1 as one number
        (
            {"feeds": ["http://93.184.215.14/rss"], "allowed_domains": ["169.254.169.254"]},
            "allowed_domains",
        ),  # articles linked from a public feed may not be internal either
    ],
)
def test_sources_on_internal_hosts_are_refused(
    fresh: tuple[Settings, Any], body: dict[str, Any], field: str
) -> None:
    resp = _client(fresh[0]).post("/api/v1/sources", json={"id": "inside", **body}, headers=AUTH)
    assert resp.status_code == 400, resp.get_json()
    problem = resp.get_json()
    assert resp.mimetype == "application/problem+json"
    assert field in [p["name"] for p in problem["invalid_params"]]
    assert _ids(fresh[0].home) == []


def test_named_internal_host_is_allowed(fresh: tuple[Settings, Any]) -> None:
    client = _client(fresh[0], frozenset({"intranet.local", "127.0.0.1"}))
    body = {"id": "inside", "feeds": ["http://127.0.0.1:8001/feed.rss"]}
    assert client.post("/api/v1/sources", json=body, headers=AUTH).status_code == 201
    other = {"id": "other", "feeds": ["http://10.0.0.7/feed.rss"]}  # not named: still refused
    assert client.post("/api/v1/sources", json=other, headers=AUTH).status_code == 400
    assert _ids(fresh[0].home) == ["inside"]


def test_public_hosts_are_accepted(fresh: tuple[Settings, Any]) -> None:
    body = {"id": "public", "feeds": ["http://93.184.215.14/feed.rss"],
            "home": "https://[2606:4700::6810:84e5]/"}  # fmt: skip
    resp = _client(fresh[0]).post("/api/v1/sources", json=body, headers=AUTH)
    assert resp.status_code == 201, resp.get_json()


def test_every_address_of_a_host_is_checked() -> None:
    from tidings.core.hosts import is_public_address, refusal

    assert refusal("localhost") is not None  # /etc/hosts: 127.0.0.1 (and ::1)
    assert refusal("localhost", {"localhost"}) is None
    assert refusal("93.184.215.14") is None
    assert not is_public_address(ipaddress.ip_address("fe80::1"))
    assert not is_public_address(ipaddress.ip_address("224.0.0.1"))
    assert is_public_address(ipaddress.ip_address("8.8.8.8"))


def test_the_setting_is_read_from_the_environment() -> None:
    from search_api.config import from_env

    config = from_env({"TIDINGS_ALLOW_INTERNAL_HOSTS": " Intranet.Local., 10.0.0.7 "})
    assert config["TIDINGS_ALLOW_INTERNAL_HOSTS"] == frozenset({"intranet.local", "10.0.0.7"})
    assert from_env({})["TIDINGS_ALLOW_INTERNAL_HOSTS"] == frozenset()
