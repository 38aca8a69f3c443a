"""The SQL engines' readers of trace data: the noun modules' queries on one connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection

from powerrag.store import (
    alert_scan,
    judge_inputs,
    lifecycle,
    metrics,
    observations,
    prompt_usage,
    scores,
    session_scores,
    sessions,
    traces,
)

P = ParamSpec("P")
R = TypeVar("R")


class _OnConnection:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn


def _on_connection(
    query: Callable[Concatenate[Connection, P], R],
) -> Callable[Concatenate[_OnConnection, P], R]:
    """A noun module's function as a method that passes the handle's connection."""

    def method(self: _OnConnection, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return query(self.conn, *args, **kwargs)

    method.__doc__ = query.__doc__
    return method


class SqlAnalyticsReader(_OnConnection):
    """`base.AnalyticsReader` on the handle's connection."""

    metrics_rows = _on_connection(metrics.run)
    prompt_usage = _on_connection(prompt_usage.version_usage)


class SqlTraceData(SqlAnalyticsReader):
    """`base.TraceData` for SQLite and PostgreSQL (`Store.reading` hands one out)."""

    count_traces = _on_connection(traces.count_traces)
    list_traces = _on_connection(traces.list_traces)
    get_trace = _on_connection(traces.get_trace)
    session_traces = _on_connection(traces.session_traces)
    session_timeline = _on_connection(traces.session_timeline)
    traces_in_session = _on_connection(traces.traces_in_session)

    count_observations = _on_connection(observations.count_observations)
    list_observations = _on_connection(observations.list_observations)
    list_observations_after = _on_connection(observations.list_observations_after)
    get_observations = _on_connection(observations.get_observations)
    trace_observations = _on_connection(observations.trace_observations)
    observation_ids_by_trace = _on_connection(traces.observation_ids_by_trace)
    tree_nodes = _on_connection(observations.tree_nodes)
    generations_of = _on_connection(observations.generations_of)
    step_io_of = _on_connection(observations.step_io_of)

    count_sessions = _on_connection(sessions.count_sessions)
    list_sessions = _on_connection(sessions.list_sessions)
    get_session = _on_connection(sessions.get_session)
    list_environments = _on_connection(sessions.list_environments)
    score_summaries = _on_connection(session_scores.score_summaries)
    score_names = _on_connection(session_scores.score_names)

    count_scores = _on_connection(scores.count_scores)
    list_scores = _on_connection(scores.list_scores)
    list_scores_after = _on_connection(scores.list_scores_after)
    get_score = _on_connection(scores.get_score)
    trace_scores = _on_connection(scores.trace_scores)
    session_scores = _on_connection(scores.session_scores)
    score_ids_by_trace = _on_connection(traces.score_ids_by_trace)

    idle_sessions = _on_connection(lifecycle.idle_sessions)
    session_facts = _on_connection(lifecycle.session_facts)
    session_input = _on_connection(judge_inputs.session_input)
    trace_input = _on_connection(judge_inputs.trace_input)
    observation_input = _on_connection(judge_inputs.observation_input)
    new_targets = _on_connection(judge_inputs.new_targets)
    alert_crossings = _on_connection(alert_scan.crossings)
