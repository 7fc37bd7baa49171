"""Helpers shared by command modules: settings from ``--home``/``--taxonomy``, input-file
checks, and the taxonomy and tagger every command loads the same way."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tidings.cli.errors import UsageError
from tidings.core.config import Settings


def port(value: str) -> int:
    """An argparse type for a TCP port: 0-65535 in ASCII digits (``int`` would take ``'٣'``,
    and a port past 65535 only fails at bind time, as a traceback)."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}")
    if int(text) > 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, not {text}")
    return int(text)


def settings_from(args: argparse.Namespace, **overrides: object) -> Settings:
    """Settings from the environment, with ``--home``/``--taxonomy`` (and given overrides)
    applied; a bad ``TIDINGS_*`` value is a one-line usage error."""
    given = {"home": getattr(args, "home", None), "taxonomy": getattr(args, "taxonomy", None)}
    try:
        return Settings.from_env(**{**given, **overrides})
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def existing_file(path: str | Path, what: str = "file") -> Path:
    """``path`` as a Path if it is a readable file, else a UsageError naming it."""
    p = Path(path)
    if p.is_dir():  # "not found" would send the user looking for something that is there
        raise UsageError(f"{what} is a directory, not a file: {p}")
    if p.exists() and not p.is_file():  # a pipe (<(zcat ...)) or a device: read once, or never
        raise UsageError(f"{what} is not a regular file (a pipe or device): {p}")
    if not p.is_file():
        raise UsageError(f"{what} not found: {p}")
    return p


def open_taxonomy(settings: Settings):  # -> tidings.core.taxonomy.Taxonomy
    """The taxonomy the settings name (a bad file is a usage error); its warnings go to stderr."""
    from tidings.core.taxonomy import TaxonomyError, load_taxonomy

    try:
        taxonomy = load_taxonomy(settings.taxonomy)
    except TaxonomyError as exc:
        raise UsageError(str(exc)) from None
    for warning in taxonomy.warnings:
        print(f"tidings: warning: {warning}", file=sys.stderr)
    return taxonomy


def open_tagger(settings: Settings, model_dir: Path | None = None):  # -> classifier.Tagger
    """The tagger for the settings' taxonomy and model (or ``model_dir``); the CLI ties the
    classifier in here, so crawl, import, demo and reclassify tag alike."""
    from classifier.artifact import ModelLoadError
    from classifier.tagger import Tagger

    model_dir = model_dir or settings.model_dir
    if not model_dir.is_dir():
        raise UsageError(f"model directory not found: {model_dir}")
    taxonomy = open_taxonomy(settings)
    try:
        return Tagger.load(model_dir, taxonomy)
    except ModelLoadError as exc:
        raise UsageError(str(exc)) from None


def check_index(settings: Settings, *, old_schema_ok: bool = False) -> None:
    """Stop now, in one line (exit 2), if the configured index cannot be used. Commands that
    would otherwise crawl or serve for minutes before their first index call ask this first.

    Elasticsearch: down or a wrong URL, refused credentials, not Elasticsearch. Embedded: an
    index built by an older version (another schema), which a crawl would otherwise meet only
    once Scrapy has started, in its pipeline; ``tidings reindex`` (``old_schema_ok``) rebuilds
    such an index itself."""
    from tidings.core.index import open_index

    if settings.index_backend != "elasticsearch":
        if not old_schema_ok and settings.index_dir.exists():
            open_index(settings).close()  # IndexSchemaError (IndexUnavailable): the one line
        return
    index = open_index(settings)
    try:
        index.check()  # IndexUnavailable: the CLI's one line
    finally:
        index.close()
