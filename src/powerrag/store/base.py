"""The contract every engine honours: the Writer and one reader per noun of trace data.

SQLite and PostgreSQL implement the readers with `store/readers.py` over one connection;
a ClickHouse engine (trace data in ClickHouse, the small transactional tables in
PostgreSQL) implements the same protocols. `tests/contract` runs one behavioural suite
against every implementation. Every read is scoped by `project_id` first; rows are the
frozen dataclasses of `domain/rows.py`, never an engine's own types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from sqlalchemy import Connection

from powerrag.domain.alerts import AlertRule, Crossing
from powerrag.domain.checks import SessionFacts
from powerrag.domain.cost import Recosted
from powerrag.domain.eval_rules import JudgeInput, NewTarget
from powerrag.domain.filters import (
    ObservationCursor,
    ObservationFilter,
    PageRequest,
    ScoreCursor,
    ScoreFilter,
    SessionFilter,
    SessionOrder,
    TraceFilter,
    TraceOrder,
)
from powerrag.domain.metrics import MetricsQuery
from powerrag.domain.prompts import VersionUsage
from powerrag.domain.records import IngestBatch
from powerrag.domain.rows import (
    GenerationIO,
    ObservationNode,
    ObservationRow,
    ScoreRow,
    ScoreSummary,
    SessionRow,
    StepIO,
    TraceRow,
    TraceTime,
)
from powerrag.domain.search import SearchBacklog


class Writer(Protocol):
    def write_batches(
        self, items: Sequence[tuple[str, IngestBatch]], now: int | None = None
    ) -> None:
        """Store every (project_id, batch) in one transaction, or none of them; `now` (the
        app's clock, the real time when None) stamps their arrival and the sessions' activity.

        Idempotent (a batch written twice equals it written once), order-independent
        (children before their root), and the trace and session figures are current
        when it returns."""

    def recost(self, project_id: str, model_id: str, pattern: str, now: int) -> Recosted:
        """Cost again, with the project's prices as they are now, the observations whose
        model name `pattern` matches or that `model_id` priced; then their traces' and
        sessions' figures, under the locks ingestion takes."""

    def delete_traces(self, project_id: str, trace_ids: Sequence[str]) -> int:
        """Delete traces and everything that hangs off them; return how many existed."""

    def set_session_flag(self, project_id: str, session_id: str, flag: str, value: bool) -> bool:
        """Set a session's `bookmarked` or `public`; False when the session does not exist."""

    def delete_score(self, project_id: str, score_id: str) -> bool:
        """Remove one score (no summary counts scores); False when it does not exist."""

    def end_session(
        self,
        project_id: str,
        session_id: str,
        now: int,
        *,
        idle_before: int | None = None,
        then: Callable[[Connection, int], None] | None = None,
    ) -> int | None:
        """End an open session at `now` (when `idle_before` is given, only if it is still
        idle since then or a trace asked to end it), linking the session it continues
        (`session.previous_id`); its end time, or None when it was already ended, is gone or
        has just had a trace. `then(conn, ended_at)` runs in the same PostgreSQL or SQLite
        transaction, so the work an end sets off is enqueued once with it. A trace written
        afterwards reopens the session."""


class TraceReader(Protocol):
    def count_traces(self, project_id: str, f: TraceFilter) -> int: ...

    def list_traces(
        self,
        project_id: str,
        f: TraceFilter,
        order: TraceOrder,
        page: PageRequest,
        *,
        with_io: bool = True,
    ) -> list[TraceRow]:
        """One page in `order`, ties by id in the same direction; NULLs sort smallest."""

    def get_trace(
        self, project_id: str, trace_id: str, *, with_io: bool = True
    ) -> TraceRow | None: ...

    def session_traces(
        self,
        project_id: str,
        session_id: str,
        *,
        limit: int | None = None,
        offset: int = 0,
        trace_ids: Sequence[str] | None = None,
    ) -> list[TraceRow]:
        """A session's traces by (timestamp, id): all, a page, or the named ones."""

    def session_timeline(self, project_id: str, session_id: str) -> list[TraceTime]: ...

    def traces_in_session(
        self, project_id: str, session_id: str, trace_ids: Sequence[str]
    ) -> list[str]: ...


class ObservationReader(Protocol):
    def count_observations(self, project_id: str, f: ObservationFilter) -> int: ...

    def list_observations(
        self, project_id: str, f: ObservationFilter, page: PageRequest
    ) -> list[ObservationRow]:
        """Newest first, ties by id descending."""

    def list_observations_after(
        self,
        project_id: str,
        f: ObservationFilter,
        cursor: ObservationCursor | None,
        limit: int,
    ) -> list[ObservationRow]:
        """Rows after `cursor` in (start_time, trace_id, id) descending order."""

    def get_observations(
        self, project_id: str, observation_ids: Sequence[str]
    ) -> list[ObservationRow]: ...

    def trace_observations(self, project_id: str, trace_id: str) -> list[ObservationRow]:
        """A trace's observations by (start_time, id)."""

    def observation_ids_by_trace(
        self, project_id: str, trace_ids: Sequence[str]
    ) -> dict[str, list[str]]: ...

    def tree_nodes(
        self, project_id: str, trace_ids: Sequence[str], limit: int | None = None
    ) -> list[ObservationNode]:
        """By (trace_id, start_time, id); the first `limit` when given."""

    def generations_of(self, project_id: str, trace_ids: Sequence[str]) -> list[GenerationIO]: ...

    def step_io_of(self, project_id: str, trace_ids: Sequence[str]) -> list[StepIO]:
        """Input, output and metadata of these traces' observations other than generations."""


class SessionReader(Protocol):
    def count_sessions(self, project_id: str, f: SessionFilter) -> int: ...

    def list_sessions(
        self, project_id: str, f: SessionFilter, order: SessionOrder, page: PageRequest
    ) -> list[SessionRow]:
        """One page in `order`, ties by id in the same direction."""

    def get_session(self, project_id: str, session_id: str) -> SessionRow | None: ...

    def list_environments(self, project_id: str) -> list[str]: ...

    def score_summaries(self, project_id: str, session_ids: Sequence[str]) -> list[ScoreSummary]:
        """Each score name of these sessions over their own scores and their traces' (and
        observations'), by session then name; sessions without scores have none."""

    def score_names(self, project_id: str) -> list[str]:
        """Names of the project's recent numeric, boolean and categorical scores, sorted."""


class ScoreReader(Protocol):
    def count_scores(self, project_id: str, f: ScoreFilter) -> int: ...

    def list_scores(self, project_id: str, f: ScoreFilter, page: PageRequest) -> list[ScoreRow]:
        """Newest first, ties by id descending."""

    def list_scores_after(
        self, project_id: str, f: ScoreFilter, cursor: ScoreCursor | None, limit: int
    ) -> list[ScoreRow]:
        """Rows after `cursor` in (timestamp, id) descending order."""

    def get_score(self, project_id: str, score_id: str) -> ScoreRow | None: ...

    def trace_scores(self, project_id: str, trace_ids: Sequence[str]) -> list[ScoreRow]:
        """Scores of these traces and their observations, oldest first."""

    def session_scores(self, project_id: str, session_ids: Sequence[str]) -> list[ScoreRow]:
        """Scores of the sessions themselves (not of their traces), oldest first."""

    def score_ids_by_trace(
        self, project_id: str, trace_ids: Sequence[str]
    ) -> dict[str, list[str]]: ...


class AutomationReader(Protocol):
    """What the background worker reads of trace data: sessions to end, what checks and
    judges read of their targets, new targets of trace and observation rules, alert
    crossings (powerrag/lifecycle.py, powerrag/judging.py)."""

    def idle_sessions(
        self, cutoff: int, limit: int, cutoffs: dict[str, int] | None = None
    ) -> list[tuple[str, str]]:
        """(project, session) of every project's open sessions asked to end by a trace,
        then of those with no trace since their project's cutoff (`cutoffs`, else
        `cutoff`), oldest first, at most `limit`."""

    def session_facts(self, project_id: str, session_id: str) -> SessionFacts | None: ...

    def session_input(self, project_id: str, session_id: str) -> JudgeInput | None: ...

    def trace_input(self, project_id: str, trace_id: str) -> JudgeInput | None: ...

    def observation_input(self, project_id: str, observation_id: str) -> JudgeInput | None: ...

    def new_targets(
        self, project_id: str, target: str, since: int, after: NewTarget | None, limit: int
    ) -> list[NewTarget]:
        """Up to `limit` traces or observations that started since `since`, by (at, id),
        past `after`, without PowerRAG's own judge traces."""

    def alert_crossings(self, alert: AlertRule, now: int, since: int | None) -> list[Crossing]:
        """The alert's crossings among what changed since `since` and its creation."""


class AnalyticsReader(Protocol):
    """Figures over many rows of trace data: the metrics API and the dashboard
    (domain/metrics.py), a prompt version's usage (domain/prompts.py)."""

    def metrics_rows(self, project_id: str, q: MetricsQuery) -> list[dict[str, Any]]:
        """The query's aggregated rows, keyed by dimension, `time_dimension` (microseconds)
        and `{aggregation}_{measure}`; unordered, the empty buckets of a series left out."""

    def prompt_usage(self, project_id: str, name: str) -> dict[int, VersionUsage]:
        """Per version of the prompt: its generations, their summed cost, their average
        latency, and the numeric and boolean scores given to them or to their traces."""


class TraceData(
    TraceReader,
    ObservationReader,
    SessionReader,
    ScoreReader,
    AutomationReader,
    AnalyticsReader,
    Protocol,
):
    """Every reader of trace data, on one consistent handle (one connection for SQL)."""


class SearchIndex(Protocol):
    """The full-text search index, kept current after the writes (powerrag/search_indexer.py):
    a filter's `text` finds what a write stored once `index_search` has claimed its traces."""

    def index_search(self, limit: int, project_id: str | None = None) -> int:
        """Build the documents of up to `limit` traces written since they were last indexed
        (of one project, or any); how many."""

    def search_backlog(self, project_id: str | None = None) -> SearchBacklog:
        """The traces written and not indexed yet."""


class TraceStore(Writer, SearchIndex, Protocol):
    """An engine's trace data: written through the Writer, read through a handle, searched
    through an index built after the writes."""

    def reading(self) -> AbstractContextManager[TraceData]: ...


# Keeps IN (...) lists under every engine's parameter limit.
IN_LIST_CHUNK = 500


def chunked(items: Sequence[str], size: int = IN_LIST_CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
