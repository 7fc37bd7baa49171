"""How the command line reports bad input: one line on stderr and exit code 2."""

from __future__ import annotations


class UsageError(Exception):
    """Bad arguments, missing or malformed input files: printed as one line, exit code 2."""


EXIT_USAGE = 2
