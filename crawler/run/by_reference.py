"""Live objects carried through Scrapy's settings uncopied.

Scrapy deep-copies its settings for every crawler; the tagger (a spaCy pipeline and a fitted
model) and the worker pool must reach the crawl's components as the very objects the CLI made
(copying is slow, and some parts cannot be copied). Its own module because both the settings
(which wrap) and the components that read them, the worker pool among them, import it.
"""

from __future__ import annotations

from typing import Any


class ByReference:
    """A settings value that deep-copies to itself."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __deepcopy__(self, memo: dict[int, Any]) -> ByReference:
        return self

    def __copy__(self) -> ByReference:
        return self


def unwrap(value: Any) -> Any:
    """The object behind a :class:`ByReference` (other values pass through)."""
    return value.value if isinstance(value, ByReference) else value
