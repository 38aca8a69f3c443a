"""LIKE patterns for searching inside stored JSON text, Chinese included.

Input and output are JSON text as the SDK sent it: orjson keeps non-ASCII as is,
Python's json.dumps escapes it as \\uXXXX. A phrase therefore matches either form.
"""

from __future__ import annotations

import json

import orjson
from sqlalchemy import ColumnElement, or_
from sqlalchemy.sql.elements import ColumnClause

LIKE_ESCAPE = "!"


def _escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def phrase_forms(phrase: str) -> list[str]:
    """The phrase as it can appear inside JSON text: raw, JSON-escaped, ASCII-escaped."""
    forms = [phrase, orjson.dumps(phrase).decode()[1:-1], json.dumps(phrase)[1:-1]]
    return list(dict.fromkeys(forms))


def contains_phrase(
    columns: list[ColumnClause[str] | ColumnElement[str]], phrase: str
) -> ColumnElement[bool]:
    """True where any column holds the phrase in any of its JSON forms (case-insensitive)."""
    patterns = [f"%{_escape_like(form)}%" for form in phrase_forms(phrase)]
    return or_(*(col.ilike(p, escape=LIKE_ESCAPE) for col in columns for p in patterns))
