"""SQL for the criteria of `domain.filters`: equality, lists, ranges, tags, phrases.

LIKE patterns are escaped in one place (`like_escaped`). Input and output are JSON
text as the SDK sent it: orjson keeps non-ASCII as is, Python's json.dumps escapes it
as \\uXXXX, so a phrase matches either form.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, String, and_, cast, or_, true

from powerrag.domain.filters import TimeRange

LIKE_ESCAPE = "!"


def like_escaped(text: str) -> str:
    """Text matched literally inside a LIKE pattern that uses `escape=LIKE_ESCAPE`."""
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def in_range(column: Any, span: TimeRange) -> ColumnElement[bool]:
    conditions = []
    if span.start is not None:
        conditions.append(column >= span.start)
    if span.end is not None:
        conditions.append(column < span.end)
    return and_(true(), *conditions)


def equals(column: Any, value: str | None) -> ColumnElement[bool]:
    return true() if value is None else column == value


def one_of(column: Any, values: Sequence[str | float]) -> ColumnElement[bool]:
    return true() if not values else column.in_(values)


def json_element(column: Any, value: str) -> ColumnElement[bool]:
    """A JSON array text column holding this string (matched in its JSON-quoted form)."""
    quoted = like_escaped(orjson.dumps(value).decode())
    return cast(column, String).like(f"%{quoted}%", escape=LIKE_ESCAPE)


def has_all(column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    """A JSON array text column holding every one of these strings."""
    return and_(true(), *(json_element(column, v) for v in values))


def phrase_forms(phrase: str) -> list[str]:
    """The phrase as it can appear inside JSON text: raw, JSON-escaped, ASCII-escaped."""
    forms = [phrase, orjson.dumps(phrase).decode()[1:-1], json.dumps(phrase)[1:-1]]
    return list(dict.fromkeys(forms))


def contains_phrase(columns: Sequence[Any], phrase: str) -> ColumnElement[bool]:
    """True where any column holds the phrase in any of its JSON forms (case-insensitive)."""
    patterns = [f"%{like_escaped(form)}%" for form in phrase_forms(phrase)]
    return or_(*(col.ilike(p, escape=LIKE_ESCAPE) for col in columns for p in patterns))


def contains_text(column: Any, text: str) -> ColumnElement[bool]:
    """A case-insensitive substring of a plain text column."""
    condition: ColumnElement[bool] = column.ilike(f"%{like_escaped(text)}%", escape=LIKE_ESCAPE)
    return condition
