"""What the read queries accept: filters, ordering and paging, as plain values.

The query layer parses request parameters into these; the `read_*` modules turn
them into SQL. Times are microseconds; `None` or an empty tuple means "any".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson
from sqlalchemy import ColumnElement, String, and_, cast, or_, true
from sqlalchemy.sql.elements import ColumnClause

# Columns a trace list may be ordered by (Langfuse `orderBy` field names, snake_cased).
TRACE_ORDER_FIELDS = (
    "id",
    "timestamp",
    "name",
    "user_id",
    "release",
    "version",
    "public",
    "bookmarked",
    "session_id",
)


# ScoreV1 (the score of the v1 reads) requires a traceId and has no CORRECTION variant.
V1_SCORE_DATA_TYPES = ("NUMERIC", "CATEGORICAL", "BOOLEAN", "TEXT")


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int = 1
    limit: int = 50

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@dataclass(frozen=True, slots=True)
class TimeRange:
    """`start` inclusive, `end` exclusive, as Langfuse's from/to parameters."""

    start: int | None = None
    end: int | None = None

    def where(self, column: ColumnElement[int]) -> ColumnElement[bool]:
        conditions = []
        if self.start is not None:
            conditions.append(column >= self.start)
        if self.end is not None:
            conditions.append(column < self.end)
        return and_(true(), *conditions)


@dataclass(frozen=True, slots=True)
class SessionFilter:
    created: TimeRange = field(default_factory=TimeRange)
    environments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TraceFilter:
    name: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    tags: tuple[str, ...] = ()
    timestamp: TimeRange = field(default_factory=TimeRange)
    environments: tuple[str, ...] = ()
    version: str | None = None
    release: str | None = None


@dataclass(frozen=True, slots=True)
class TraceOrder:
    field: str = "timestamp"
    descending: bool = True


@dataclass(frozen=True, slots=True)
class ObservationFilter:
    name: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    types: tuple[str, ...] = ()
    trace_id: str | None = None
    level: str | None = None
    parent_observation_id: str | None = None
    is_root: bool | None = None
    environments: tuple[str, ...] = ()
    start_time: TimeRange = field(default_factory=TimeRange)
    version: str | None = None


@dataclass(frozen=True, slots=True)
class ObservationCursor:
    """The last row of a page in `start_time DESC, trace_id DESC, id DESC` order."""

    start_time: int
    trace_id: str
    id: str


@dataclass(frozen=True, slots=True)
class ScoreFilter:
    user_id: str | None = None
    name: str | None = None
    timestamp: TimeRange = field(default_factory=TimeRange)
    environments: tuple[str, ...] = ()
    source: str | None = None
    # (operator, value), operator one of < > <= >= = !=
    value: tuple[str, float] | None = None
    score_ids: tuple[str, ...] = ()
    config_id: str | None = None
    session_id: str | None = None
    dataset_run_id: str | None = None
    trace_id: str | None = None
    observation_ids: tuple[str, ...] = ()
    queue_id: str | None = None
    data_type: str | None = None
    trace_tags: tuple[str, ...] = ()
    # The v1 reads: only scores ScoreV1 can show (of a trace, of a type it knows).
    v1_only: bool = False


@dataclass(frozen=True, slots=True)
class ScoreV3Filter:
    """The v3 list's filters: each tuple is "any of" (comma lists), all filters must hold."""

    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    data_types: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    config_ids: tuple[str, ...] = ()
    queue_ids: tuple[str, ...] = ()
    author_user_ids: tuple[str, ...] = ()
    numeric_values: tuple[float, ...] = ()
    string_values: tuple[str, ...] = ()
    value_min: float | None = None
    value_max: float | None = None
    trace_ids: tuple[str, ...] = ()
    session_ids: tuple[str, ...] = ()
    observation_ids: tuple[str, ...] = ()
    dataset_run_ids: tuple[str, ...] = ()
    timestamp: TimeRange = field(default_factory=TimeRange)


@dataclass(frozen=True, slots=True)
class ScoreCursor:
    """The last row of a page in `timestamp DESC, id DESC` order."""

    timestamp: int
    id: str


def equals(
    column: ColumnElement[str] | ColumnClause[str], value: str | None
) -> ColumnElement[bool]:
    return true() if value is None else column == value


def one_of(
    column: ColumnElement[str] | ColumnClause[str], values: tuple[str, ...]
) -> ColumnElement[bool]:
    return true() if not values else column.in_(values)


def has_all_tags(tags_column: ColumnElement[str], tags: tuple[str, ...]) -> ColumnElement[bool]:
    """Tags are stored as a JSON array text: look for each tag's JSON-quoted form."""
    conditions = []
    for tag in tags:
        quoted = orjson.dumps(tag).decode()
        escaped = quoted.replace("!", "!!").replace("%", "!%").replace("_", "!_")
        conditions.append(cast(tags_column, String).like(f"%{escaped}%", escape="!"))
    return and_(true(), *conditions)


def after_cursor(
    start_time: ColumnElement[int],
    trace_id: ColumnElement[str],
    obs_id: ColumnElement[str],
    cursor: ObservationCursor | None,
) -> ColumnElement[bool]:
    """Rows strictly after the cursor in descending (start_time, trace_id, id) order."""
    if cursor is None:
        return true()
    return or_(
        start_time < cursor.start_time,
        and_(start_time == cursor.start_time, trace_id < cursor.trace_id),
        and_(
            start_time == cursor.start_time,
            trace_id == cursor.trace_id,
            obs_id < cursor.id,
        ),
    )
