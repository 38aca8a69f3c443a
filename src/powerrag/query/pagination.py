"""Paging for the read API: page/limit with Langfuse's meta, and opaque cursors."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

import orjson

from powerrag.domain.errors import InvalidRequestError
from powerrag.query.filters import Params, parse_int
from powerrag.store.read_filters import ObservationCursor, PageRequest, ScoreCursor

DEFAULT_LIMIT = 50
MAX_PAGE_LIMIT = 100
MAX_CURSOR_LIMIT = 1000
# SQL BIGINT: offsets and cursor times past it cannot reach the database (OverflowError, a 500).
BIGINT_MAX = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Paged:
    """One page of rows and the total that matched."""

    items: list[dict[str, Any]]
    page: PageRequest
    total: int


def parse_page(params: Params, max_limit: int = MAX_PAGE_LIMIT) -> PageRequest:
    """`page` >= 1 (default 1) and `limit` 1..max_limit (default 50), as Langfuse checks them."""
    page = parse_int(params, "page", 1)
    limit = parse_limit(params, max_limit)
    if page < 1:
        raise InvalidRequestError(f"page must be 1 or more, got {page}")
    if (page - 1) * limit > BIGINT_MAX:
        last = BIGINT_MAX // limit + 1
        raise InvalidRequestError(f"page must be at most {last} with limit {limit}, got {page}")
    return PageRequest(page=page, limit=limit)


def parse_limit(params: Params, max_limit: int) -> int:
    limit = parse_int(params, "limit", DEFAULT_LIMIT)
    if not 1 <= limit <= max_limit:
        raise InvalidRequestError(f"limit must be between 1 and {max_limit}, got {limit}")
    return limit


def _bigint(value: Any) -> int:
    number = int(value)
    if abs(number) > BIGINT_MAX:
        raise ValueError(f"{number} is out of range")
    return number


def encode_cursor(cursor: ObservationCursor) -> str:
    """Base64 of JSON, with Langfuse's key names (the start time kept in microseconds)."""
    doc = {
        "lastStartTimeTo": cursor.start_time,
        "lastTraceId": cursor.trace_id,
        "lastId": cursor.id,
    }
    return base64.b64encode(orjson.dumps(doc)).decode()


def decode_cursor(text: str | None) -> ObservationCursor | None:
    if not text:
        return None
    try:
        doc: Any = orjson.loads(base64.b64decode(text, validate=True))
        cursor = ObservationCursor(
            start_time=_bigint(doc["lastStartTimeTo"]),
            trace_id=str(doc["lastTraceId"]),
            id=str(doc["lastId"]),
        )
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InvalidRequestError(
            "cursor is not valid: pass the meta.cursor of a previous response unchanged"
        ) from None
    return cursor


def encode_score_cursor(cursor: ScoreCursor) -> str:
    """URL-safe base64 of JSON, as the v3 scores API describes its cursor."""
    doc = {"timestamp": cursor.timestamp, "id": cursor.id}
    return base64.urlsafe_b64encode(orjson.dumps(doc)).decode()


def decode_score_cursor(text: str | None) -> ScoreCursor | None:
    if not text:
        return None
    try:
        doc: Any = orjson.loads(base64.urlsafe_b64decode(text))
        return ScoreCursor(timestamp=_bigint(doc["timestamp"]), id=str(doc["id"]))
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InvalidRequestError(
            "cursor is not valid: pass the meta.cursor of a previous response unchanged"
        ) from None
