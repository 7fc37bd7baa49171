"""Runtime settings, read from the environment with explicit overrides.

One object says where data lives (``home``), which index backend serves search, which topic
model tags articles and which taxonomy names the topics, so every entry point (CLI, crawler,
API) agrees without passing paths around.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path


def _bundled_model_dir() -> Path:
    """The shipped topic model: ``models/default`` in a source checkout (editable install),
    else where ``pip install .`` put it (``<prefix>/share/tidings/models/default``)."""
    in_tree = Path(__file__).resolve().parents[2] / "models" / "default"
    if in_tree.is_dir():
        return in_tree
    return Path(sys.prefix) / "share" / "tidings" / "models" / "default"


BUNDLED_MODEL_DIR = _bundled_model_dir()

DEFAULT_USER_AGENT = "TidingsBot/0.1 (+https://github.com/tidings-news/tidings)"


@dataclass(frozen=True)
class Settings:
    """Where Tidings keeps its data and which parts it uses."""

    home: Path = field(default_factory=lambda: Path("var"))
    index_backend: str = "embedded"  # "embedded" (tantivy) or "elasticsearch"
    es_url: str | None = None
    es_index: str = "tidings-articles"
    es_api_key: str | None = None  # instead of user:password in es_url
    es_ca_certs: str | None = None  # PEM file of a private CA that signed the cluster's cert
    model_dir: Path = BUNDLED_MODEL_DIR
    taxonomy: Path | None = None  # taxonomy file; None: the packaged tidings/core/taxonomy.toml
    user_agent: str = DEFAULT_USER_AGENT
    retention_days: int | None = None  # `tidings prune` removes articles older than this

    @property
    def db_path(self) -> Path:
        """SQLite store of record."""
        return self.home / "tidings.db"

    @property
    def index_dir(self) -> Path:
        """Directory of the embedded full-text index."""
        return self.home / "index"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``TIDINGS_*`` variables; keyword overrides that are not None win."""
        env = dict(os.environ if env is None else env)
        base = cls(
            home=Path(env.get("TIDINGS_HOME", "var")),
            index_backend=env.get("TIDINGS_INDEX", "embedded"),
            es_url=env.get("TIDINGS_ES_URL") or None,
            es_index=env.get("TIDINGS_ES_INDEX", "tidings-articles"),
            es_api_key=env.get("TIDINGS_ES_API_KEY") or None,
            es_ca_certs=env.get("TIDINGS_ES_CA_CERTS") or None,
            model_dir=Path(env["TIDINGS_MODEL"]) if env.get("TIDINGS_MODEL") else BUNDLED_MODEL_DIR,
            taxonomy=Path(env["TIDINGS_TAXONOMY"]) if env.get("TIDINGS_TAXONOMY") else None,
            user_agent=env.get("TIDINGS_USER_AGENT", DEFAULT_USER_AGENT),
            retention_days=_days(env.get("TIDINGS_RETENTION_DAYS")),
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        for key in ("home", "model_dir", "taxonomy"):
            if key in given:
                given[key] = Path(given[key])  # type: ignore[arg-type]
        return replace(base, **given)  # type: ignore[arg-type]


def _days(value: str | None, name: str = "TIDINGS_RETENTION_DAYS") -> int | None:
    """``value`` as a positive int, None when unset; anything else is a clear ValueError."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise ValueError(f"{name} must be a positive number of days, not {value!r}")
    return number
