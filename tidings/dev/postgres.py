"""A throwaway PostgreSQL cluster on loopback, from Debian's ``postgresql`` package.

Why: the PostgreSQL store engine must answer real queries in tests, CI and on a developer's
machine, without Docker and without touching the system's own cluster. This module runs
``initdb`` into a temporary folder and starts ``postgres`` on a free port, as the unprivileged
``postgres`` account when we are root (PostgreSQL refuses to run as root), with trust auth on
the listening address only, and creates one database. :meth:`PostgresCluster.stop` shuts it down
and deletes the folder.

``tidings dev postgres`` runs one from the command line; the test suite's session fixture uses
:class:`PostgresCluster` directly.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

from tidings.core.environment import read_environment
from tidings.dev.service import LocalService, free_port

#: Where Debian puts a major version's server binaries; ``$TIDINGS_PG_BIN`` overrides it.
DEBIAN_BIN = Path("/usr/lib/postgresql")
DEFAULT_DATABASE = "tidings"
#: The account the cluster runs as when we are root (Debian's package creates it).
SERVICE_USER = "postgres"


class ClusterError(RuntimeError):
    """The cluster could not be created, started or reached; the message says which step."""


def server_bin() -> Path:
    """The folder holding ``initdb`` and ``postgres``: ``$TIDINGS_PG_BIN``, else the newest
    Debian major under ``/usr/lib/postgresql``, else the folder of ``initdb`` on ``PATH``."""
    if configured := read_environment()["TIDINGS_PG_BIN"]:
        return Path(configured)
    majors = sorted(
        (p for p in DEBIAN_BIN.glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if majors:
        return majors[-1]
    initdb = shutil.which("initdb")
    if initdb is None:
        raise ClusterError("no initdb found: install PostgreSQL (Debian: postgresql)")
    return Path(initdb).parent


def _service_account() -> tuple[int, int] | None:
    """``(uid, gid)`` to run the server as when we are root; None when we are not."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SERVICE_USER)
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        raise ClusterError(
            f"no {SERVICE_USER!r} account: install Debian's postgresql package"
        ) from None


class PostgresCluster(LocalService):
    """One private cluster on ``host`` (127.0.0.1 by default); a context manager that stops it.

    ``url`` is a libpq URL of :attr:`database` as the ``postgres`` superuser (trust auth: only
    for loopback or a test network). :meth:`kill` and :meth:`start` again keep the data, so
    fault tests can take the server away and bring it back.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        database: str = DEFAULT_DATABASE,
        durable: bool = False,
        startup_timeout: float = 60.0,
    ) -> None:
        self.host = host
        self.port = port or free_port()
        self.database = database
        self.durable = durable
        self.startup_timeout = startup_timeout
        super().__init__()

    @property
    def url(self) -> str:
        return f"postgresql://{SERVICE_USER}@{self.host}:{self.port}/{self.database}"

    @property
    def admin_url(self) -> str:
        """The ``postgres`` maintenance database (for creating and dropping databases)."""
        return f"postgresql://{SERVICE_USER}@{self.host}:{self.port}/postgres"

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> PostgresCluster:
        """initdb (first time only), start the server, wait for it, create the database."""
        account = _service_account()
        first = self.workdir is None
        if first:
            self.workdir = self._initdb(account)
        assert self.workdir is not None
        settings = {
            "listen_addresses": self.host,
            "port": self.port,
            "unix_socket_directories": self.workdir,
            "max_connections": 200,
            # A test cluster trades crash safety for speed unless asked to be durable.
            "fsync": "on" if self.durable else "off",
            "synchronous_commit": "on" if self.durable else "off",
            "full_page_writes": "on" if self.durable else "off",
        }
        command = [str(server_bin() / "postgres"), "-D", str(self.workdir / "data")]
        for key, value in settings.items():
            command += ["-c", f"{key}={value}"]
        self._spawn(command, env=None, account=account)
        try:
            self._wait_ready()
            if first:
                self._create_database()
        except BaseException:
            self.stop()
            raise
        return self

    def _initdb(self, account: tuple[int, int] | None) -> Path:
        workdir = Path(tempfile.mkdtemp(prefix="tidings-pg-"))
        if account:
            os.chown(workdir, *account)
        command = [
            str(server_bin() / "initdb"), "-D", str(workdir / "data"), "-U", SERVICE_USER,
            "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        ]  # fmt: skip
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            user=account[0] if account else None,
            group=account[1] if account else None,
            extra_groups=[] if account else None,
            check=False,
        )
        if done.returncode != 0:
            shutil.rmtree(workdir, ignore_errors=True)
            raise ClusterError(f"initdb failed: {(done.stdout + done.stderr).strip()[-2000:]}")
        # No passwords: the server listens on ``host`` only (loopback or a test network).
        (workdir / "data" / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 0.0.0.0/0 trust\nhost all all ::/0 trust\n"
        )
        return workdir

    def _connect(self, url: str) -> psycopg.Connection:
        return psycopg.connect(url, autocommit=True, connect_timeout=5)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise ClusterError(f"postgres exited during start-up:\n{self.log_tail()}")
            try:
                with self._connect(self.admin_url) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                time.sleep(0.2)
        raise ClusterError(f"postgres not ready after {self.startup_timeout:.0f} s")

    def _create_database(self) -> None:
        with self._connect(self.admin_url) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))

    def fresh_database(self, name: str) -> str:
        """Drop and create database ``name``; its URL (one clean database per test)."""
        with self._connect(self.admin_url) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return f"postgresql://{SERVICE_USER}@{self.host}:{self.port}/{name}"

    def stop(self, timeout: float = 30.0) -> None:
        """Shut the server down (SIGINT: fast shutdown) and delete its data."""
        self._halt(signal.SIGINT, timeout)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
