"""Stored rows as the readers return them: one frozen dataclass per noun.

JSON columns (tags, metadata, input, output, usage) stay the text that was stored;
the presenters parse what they show. Fields with defaults are those a query may
leave out (a trace's I/O when not asked for, a joined trace's context).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TraceRow:
    project_id: str
    id: str
    timestamp: int
    end_time: int | None
    name: str | None
    user_id: str | None
    session_id: str | None
    release: str | None
    version: str | None
    environment: str
    public: bool
    bookmarked: bool
    tags: str
    metadata: str | None
    root_observation_id: str | None
    observation_count: int
    error_count: int
    level: str
    input_tokens: float
    output_tokens: float
    total_tokens: float
    input_cost: float
    output_cost: float
    total_cost: float
    created_at: int
    updated_at: int
    # The trace's own I/O, else its root observation's (None when not read).
    input: str | None = None
    output: str | None = None


@dataclass(frozen=True, slots=True)
class SessionRow:
    project_id: str
    id: str
    created_at: int
    last_activity_at: int
    environment: str
    bookmarked: bool
    public: bool
    trace_count: int
    user_ids: str
    error_count: int
    input_tokens: float
    output_tokens: float
    total_tokens: float
    input_cost: float
    output_cost: float
    total_cost: float
    first_seen_at: int
    updated_at: int
    ended_at: int | None = None
    previous_id: str | None = None
    # A trace asked to end it (domain/session_end.py); the next pass does.
    end_requested: bool = False

    @property
    def status(self) -> str:
        return "ended" if self.ended_at is not None else "active"


@dataclass(frozen=True, slots=True)
class ObservationRow:
    project_id: str
    id: str
    trace_id: str
    parent_observation_id: str | None
    type: str
    name: str | None
    start_time: int
    end_time: int | None
    completion_start_time: int | None
    environment: str
    level: str
    status_message: str | None
    version: str | None
    model: str | None
    model_parameters: str | None
    input: str | None
    output: str | None
    metadata: str | None
    usage_details: str | None
    provided_cost_details: str | None
    cost_details: str | None
    input_tokens: float
    output_tokens: float
    total_tokens: float
    input_cost: float | None
    output_cost: float | None
    total_cost: float | None
    model_id: str | None
    pricing_tier_id: str | None
    pricing_tier_name: str | None
    prompt_name: str | None
    prompt_version: int | None
    is_app_root: bool
    origin_id: str | None
    created_at: int
    updated_at: int
    # When its data was sent, whole and per field: late updates never overwrite newer data.
    event_time: int | None
    field_times: str | None
    # Usage as the SDK sent it, when its keys differ from the counted `usage_details`.
    provided_usage_details: str | None
    # Its trace's context, joined on the trace's primary key (None when not read).
    trace_user_id: str | None = None
    trace_session_id: str | None = None
    trace_name: str | None = None
    trace_tags: str | None = None
    trace_release: str | None = None
    trace_bookmarked: bool | None = None
    trace_public: bool | None = None
    # The prompt version its prompt name and version name, when the project has it.
    prompt_id: str | None = None


@dataclass(frozen=True, slots=True)
class ObservationNode:
    """What trees and timelines need of an observation (no I/O)."""

    id: str
    trace_id: str
    parent_observation_id: str | None
    type: str
    name: str | None
    start_time: int
    end_time: int | None
    level: str
    model: str | None
    total_cost: float | None
    total_tokens: float
    status_message: str | None


@dataclass(frozen=True, slots=True)
class GenerationIO:
    """A generation's messages: a turn's conversation when its trace has none."""

    id: str
    trace_id: str
    model: str | None
    input: str | None
    output: str | None
    start_time: int
    # The prompt version it used (the SDKs' prompt attributes), as sent.
    prompt_name: str | None = None
    prompt_version: int | None = None


@dataclass(frozen=True, slots=True)
class StepIO:
    """A step's payload for the replay: a tool's arguments and result, a retriever's
    query and documents (in its output, or in OpenInference attributes in its metadata)."""

    id: str
    trace_id: str
    input: str | None
    output: str | None
    metadata: str | None


@dataclass(frozen=True, slots=True)
class TraceTime:
    """A trace's place on a session's clock."""

    id: str
    timestamp: int
    end_time: int | None


@dataclass(frozen=True, slots=True)
class ScoreRow:
    project_id: str
    id: str
    name: str
    data_type: str
    value: float | None
    string_value: str | None
    trace_id: str | None
    observation_id: str | None
    session_id: str | None
    dataset_run_id: str | None
    environment: str
    source: str
    comment: str | None
    metadata: str | None
    config_id: str | None
    queue_id: str | None
    author_user_id: str | None
    timestamp: int
    created_at: int
    updated_at: int
    # Its trace's context, joined on the trace's primary key (None when not read).
    trace_user_id: str | None = None
    trace_tags: str | None = None
    trace_environment: str | None = None
    trace_session_id: str | None = None


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """One score name of one session, over the session's own scores and its traces' (and
    their observations'): the mean of numeric and boolean values, how many there were,
    and each categorical value with its count, most frequent first."""

    session_id: str
    name: str
    average: float | None
    numeric_count: int
    categories: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class CommentRow:
    id: str
    object_id: str
    content: str
    created_at: int
    author_name: str | None
    author_email: str | None
    # Who may edit or delete it: its author and the project's owners (annotate.py).
    author_user_id: str | None = None
    object_type: str = "TRACE"
    updated_at: int | None = None


@dataclass(frozen=True, slots=True)
class MediaRow:
    """A media record; `held` when its bytes are stored."""

    project_id: str
    id: str
    sha256: str
    content_type: str
    content_length: int
    created_at: int
    uploaded_at: int | None
    upload_http_status: int | None
    upload_http_error: str | None
    upload_time_ms: int | None
    held: bool


@dataclass(frozen=True, slots=True)
class MediaContent:
    """A media's bytes with the type they were uploaded as."""

    media_id: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class MediaLinkRow:
    """Media found in a trace: in its own field (`observation_id` None) or an observation's."""

    media_id: str
    trace_id: str
    observation_id: str | None
    field: str
    content_type: str
    content_length: int
    held: bool
