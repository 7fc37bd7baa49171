"""Marshmallow fields for query parameters: strict parsing that also documents itself.

Each field both validates a value and carries the JSON Schema keywords (type, limits, enum,
pattern) that apispec writes into the OpenAPI document, so the spec cannot drift from the checks.
A single-valued parameter given twice arrives as a list (see :class:`QuerySchema`) and is
rejected by the field, so every error names its parameter. Dates and choice lists also dump
back as the URL text they parse from (see :func:`search_api.params.to_args`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from tidings.core.article import parse_iso

#: Dates outside this range are rejected (index backends cannot represent all of year 1-9999).
MIN_DATE = datetime(1800, 1, 1, tzinfo=UTC)
MAX_DATE = datetime(2200, 1, 1, tzinfo=UTC)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The same rule as a JSON Schema pattern, for the OpenAPI document.
PRINTABLE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_INT_RE = re.compile(r"[0-9]{1,6}")
_ONCE = "may be given only once"


def _single(value: Any) -> str:
    if isinstance(value, list):
        raise ValidationError(_ONCE)
    if not isinstance(value, str):
        raise ValidationError("must be a string")
    return value


class Text(fields.String):
    """Free text up to ``max_len`` characters, without control characters."""

    def __init__(self, max_len: int, *, strip: bool = False, **kwargs: Any) -> None:
        kwargs["metadata"] = {
            "maxLength": max_len,
            "pattern": PRINTABLE_PATTERN,
            **kwargs.get("metadata", {}),
        }
        super().__init__(**kwargs)  # checked in _deserialize; metadata documents it
        self.max_len = max_len
        self.strip = strip

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _single(value)
        if len(text) > self.max_len:
            raise ValidationError(f"longer than {self.max_len} characters")
        if CONTROL_RE.search(text):
            raise ValidationError("contains control characters")
        return text.strip() if self.strip else text


class Choice(fields.String):
    """One of a fixed set of words (documented as an enum)."""

    def __init__(self, choices: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(validate=validate.OneOf(choices), **kwargs)
        self.choices = choices

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _single(value)
        if text not in self.choices:
            raise ValidationError(f"must be one of: {', '.join(self.choices)}")
        return text


class Values(fields.List):
    """A repeatable parameter (``?topic=a&topic=b``): trimmed, de-duplicated, empty ones dropped."""

    def __init__(self, max_len: int, max_count: int, **kwargs: Any) -> None:
        item = fields.String(metadata={"maxLength": max_len, "pattern": PRINTABLE_PATTERN})
        kwargs["metadata"] = {"maxItems": max_count, **kwargs.get("metadata", {})}
        super().__init__(item, **kwargs)
        self.max_len = max_len
        self.max_count = max_count

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:  # type: ignore[override]
        raw = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in raw):
            raise ValidationError("each value must be a string")
        # Counted before empty ones are dropped: the documented maxItems bounds the request.
        if len(raw) > self.max_count:
            raise ValidationError(f"given more than {self.max_count} times")
        values = [v.strip() for v in raw if v.strip()]
        for v in values:
            if len(v) > self.max_len or CONTROL_RE.search(v):
                raise ValidationError(
                    f"each value must be at most {self.max_len} printable characters"
                )
        return tuple(dict.fromkeys(values))


class Choices(fields.List):
    """A repeatable choice (``?facet=a&facet=b``, or ``?facet=a,b``): each value one of
    ``choices`` (documented as an enum), de-duplicated, in the order given; empty ones dropped."""

    def __init__(self, choices: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(fields.String(validate=validate.OneOf(choices)), **kwargs)
        self.choices = choices

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:  # type: ignore[override]
        raw = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in raw):
            raise ValidationError("each value must be a string")
        values = [part.strip() for v in raw for part in v.split(",") if part.strip()]
        if any(v not in self.choices for v in values):
            raise ValidationError(f"each value must be one of: {', '.join(self.choices)}")
        return tuple(dict.fromkeys(values))

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        """Comma-separated: one argument, and ``""`` (none) stays distinct from absent."""
        return None if value is None else ",".join(value)


class Count(fields.Integer):
    """A small whole number in ``[low, high]``, ASCII digits only (no ``1e3``, no ``²``)."""

    def __init__(self, low: int, high: int, **kwargs: Any) -> None:
        super().__init__(validate=validate.Range(min=low, max=high), **kwargs)
        self.low, self.high = low, high

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        text = _single(value).strip()
        reason = f"must be an integer from {self.low} to {self.high}"
        if not text and isinstance(self.load_default, int):
            return self.load_default
        if not _INT_RE.fullmatch(text):
            raise ValidationError(reason)
        number = int(text)
        if not self.low <= number <= self.high:
            raise ValidationError(reason)
        return number


class Flag(fields.Boolean):
    """``true``/``false`` (also ``1``/``0``, ``yes``/``no``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        text = _single(value).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off", ""):
            return False
        raise ValidationError("must be true or false")


class Aliased(Choice):
    """One of a fixed set of words, or an older spelling of one (``aliases``: spelling -> word).

    Both are documented in the enum; a request loads, dumps and echoes as the word, so one
    state has one spelling (``collapse=true`` reads as ``cluster``)."""

    def __init__(self, choices: tuple[str, ...], aliases: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__((*choices, *(a for a in aliases if a)), **kwargs)
        self.aliases = dict(aliases)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _single(value).strip().lower()
        return super()._deserialize(self.aliases.get(text, text), attr, data, **kwargs)


class DateBound(fields.String):
    """An ISO 8601 date or datetime in UTC; a bare date as an upper bound means its end."""

    REASON = "must be an ISO 8601 date (2024-05-01) or datetime (2024-05-01T12:00:00Z)"

    def __init__(self, *, end_of_day: bool, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})
        kwargs["metadata"].setdefault("examples", ["2024-05-01", "2024-05-01T12:00:00Z"])
        kwargs["metadata"].setdefault("maxLength", 40)  # documented; checked in parse_date
        kwargs["metadata"].setdefault(
            "anyOf", [{"format": "date"}, {"format": "date-time"}, {"maxLength": 0}]
        )
        super().__init__(**kwargs)
        self.end_of_day = end_of_day

    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> datetime | None:
        raw = _single(value).strip()
        if not raw:
            return None
        return parse_date(raw, end_of_day=self.end_of_day)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        """The bound as the user would type it: a bare day when it is a whole-day bound."""
        if value is None:
            return None
        end = self.end_of_day
        whole = (value.hour, value.minute, value.second) == ((23, 59, 59) if end else (0, 0, 0))
        if whole and value.microsecond == (999_999 if end else 0):
            return str(value.date().isoformat())
        return str(value.isoformat().replace("+00:00", "Z"))


def parse_date(raw: str, *, end_of_day: bool) -> datetime:
    """``raw`` as an aware UTC datetime (read by :func:`tidings.core.article.parse_iso`, the
    one date parser); ValidationError with the reason if it is not one or out of range."""
    if len(raw) > 40:
        raise ValidationError(DateBound.REASON)
    try:
        dt = parse_iso(raw, end_of_day=end_of_day)
    except ValueError as error:
        if str(error).startswith("date out of range"):
            raise ValidationError("is out of range") from None
        raise ValidationError(DateBound.REASON) from None
    if dt is None:
        raise ValidationError(DateBound.REASON)
    if not MIN_DATE <= dt <= MAX_DATE:
        raise ValidationError(f"must be between {MIN_DATE.year} and {MAX_DATE.year - 1}")
    return dt


class QuerySchema(Schema):
    """Base of query-string schemas: unknown parameters are ignored, repeats are kept.

    A parameter given more than once reaches a single-valued field as a list, which the field
    rejects ("may be given only once"); list fields get every value.
    """

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _flatten(self, data: Any, **kwargs: Any) -> dict[str, Any]:
        raw = getattr(data, "data", data)  # webargs' MultiDictProxy wraps the MultiDict
        if not hasattr(raw, "getlist"):
            return dict(raw) if isinstance(raw, Mapping) else {}
        multi = {f.data_key or name for name, f in self.fields.items() if isinstance(f, Values)}
        out: dict[str, Any] = {}
        for key in raw:
            values = raw.getlist(key)
            out[key] = values if key in multi or len(values) > 1 else values[0]
        return out
