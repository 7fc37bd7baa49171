"""docker-compose.yml says what is true: every Tidings container shares PostgreSQL, Redis and
Elasticsearch over the network and nothing through a volume.

No Docker engine nor the ``compose`` plugin runs here (``docker compose config`` is not
available), so the file is checked as parsed YAML: what it would start is not verified.
"""

from __future__ import annotations

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[1] / "docker-compose.yml"


def test_tidings_services_share_postgresql_not_a_volume() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert {"postgres", "redis", "elasticsearch", "api", "crawler"} <= set(services)
    for name in ("api", "crawler"):
        service = services[name]
        env = service["environment"]
        assert env["TIDINGS_STORE_URL"].startswith("postgresql://")
        assert env["TIDINGS_STORE_URL"].endswith("@postgres:5432/tidings")
        assert env["TIDINGS_INDEX"] == "elasticsearch"
        assert env["TIDINGS_REDIS_URL"].startswith("redis://redis:")
        mounts = [v.split(":")[0] for v in service.get("volumes", [])]
        assert all(m.startswith("./") for m in mounts), f"{name} mounts a data volume: {mounts}"
        assert service["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]


def test_clients_reach_the_api_through_the_buffering_proxy() -> None:
    """Idle and slow clients wait in nginx, not in gunicorn's threads: only the proxy is
    published, it serves deploy/nginx.conf, whose upstream is the api service, and the API
    trusts exactly that one proxy's forwarded headers (client addresses for the rate limits)."""
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    proxy, api = services["proxy"], services["api"]
    assert proxy["ports"] == ["127.0.0.1:8000:8000"] and "ports" not in api
    conf_mount = "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro"
    assert proxy["volumes"] == [conf_mount]
    conf = (COMPOSE.parent / "deploy" / "nginx.conf").read_text()
    assert "server api:8000;" in conf and "listen 8000;" in conf
    assert "proxy_request_buffering on;" in conf and "proxy_buffering on;" in conf
    assert api["environment"]["TIDINGS_TRUSTED_PROXIES"] == "1"
