"""Query-string values of UI pages parsed into `domain.filters`, with errors naming the field."""

from __future__ import annotations

from typing import Protocol

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.filters import (
    SESSION_SORTS,
    SESSION_STATUSES,
    PageRequest,
    ScoreCondition,
    SessionFilter,
    SessionOrder,
    TimeRange,
    TraceFilter,
)
from powerrag.domain.records import LEVELS
from powerrag.domain.search import parse_query
from powerrag.domain.timeutil import parse_iso

DAY_US = 86_400_000_000
PAGE_SIZES = (25, 50, 100)
TRACES_PAGE_SIZE = 50
SESSION_FILTER_KEYS = (
    "from",
    "to",
    "user",
    "environment",
    "bookmarked",
    "id",
    "q",
    "status",
    "score",
    "score_min",
    "score_max",
    "score_value",
)
TRACE_FILTER_KEYS = ("name", "user", "session", "tag", "environment", "level", "from", "to", "q")
# The largest page number whose offset still fits the database's 64-bit integers.
MAX_PAGE = 2**63 // max(PAGE_SIZES)


class Query(Protocol):
    def get(self, key: str, default: str) -> str: ...


def time_param(value: str, name: str, *, end: bool = False) -> int | None:
    """An ISO date or datetime in µs; a bare date as an end bound includes that whole day."""
    if not value:
        return None
    try:
        us = parse_iso(value)
    except ValueError:
        raise InvalidRequestError(f"{name}: not a date or time: {value!r}") from None
    return us + DAY_US if end and len(value.strip()) == 10 else us


def int_param(value: str, name: str, default: int, *, low: int = 0, high: int = 2**62) -> int:
    try:
        number = int(value) if value else default
    except ValueError:
        raise InvalidRequestError(f"{name} must be a whole number, got {value!r}") from None
    if not low <= number <= high:
        raise InvalidRequestError(f"{name} must be between {low} and {high}, got {number}")
    return number


def required_param(q: Query, name: str) -> str:
    """A query-string value that must be there (the session a replay part is of)."""
    value = q.get(name, "")
    if not value:
        raise InvalidRequestError(f"{name} is required: the query string has no {name}=…")
    return value


def _range(q: Query) -> TimeRange:
    return TimeRange(
        time_param(q.get("from", ""), "from"), time_param(q.get("to", ""), "to", end=True)
    )


def _text(q: Query, key: str) -> str | None:
    return q.get(key, "").strip() or None


def _search(q: Query) -> str | None:
    """The search box's words, checked here so a bad query is the page's 400."""
    text = _text(q, "q")
    if text is not None:
        parse_query(text)
    return text


def session_list(q: Query) -> tuple[SessionFilter, SessionOrder, PageRequest]:
    f = SessionFilter(
        active=_range(q),
        user_contains=_text(q, "user"),
        environment_contains=_text(q, "environment"),
        bookmarked=q.get("bookmarked", "") == "1",
        id_contains=_text(q, "id"),
        text=_search(q),
        status=_status(q),
        score=_score(q),
    )
    sort = q.get("sort", "last_activity")
    if sort not in SESSION_SORTS:
        raise InvalidRequestError(
            f"cannot sort sessions by {sort!r}; use one of {', '.join(SESSION_SORTS)}"
        )
    size = int_param(q.get("size", ""), "size", 50)
    if size not in PAGE_SIZES:
        raise InvalidRequestError(f"page size must be one of {PAGE_SIZES}")
    page = int_param(q.get("page", ""), "page", 1, low=1, high=MAX_PAGE)
    return f, SessionOrder(sort, q.get("order", "desc") != "asc"), PageRequest(page, size)


def _status(q: Query) -> str | None:
    status = _text(q, "status")
    if status is not None and status not in SESSION_STATUSES:
        raise InvalidRequestError(f"status is one of {', '.join(SESSION_STATUSES)}, got {status!r}")
    return status


def number_param(q: Query, key: str) -> float | None:
    """A form or query field as a finite number; None when empty."""
    text = _text(q, key)
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        raise InvalidRequestError(f"{key} must be a number, got {text!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidRequestError(f"{key} must be a finite number, got {text!r}")
    return number


def _score(q: Query) -> ScoreCondition | None:
    """The score filter: a name, then an average range or a categorical value."""
    name = _text(q, "score")
    low, high, value = (
        number_param(q, "score_min"),
        number_param(q, "score_max"),
        _text(q, "score_value"),
    )
    if name is None:
        given = [k for k in ("score_min", "score_max", "score_value") if _text(q, k)]
        if given:
            raise InvalidRequestError(f"{given[0]} needs score, the name of the score")
        return None
    if value is not None and (low is not None or high is not None):
        raise InvalidRequestError(
            "score_value (a category) and score_min/score_max (an average) exclude each other"
        )
    if low is not None and high is not None and low > high:
        raise InvalidRequestError(f"score_min ({low:g}) is above score_max ({high:g})")
    return ScoreCondition(name, low, high, value)


MAX_SCORE_COLUMNS = 10


def score_columns(chosen: list[str], f: SessionFilter) -> list[str]:
    """The score names shown as columns of the sessions list (`col`, repeated), and the
    filtered one; at most MAX_SCORE_COLUMNS."""
    names = [n.strip() for n in chosen if n.strip()]
    if f.score is not None:
        names.append(f.score.name)
    names = list(dict.fromkeys(names))
    if len(names) > MAX_SCORE_COLUMNS:
        raise InvalidRequestError(
            f"col: at most {MAX_SCORE_COLUMNS} score columns, got {len(names)}"
        )
    return names


def trace_list(q: Query) -> tuple[TraceFilter, PageRequest]:
    level = _text(q, "level")
    if level is not None and level not in LEVELS:
        raise InvalidRequestError(f"level is one of {', '.join(LEVELS)}, got {level!r}")
    f = TraceFilter(
        name=_text(q, "name"),
        user_contains=_text(q, "user"),
        session_id=_text(q, "session"),
        tags=tuple(filter(None, [q.get("tag", "").strip()])),
        environment_contains=_text(q, "environment"),
        level=level,
        timestamp=_range(q),
        text=_search(q),
    )
    page = int_param(q.get("page", ""), "page", 1, low=1, high=MAX_PAGE)
    return f, PageRequest(page, TRACES_PAGE_SIZE)
