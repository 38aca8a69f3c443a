"""Query-string values of UI pages, parsed with an error that names the field."""

from __future__ import annotations

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.timeutil import parse_iso

DAY_US = 86_400_000_000


def time_param(value: str, name: str, *, end_of_day: bool = False) -> int | None:
    """An ISO date or datetime in µs; a bare date as an upper bound includes that whole day."""
    if not value:
        return None
    try:
        us = parse_iso(value)
    except ValueError:
        raise InvalidRequestError(f"{name}: not a date or time: {value!r}") from None
    return us + DAY_US - 1 if end_of_day and len(value.strip()) == 10 else us


def int_param(value: str, name: str, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        raise InvalidRequestError(f"{name} must be a whole number, got {value!r}") from None
