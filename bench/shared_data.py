"""Where the benchmarks find ``../shared``: the data sets and the shared scorers.

The data and the scorers are read in place (never copied into the repo); the scorers are
imported from their files so every team measures with one metric.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from tidings.core.environment import read_environment

REPO = Path(__file__).resolve().parent.parent


def data_root() -> Path:
    """``$TIDINGS_DATA_DIR`` or ``<repo>/../shared/data`` (the repo may live anywhere)."""
    return read_environment()["TIDINGS_DATA_DIR"] or REPO.parent / "shared" / "data"


def load_scorer(filename: str, data_dir: Path) -> ModuleType:
    """The shared scorer ``filename`` (e.g. ``extraction_score.py``), from the ``tools`` folder
    beside the data (``data_dir`` is a folder of sets or one set) or in ``../shared/tools``."""
    candidates = [data_dir.parent / "tools" / filename,
                  data_dir.parent.parent / "tools" / filename,
                  REPO.parent / "shared" / "tools" / filename]  # fmt: skip
    for path in candidates:
        if path.is_file():
            spec = importlib.util.spec_from_file_location(path.stem, path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise SystemExit(f"{filename} not found in {[str(p) for p in candidates]}")
