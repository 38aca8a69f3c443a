"""Records that flow from `ingest` into `store`; plain, immutable, stdlib only.

Times are integer microseconds since the Unix epoch (UTC). Input, output and
metadata values are already JSON-encoded text, so the store never guesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from powerrag.domain.datasets import ExperimentLink
from powerrag.domain.span_content import SpanContentEvent

OBSERVATION_TYPES = (
    "SPAN",
    "GENERATION",
    "EVENT",
    "AGENT",
    "TOOL",
    "CHAIN",
    "RETRIEVER",
    "EVALUATOR",
    "EMBEDDING",
    "GUARDRAIL",
)
LEVELS = ("DEBUG", "DEFAULT", "WARNING", "ERROR")
# Session ids in any script up to this many characters are kept (traces.session_id and
# sessions.id are String(200)); a longer one is dropped from its trace and kept in the
# trace's metadata under REFUSED_SESSION_KEY, so it is never lost unseen.
MAX_SESSION_ID = 200
REFUSED_SESSION_KEY = "powerrag_refused_session_id"
SCORE_DATA_TYPES = ("NUMERIC", "CATEGORICAL", "BOOLEAN", "TEXT", "CORRECTION")
SCORE_SOURCES = ("API", "EVAL", "ANNOTATION")


@dataclass(frozen=True, slots=True)
class ObservationRecord:
    """One observation (an OTel span or a batch span/generation/event)."""

    id: str
    trace_id: str
    type: str
    name: str | None
    start_time: int
    end_time: int | None = None
    parent_observation_id: str | None = None
    environment: str = "default"
    level: str = "DEFAULT"
    status_message: str | None = None
    version: str | None = None
    completion_start_time: int | None = None
    model: str | None = None
    model_parameters: str | None = None
    input: str | None = None
    output: str | None = None
    metadata: str | None = None
    usage_details: dict[str, int] = field(default_factory=dict)
    cost_details: dict[str, float] = field(default_factory=dict)
    prompt_name: str | None = None
    prompt_version: int | None = None
    is_app_root: bool = False
    # Usage with the keys the SDK sent (`prompt_tokens`, ...), when `usage_details` renamed
    # them for counting: the API answers these (docs/api.md), tokens and cost count those.
    provided_usage: dict[str, int] = field(default_factory=dict)
    # Where an OTel span came from ({"resourceAttributes", "scope"} as JSON text): part of
    # its metadata as read, stored once per distinct value under `origin_id`.
    origin: str | None = None
    origin_id: str | None = None


@dataclass(frozen=True, slots=True)
class ObservationPatch:
    """A batch `*-create` / `*-update` event: only the fields it names change.

    Keys of `fields` are ObservationRecord field names. Unlike OTLP spans, which
    arrive whole, batch events are merged into what is stored (reference §1.15).
    """

    id: str
    trace_id: str
    fields: dict[str, Any]
    timestamp: int


@dataclass(frozen=True, slots=True)
class TraceUpdate:
    """What one span or one trace-create event says about its trace.

    `source_id` makes the update idempotent: the same span or event sent twice
    replaces itself. A trace is the merge of all its updates (see `merge.py`).
    """

    trace_id: str
    source_id: str
    timestamp: int
    is_root: bool = False
    name: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    release: str | None = None
    version: str | None = None
    environment: str | None = None
    public: bool | None = None
    tags: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    input: str | None = None
    output: str | None = None


@dataclass(frozen=True, slots=True)
class ScoreRecord:
    """A score on a trace, an observation or a session."""

    id: str
    name: str
    data_type: str
    timestamp: int
    value: float | None = None
    string_value: str | None = None
    trace_id: str | None = None
    observation_id: str | None = None
    session_id: str | None = None
    dataset_run_id: str | None = None
    environment: str = "default"
    source: str = "API"
    comment: str | None = None
    metadata: str | None = None
    config_id: str | None = None
    queue_id: str | None = None
    author_user_id: str | None = None
    # Sent with the public key alone: it may add a score, never replace a stored one.
    create_only: bool = False
    # False when the data type was inferred from the value: a score config then decides it,
    # as in Langfuse (domain/score_configs.py).
    data_type_sent: bool = True


@dataclass(frozen=True, slots=True)
class IngestWarning:
    """Something dropped from an accepted request, reported back to the sender."""

    message: str
    trace_id: str | None = None
    span_id: str | None = None


@dataclass(frozen=True, slots=True)
class EventError:
    """One refused event of a batch request (an entry of the 207 `errors` list)."""

    id: str
    status: int
    message: str
    error: str = "Invalid request data"


@dataclass(slots=True)
class IngestBatch:
    """Everything one request carried, decoded and mapped, ready for one transaction."""

    observations: list[ObservationRecord] = field(default_factory=list)
    observation_patches: list[ObservationPatch] = field(default_factory=list)
    trace_updates: list[TraceUpdate] = field(default_factory=list)
    scores: list[ScoreRecord] = field(default_factory=list)
    # GenAI message content from OTLP log events, for the spans they name.
    span_contents: list[SpanContentEvent] = field(default_factory=list)
    # Dataset runs and items that experiment spans executed (ingest/experiments.py).
    experiment_links: list[ExperimentLink] = field(default_factory=list)
    warnings: list[IngestWarning] = field(default_factory=list)
    # Spans refused whole (OTLP partial_success) and batch events refused, with why.
    rejected: list[IngestWarning] = field(default_factory=list)
    # Batch events accepted, by envelope id (HTTP 207 successes).
    accepted_event_ids: list[str] = field(default_factory=list)
    rejected_events: list[EventError] = field(default_factory=list)
    # The envelope id of each of `scores` (same order), so a score its config refuses
    # after decoding is refused as its event (powerrag/score_configs.py).
    score_event_ids: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return (
            len(self.observations)
            + len(self.observation_patches)
            + len(self.trace_updates)
            + len(self.scores)
            + len(self.span_contents)
        )
