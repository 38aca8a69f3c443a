"""What a read may ask for, one filter type per noun: criteria, ordering, paging, cursors.

The API and the UI parse their parameters into these; `store` turns them into SQL.
Times are microseconds since the epoch; `None` or an empty tuple means "any".
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
# What the sessions list may be sorted by (the UI's column headers).
SESSION_SORTS = (
    "id",
    "created",
    "last_activity",
    "duration",
    "traces",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cost",
    "errors",
)
# Comparisons the v2 scores list accepts for `value` (with `operator`).
VALUE_OPERATORS = ("<", ">", "<=", ">=", "=", "!=")


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


@dataclass(frozen=True, slots=True)
class TraceFilter:
    """Criteria of a trace list. The UI's: `level`; `text`, words searched in the trace's
    name, id, input and output and its observations' (domain/search.py); `user_contains`
    and `environment_contains`, case-insensitive parts of the user id and environment."""

    name: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    tags: tuple[str, ...] = ()
    timestamp: TimeRange = field(default_factory=TimeRange)
    environments: tuple[str, ...] = ()
    version: str | None = None
    release: str | None = None
    level: str | None = None
    text: str | None = None
    user_contains: str | None = None
    environment_contains: str | None = None
    # The API's JSON filter (api/json_filters.py): any of these ids, any of these tags.
    ids: tuple[str, ...] = ()
    tags_any: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TraceOrder:
    field: str = "timestamp"
    descending: bool = True


@dataclass(frozen=True, slots=True)
class ScoreCondition:
    """Sessions by one score name, over their own scores and their traces' (the UI's):
    the mean of its numeric and boolean values within [minimum, maximum], or one
    categorical value among them; with neither, any score of that name."""

    name: str
    minimum: float | None = None
    maximum: float | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class SessionFilter:
    """Criteria of a session list.

    `created` bounds the first trace (the API's from/to); `active` keeps sessions whose
    activity overlaps the range (the UI's). `user_id` is one of the session's users,
    exactly. The UI's too: `bookmarked`; `text`, words each
    found in some trace of the session (its name, input, output, its observations' names,
    input, output and error messages: domain/search.py); `id_contains`, `user_contains` and
    `environment_contains`, case-insensitive parts of the id, a user id, the environment.
    """

    created: TimeRange = field(default_factory=TimeRange)
    active: TimeRange = field(default_factory=TimeRange)
    environments: tuple[str, ...] = ()
    user_id: str | None = None
    bookmarked: bool = False
    id_contains: str | None = None
    text: str | None = None
    # "active" or "ended" (docs/evaluation.md); None for both.
    status: str | None = None
    user_contains: str | None = None
    environment_contains: str | None = None
    score: ScoreCondition | None = None


SESSION_STATUSES = ("active", "ended")


@dataclass(frozen=True, slots=True)
class SessionOrder:
    """Newest first by default; ties are broken by id in the same direction."""

    sort: str = "created"
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
    ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ObservationCursor:
    """The last row of a page in `start_time DESC, trace_id DESC, id DESC` order."""

    start_time: int
    trace_id: str
    id: str


@dataclass(frozen=True, slots=True)
class ScoreFilter:
    """Criteria of a score list: each tuple is "any of", and every criterion must hold.

    `user_id` and `trace_tags` are the score's trace's; `value` is an (operator, number)
    comparison; `v1_only` keeps the scores ScoreV1 can show (of a trace, of a type it knows).
    """

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
    value: tuple[str, float] | None = None
    trace_ids: tuple[str, ...] = ()
    session_ids: tuple[str, ...] = ()
    observation_ids: tuple[str, ...] = ()
    dataset_run_ids: tuple[str, ...] = ()
    timestamp: TimeRange = field(default_factory=TimeRange)
    user_id: str | None = None
    trace_tags: tuple[str, ...] = ()
    v1_only: bool = False


@dataclass(frozen=True, slots=True)
class ScoreCursor:
    """The last row of a page in `timestamp DESC, id DESC` order."""

    timestamp: int
    id: str
