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
