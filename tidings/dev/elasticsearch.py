"""A throwaway single-node Elasticsearch on loopback, without Docker.

Why: the Elasticsearch backend must answer real requests in tests, CI and on a developer's
machine, and Docker does not run everywhere. Elastic publishes a runnable node for integration
tests on Maven Central (``org.elasticsearch.distribution.integ-test-zip``: no bundled JDK, no
X-Pack security). This module fetches it with ``mvn`` (the ordinary client, by coordinates),
unpacks it into a cache folder outside the repository, and runs it as an unprivileged user
(Elasticsearch refuses root) bound to 127.0.0.1 on a free port, with its config, data, logs and
temp files in one temporary folder that :meth:`ElasticsearchNode.stop` removes.

``tidings dev elasticsearch`` runs one from the command line; the test suite's session fixture
uses :class:`ElasticsearchNode` directly.
"""


from __future__ import annotations

import atexit
import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from types import TracebackType

from tidings.core.environment import read_environment

#: The release the official 8.x Python client supports and Maven Central serves (checked).
DEFAULT_VERSION = "8.19.7"
DEFAULT_HEAP = "512m"
ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
#: Debian's ``hunspell-en-us`` dictionary (``.aff`` + ``.dic``), installed into the node if present.
HUNSPELL_EN = Path("/usr/share/hunspell/en_US")
#: The account the node runs as when we are root.
SERVICE_USER = "tidings-es"


class NodeError(RuntimeError):
    """The node could not be fetched, started or reached; the message says which step failed."""


def cache_root() -> Path:
    """Where unpacked releases live: ``$TIDINGS_ES_CACHE``, else a folder the node's user can read.

    As root, ``~`` (``/root``) is private, so the unprivileged node could not read its own
    install there; ``/var/cache`` is the system-wide cache instead.
    """
    if configured := read_environment()["TIDINGS_ES_CACHE"]:
        return configured
    if os.geteuid() == 0:
        return Path("/var/cache/tidings/elasticsearch")
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tidings" / "elasticsearch"


def java_home() -> Path:
    """``$ES_JAVA_HOME``/``$JAVA_HOME`` if set, else the JDK behind ``java`` on ``PATH``."""
    for name in ("ES_JAVA_HOME", "JAVA_HOME"):
        if value := os.environ.get(name):
            return Path(value)
    java = shutil.which("java")
    if java is None:
        raise NodeError("no Java found: install a JDK 17+ (Debian: openjdk-17-jre-headless)")
    return Path(java).resolve().parent.parent


def _unpack(archive: Path, dest: Path) -> None:
    """Extract ``archive`` keeping the executable bits (``zipfile`` alone drops them)."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = Path(zf.extract(info, dest))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                target.chmod(mode)


def install(version: str = DEFAULT_VERSION) -> Path:
    """The Elasticsearch home for ``version``, fetched with ``mvn`` and unpacked on first use."""
    home = cache_root() / version
    if (home / "bin" / "elasticsearch").exists():
        return home
    mvn = shutil.which("mvn")
    if mvn is None:
        raise NodeError("mvn not found: install Maven (Debian: maven) to fetch Elasticsearch")
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home.parent) as tmp:
        command = [
            mvn, "-B", "-q", "dependency:copy",
            f"-Dartifact={ARTIFACT.format(version=version)}", f"-DoutputDirectory={tmp}",
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp, check=False)
        archives = list(Path(tmp).glob("*.zip"))
        if done.returncode != 0 or not archives:
            raise NodeError(f"{' '.join(command)} failed: {(done.stdout + done.stderr)[-2000:]}")
        unpacked = Path(tmp) / "unpacked"
        _unpack(archives[0], unpacked)
        (top,) = unpacked.iterdir()  # elasticsearch-<version>/
        if os.geteuid() == 0:
            _make_world_readable(top)
        try:
            top.rename(home)
        except OSError:  # another process unpacked it first
            if not (home / "bin" / "elasticsearch").exists():
                raise
    return home


def _make_world_readable(root: Path) -> None:
    """Let the unprivileged node read (and run) an install that root unpacked."""
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        extra = 0o055 if path.is_dir() or mode & 0o100 else 0o044
        path.chmod(mode | extra)


def _service_account() -> tuple[int, int] | None:
    """``(uid, gid)`` to run the node as, creating the account when we are root; None otherwise."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        command = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin"]
        done = subprocess.run([*command, SERVICE_USER], capture_output=True, text=True)
        if done.returncode != 0 and "already exists" not in done.stderr:
            raise NodeError(f"useradd {SERVICE_USER} failed: {done.stderr.strip()}") from None
        entry = pwd.getpwnam(SERVICE_USER)
    return entry.pw_uid, entry.pw_gid


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ElasticsearchNode:
    """One single-node cluster on 127.0.0.1; a context manager that always stops it.

    :meth:`kill` and :meth:`start` again (same port, same data) let fault tests take the node
    away and bring it back.
    """

    def __init__(
        self,
        version: str = DEFAULT_VERSION,
        *,
        heap: str = DEFAULT_HEAP,
        port: int | None = None,
        startup_timeout: float = 300.0,
    ) -> None:
        self.version = version
        self.heap = heap
        self.port = port or free_port()
        self.transport_port = free_port()
        self.startup_timeout = startup_timeout
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> ElasticsearchNode:
        """Start the node (installing it first if needed) and wait until it is yellow or green."""
        home = install(self.version)
        account = _service_account()
        if self.workdir is None:
            self.workdir = self._prepare_workdir(home, account)
        env = {
            **os.environ,
            "ES_JAVA_HOME": str(java_home()),
            "ES_PATH_CONF": str(self.workdir / "config"),
            "ES_TMPDIR": str(self.workdir / "tmp"),
            "ES_JAVA_OPTS": f"-Xms{self.heap} -Xmx{self.heap}",
        }
        settings = {
            "discovery.type": "single-node",
            "network.host": "127.0.0.1",
            "http.port": self.port,
            "transport.port": self.transport_port,
            "path.data": self.workdir / "data",
            "path.logs": self.workdir / "logs",
            "cluster.name": f"tidings-dev-{self.port}",
            # Shared disks fill up; a watermark would silently turn indexes read-only.
            "cluster.routing.allocation.disk.threshold_enabled": "false",
            # The integ-test build has no TLS certificates: plain HTTP on loopback, no logins.
            "xpack.security.enabled": "false",
        }
        command = [str(home / "bin" / "elasticsearch")]
        command += [f"-E{key}={value}" for key, value in settings.items()]
        log = (self.workdir / "stdout.log").open("ab")
        self.process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: stop() signals the JVM and its helpers
            user=account[0] if account else None,
            group=account[1] if account else None,
            extra_groups=[] if account else None,
        )
        log.close()
        atexit.register(self.kill)  # never outlive the process that started it
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _prepare_workdir(self, home: Path, account: tuple[int, int] | None) -> Path:
        workdir = Path(tempfile.mkdtemp(prefix="tidings-es-"))
        shutil.copytree(home / "config", workdir / "config")
        if HUNSPELL_EN.with_suffix(".dic").exists():
            # This build lacks analysis-common (no english analyzer, no stemmer); hunspell is
            # in the server itself, so the backend stems with Debian's dictionary instead.
            target = workdir / "config" / "hunspell" / "en_US"
            target.mkdir(parents=True)
            for suffix in (".aff", ".dic"):
                shutil.copy(HUNSPELL_EN.with_suffix(suffix), target)
        for name in ("data", "logs", "tmp"):
            (workdir / name).mkdir()
        if account:
            for path in [workdir, *workdir.rglob("*")]:
                os.chown(path, *account)
        return workdir

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        health = f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=5s"
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise NodeError(f"Elasticsearch exited during start-up:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(health, timeout=10) as response:
                    if json.load(response).get("status") in ("yellow", "green"):
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass
            time.sleep(0.5)
        raise NodeError(f"Elasticsearch not ready after {self.startup_timeout:.0f} s")

    def log_tail(self, lines: int = 40) -> str:
        """The end of the node's console output (for start-up failures)."""
        if self.workdir is None or not (self.workdir / "stdout.log").exists():
            return ""
        text = (self.workdir / "stdout.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _signal(self, sig: signal.Signals) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        """SIGKILL the node (a crash: no shutdown hooks); its data stays for :meth:`start`."""
        self._signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    def stop(self, timeout: float = 30.0) -> None:
        """Shut the node down (SIGTERM, then SIGKILL) and delete its data."""
        if self.process is not None:
            self._signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None
        atexit.unregister(self.kill)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> ElasticsearchNode:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
