"""Pass live objects (the tagger) through Scrapy settings without copying them.

Scrapy deep-copies its settings for every crawler; a tagger holding a spaCy pipeline and a
fitted model must not be copied (slow, and some parts cannot be).
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
