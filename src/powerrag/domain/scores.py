"""What a score's value is, once: its rules per data type and how it reads back.

Scores come from the API (JSON values), the SDKs' batches and the UI's annotation
form (text); all of them are checked by `typed_value`.
"""

from __future__ import annotations

import math
from typing import Any

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.records import SCORE_DATA_TYPES

MAX_TEXT_SCORE = 500
# ScoreV1 (the score of the v1 reads) requires a traceId and has no CORRECTION variant.
V1_DATA_TYPES = ("NUMERIC", "CATEGORICAL", "BOOLEAN", "TEXT")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def typed_value(data_type: str | None, value: Any) -> tuple[str, float | None, str | None]:
    """(data type, number, label) of a score value; InvalidRequestError says what is wrong.

    Without a data type a string is CATEGORICAL and anything else NUMERIC, as in Langfuse.
    A category's number is 0 (spec: CategoricalScore.value without a config).
    """
    number = _number(value)
    if data_type is None:
        data_type = "CATEGORICAL" if isinstance(value, str) else "NUMERIC"
    if data_type not in SCORE_DATA_TYPES:
        raise InvalidRequestError(
            f"score.dataType must be one of {', '.join(SCORE_DATA_TYPES)}, got {data_type!r}"
        )
    if data_type == "NUMERIC":
        if number is None:
            raise InvalidRequestError(
                f"a NUMERIC score needs a finite number as value, got {value!r}"
            )
        return data_type, number, None
    if data_type == "BOOLEAN":
        if number not in (0.0, 1.0):
            raise InvalidRequestError(f"a BOOLEAN score's value must be 0 or 1, got {value!r}")
        return data_type, number, "True" if number == 1.0 else "False"
    if not isinstance(value, str) or (data_type == "CATEGORICAL" and not value.strip()):
        raise InvalidRequestError(f"a {data_type} score needs a string as value, got {value!r}")
    if data_type in ("TEXT", "CORRECTION"):
        if data_type == "TEXT" and not 1 <= len(value) <= MAX_TEXT_SCORE:
            raise InvalidRequestError("a TEXT score's value must have 1 to 500 characters")
        return data_type, None, value
    return data_type, 0.0, value


def value_from_text(data_type: str, text: str) -> Any:
    """A value typed into a form, as the JSON value `typed_value` takes for this data type."""
    if data_type == "NUMERIC":
        try:
            return float(text)
        except ValueError:
            raise InvalidRequestError(f"a numeric score needs a number, got {text!r}") from None
    if data_type == "BOOLEAN":
        if text.lower() not in ("true", "false", "1", "0"):
            raise InvalidRequestError(f"a boolean score is true or false, got {text!r}")
        return text.lower() in ("true", "1")
    return text.strip()


def shown_value(data_type: str, value: float | None, label: str | None) -> Any:
    """The value as a reader expects it: a number, a boolean, or the label."""
    if data_type == "NUMERIC":
        return value
    if data_type == "BOOLEAN":
        return None if value is None else bool(value)
    return label


def is_v1(trace_id: str | None, data_type: str) -> bool:
    """ScoreV1 requires a traceId and has no CORRECTION variant (spec: ScoreV1)."""
    return bool(trace_id) and data_type in V1_DATA_TYPES
