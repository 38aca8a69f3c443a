"""Domain records for store tests: a trace as its spans and trace updates, scores, batches.

Builds the IngestBatch an ingest request would have produced, so the contract suite
(tests/contract) writes through `Writer.write_batches` exactly as the pipeline does.
Times are microseconds: `at(seconds)` counts from a fixed instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from powerrag.domain.records import IngestBatch, ObservationRecord, ScoreRecord, TraceUpdate

T0 = 1_700_000_000_000_000


def at(seconds: float) -> int:
    """The instant `seconds` after T0, in microseconds."""
    return T0 + round(seconds * 1_000_000)


@dataclass(frozen=True)
class Usage:
    """A generation's tokens and provided cost; `total` may differ from input + output."""

    input: int
    output: int
    total: int
    input_cost: float
    output_cost: float
    total_cost: float


@dataclass(frozen=True)
class Child:
    """A child observation of a trace's root, started `offset` seconds after it."""

    id: str
    offset: float
    type: str = "GENERATION"
    level: str = "DEFAULT"
    usage: Usage | None = None
    output: str | None = None
    session_id: str | None = None  # carried by this span's trace update, not the root's


@dataclass(frozen=True)
class TraceSpec:
    """A trace as an SDK sends it: a root span carrying the trace's fields, and children."""

    id: str
    start: float
    name: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    tags: tuple[str, ...] = ()
    environment: str = "default"
    release: str | None = None
    version: str | None = None
    input: str | None = None
    output: str | None = None
    children: tuple[Child, ...] = field(default_factory=tuple)

    @property
    def root_id(self) -> str:
        return f"{self.id}-root"


def root_batch(spec: TraceSpec) -> IngestBatch:
    """The root span and its trace update (the trace's name, user, session, tags, …)."""
    start = at(spec.start)
    root = ObservationRecord(
        id=spec.root_id,
        trace_id=spec.id,
        type="SPAN",
        name=spec.name,
        start_time=start,
        end_time=start + 2_000_000,
        environment=spec.environment,
        input=spec.input,
        output=spec.output,
    )
    update = TraceUpdate(
        trace_id=spec.id,
        source_id=spec.root_id,
        timestamp=start,
        is_root=True,
        name=spec.name,
        user_id=spec.user_id,
        session_id=spec.session_id,
        release=spec.release,
        version=spec.version,
        environment=spec.environment,
        tags=spec.tags,
    )
    return IngestBatch(observations=[root], trace_updates=[update])


def child_batch(spec: TraceSpec, child: Child) -> IngestBatch:
    """One child span and the trace update it carries (its session id, if any)."""
    start = at(spec.start + child.offset)
    usage = child.usage
    record = ObservationRecord(
        id=child.id,
        trace_id=spec.id,
        type=child.type,
        name=child.id,
        start_time=start,
        end_time=start + 1_000_000,
        parent_observation_id=spec.root_id,
        environment=spec.environment,
        level=child.level,
        status_message="failed" if child.level == "ERROR" else None,
        output=child.output,
        usage_details=(
            {"input": usage.input, "output": usage.output, "total": usage.total} if usage else {}
        ),
        cost_details=(
            {"input": usage.input_cost, "output": usage.output_cost, "total": usage.total_cost}
            if usage
            else {}
        ),
    )
    update = TraceUpdate(
        trace_id=spec.id, source_id=child.id, timestamp=start, session_id=child.session_id
    )
    return IngestBatch(observations=[record], trace_updates=[update])


def trace_batch(spec: TraceSpec) -> IngestBatch:
    """The whole trace in one batch: root first, then its children."""
    return merged(root_batch(spec), *(child_batch(spec, c) for c in spec.children))


def score(
    score_id: str,
    name: str,
    seconds: float,
    *,
    value: float | None = None,
    string_value: str | None = None,
    data_type: str = "NUMERIC",
    trace_id: str | None = None,
    observation_id: str | None = None,
    session_id: str | None = None,
    source: str = "API",
) -> ScoreRecord:
    return ScoreRecord(
        id=score_id,
        name=name,
        data_type=data_type,
        timestamp=at(seconds),
        value=value,
        string_value=string_value,
        trace_id=trace_id,
        observation_id=observation_id,
        session_id=session_id,
        source=source,
    )


def merged(*batches: IngestBatch) -> IngestBatch:
    """One batch holding every record of these, in order."""
    result = IngestBatch()
    for batch in batches:
        result.observations.extend(batch.observations)
        result.trace_updates.extend(batch.trace_updates)
        result.scores.extend(batch.scores)
    return result
