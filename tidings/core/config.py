"""Runtime settings, read from the environment with explicit overrides.

One object says where data lives (``home``), which index backend serves search, which topic
model tags articles and which taxonomy names the topics, so every entry point (CLI, crawler,
API) agrees without passing paths around.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from tidings.core.environment import read_environment


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
    #: The shared store of record (``postgresql://...``); None: SQLite at :attr:`db_path`.
    store_url: str | None = None

    @property
    def db_path(self) -> Path:
        """SQLite store of record (when :attr:`store_url` is unset)."""
        return self.home / "tidings.db"

    @property
    def store_exists(self) -> bool:
        """Whether there is a store to read: a PostgreSQL server named, or the SQLite file."""
        return self.store_url is not None or self.db_path.exists()

    @property
    def index_dir(self) -> Path:
        """Directory of the embedded full-text index."""
        return self.home / "index"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``TIDINGS_*`` variables (:mod:`tidings.core.environment`);
        keyword overrides that are not None win. A bad value is a ValueError naming it."""
        values = read_environment(env)
        base = cls(
            home=values["TIDINGS_HOME"],
            index_backend=values["TIDINGS_INDEX"],
            es_url=values["TIDINGS_ES_URL"],
            es_index=values["TIDINGS_ES_INDEX"],
            es_api_key=values["TIDINGS_ES_API_KEY"],
            es_ca_certs=values["TIDINGS_ES_CA_CERTS"],
            model_dir=values["TIDINGS_MODEL"] or BUNDLED_MODEL_DIR,
            taxonomy=values["TIDINGS_TAXONOMY"],
            user_agent=values["TIDINGS_USER_AGENT"] or DEFAULT_USER_AGENT,
            retention_days=values["TIDINGS_RETENTION_DAYS"],
            store_url=values["TIDINGS_STORE_URL"],
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        for key in ("home", "model_dir", "taxonomy"):
            if key in given:
                given[key] = Path(given[key])  # type: ignore[arg-type]
        settings = replace(base, **given)  # type: ignore[arg-type]
        if settings.home.exists() and not settings.home.is_dir():  # else "no store", tracebacks
            home = settings.home
            raise ValueError(f"the home {home} (--home or TIDINGS_HOME) is not a directory")
        return settings

    def make_home(self) -> None:
        """Create the home if it is missing, so a server that cannot write there stops before
        it serves (it would answer 503 and log tracebacks); a ValueError naming it if not."""
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            home = self.home
            reason = exc.strerror or type(exc).__name__
            raise ValueError(f"the home {home} (--home or TIDINGS_HOME) cannot be created: "
                             f"{reason}") from None  # fmt: skip

    def to_env(self) -> dict[str, str]:
        """The ``TIDINGS_*`` variables that give a child process (a crawl the API starts) these
        settings: the inverse of :meth:`from_env` for what a crawl needs."""
        env = {"TIDINGS_HOME": str(self.home), "TIDINGS_INDEX": self.index_backend}
        if self.store_url:
            env["TIDINGS_STORE_URL"] = self.store_url
        if self.es_url:
            env.update(TIDINGS_ES_URL=self.es_url, TIDINGS_ES_INDEX=self.es_index)
        if self.es_api_key:
            env["TIDINGS_ES_API_KEY"] = self.es_api_key
        if self.es_ca_certs:
            env["TIDINGS_ES_CA_CERTS"] = self.es_ca_certs
        if self.model_dir != BUNDLED_MODEL_DIR:
            env["TIDINGS_MODEL"] = str(self.model_dir.resolve())
        if self.taxonomy:  # the crawl tags with the taxonomy this API labels with
            env["TIDINGS_TAXONOMY"] = str(self.taxonomy.resolve())
        if self.user_agent != DEFAULT_USER_AGENT:
            env["TIDINGS_USER_AGENT"] = self.user_agent
        return env
