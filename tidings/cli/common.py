"""Helpers shared by command modules: settings from ``--home`` and input-file checks."""

from __future__ import annotations

import argparse
from pathlib import Path

from tidings.cli.errors import UsageError
from tidings.core.config import Settings


def settings_from(args: argparse.Namespace, **overrides: object) -> Settings:
    """Settings from the environment, with ``--home`` (and given overrides) applied; a bad
    ``TIDINGS_*`` value is a one-line usage error."""
    try:
        return Settings.from_env(home=getattr(args, "home", None), **overrides)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def existing_file(path: str | Path, what: str = "file") -> Path:
    """``path`` as a Path if it is a readable file, else a UsageError naming it."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"{what} not found: {p}")
    return p


def open_tagger(settings: Settings):  # -> classifier.tagger.Tagger
    """Load the topic model and entity extractor named by the settings (the CLI ties them in)."""
    from classifier.tagger import Tagger

    if not settings.model_dir.is_dir():
        raise UsageError(f"model directory not found: {settings.model_dir}")
    return Tagger.load(settings.model_dir)
