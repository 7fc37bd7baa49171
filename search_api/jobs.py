"""Crawl jobs started from the API: ``tidings crawl`` as a child process, tracked in files.

The API never imports the crawler: it runs the CLI. Each job writes ``<home>/jobs/<id>.json``
(command, pid, start), its output to ``<id>.log`` and its exit code to ``<id>.exit``, so any
gunicorn worker can report on a job another worker started. One crawl runs at a time: the
check for a running job and the start of a new one happen under an exclusive lock on
``jobs/.start.lock`` (workers are processes, so a file lock), and a job's JSON is written to a
temporary file and renamed into place, so a concurrent status read sees all of it or none.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

from tidings.core.article import utc_now
from tidings.core.files import locked, write_atomically

#: Runs the command, then records its exit code (written atomically, read by any worker).
_RUNNER = (
    "import os, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "tmp = sys.argv[1] + '.tmp'\n"
    "open(tmp, 'w').write(str(code))\n"
    "os.replace(tmp, sys.argv[1])\n"
)


class JobRunning(RuntimeError):
    """Another crawl job has not finished yet."""


def jobs_dir(home: Path) -> Path:
    return Path(home) / "jobs"


def start(home: Path, command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Start ``command`` in the background; :class:`JobRunning` if a crawl is still running."""
    folder = jobs_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    with locked(folder / "start"):
        running = [j for j in list_jobs(home) if j["status"] == "running"]
        if running:
            raise JobRunning(running[0]["id"])
        job_id = _spawn(folder, command, env)
    return status(home, job_id) or {"id": job_id}


def _spawn(folder: Path, command: list[str], env: dict[str, str]) -> str:
    """Start the job's process and record it; its id."""
    job_id = uuid.uuid4().hex[:16]
    log = folder / f"{job_id}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", _RUNNER, str(folder / f"{job_id}.exit"), *command],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            start_new_session=True,  # a worker restart does not kill the crawl
        )
    threading.Thread(target=proc.wait, daemon=True).start()  # reap it when it ends
    meta = {"id": job_id, "started_at": utc_now(), "command": command, "pid": proc.pid}
    write_atomically(folder / f"{job_id}.json", json.dumps(meta))
    return job_id


def status(home: Path, job_id: str) -> dict[str, Any] | None:
    """A job's state: running, finished (exit 0) or failed; None if there is no such job."""
    folder = jobs_dir(home)
    if not job_id.isalnum() or not (folder / f"{job_id}.json").is_file():
        return None
    meta = json.loads((folder / f"{job_id}.json").read_text(encoding="utf-8"))
    exit_file = folder / f"{job_id}.exit"
    code: int | None = None
    if exit_file.is_file():
        code = int(exit_file.read_text().strip() or 1)
        state = "finished" if code == 0 else "failed"
    else:
        state = "running" if _alive(int(meta.get("pid", 0))) else "failed"
    return {
        "id": job_id,
        "status": state,
        "started_at": meta.get("started_at"),
        "exit_code": code,
        "command": meta.get("command", []),
        "log": _tail(folder / f"{job_id}.log"),
    }


def list_jobs(home: Path) -> list[dict[str, Any]]:
    folder = jobs_dir(home)
    if not folder.is_dir():
        return []
    found = (status(home, p.stem) for p in sorted(folder.glob("*.json")))
    return [j for j in found if j is not None]


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", "replace")
