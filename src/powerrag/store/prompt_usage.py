"""Per prompt version: the generations that used it, their cost, latency and scores.

Generations are found by their prompt name and version (ix_observations_project_prompt).
Scores are numeric and boolean ones given to those generations, or to their traces; a
trace's score counts once per version however many of its generations used it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, and_, select
from sqlalchemy import func as sql

from powerrag.domain.prompts import ScoreSummary, VersionUsage
from powerrag.store.infra.schema import observations, scores

_o = observations.c
_s = scores.c
_VALUED = ("NUMERIC", "BOOLEAN")


def _generations(project_id: str, name: str) -> list[Any]:
    return [_o.project_id == project_id, _o.prompt_name == name, _o.type == "GENERATION"]


def version_usage(conn: Connection, project_id: str, name: str) -> dict[int, VersionUsage]:
    where = _generations(project_id, name)
    # The latency's integer sum and count, divided here: every engine's average of the same
    # microseconds then gives the same float (their own averages differ in the last digit).
    latency = (sql.sum(_o.end_time - _o.start_time), sql.count(_o.end_time))
    figures = select(_o.prompt_version, sql.count(), sql.sum(_o.total_cost), *latency)
    rows = conn.execute(figures.where(*where).group_by(_o.prompt_version)).all()
    summaries = _scores(conn, project_id, where)
    return {
        int(version): VersionUsage(
            version=int(version),
            generations=int(count),
            total_cost=float(cost) if cost is not None else None,
            average_latency_us=int(lasted) / int(ended) if ended else None,
            scores=tuple(summaries.get(int(version), ())),
        )
        for version, count, cost, lasted, ended in rows
        if version is not None
    }


def _scores(conn: Connection, project_id: str, where: list[Any]) -> dict[int, list[ScoreSummary]]:
    by_generation = (
        select(_o.prompt_version, _s.name, _s.value)
        .select_from(
            scores.join(
                observations, and_(_s.project_id == _o.project_id, _s.observation_id == _o.id)
            )
        )
        .where(*where, _s.project_id == project_id, _s.data_type.in_(_VALUED))
    )
    traces = select(_o.trace_id, _o.prompt_version).where(*where).distinct().subquery()
    by_trace = (
        select(traces.c.prompt_version, _s.name, _s.value)
        .select_from(scores.join(traces, _s.trace_id == traces.c.trace_id))
        .where(_s.project_id == project_id, _s.observation_id.is_(None))
        .where(_s.data_type.in_(_VALUED))
    )
    values: dict[tuple[int, str], list[float]] = defaultdict(list)
    for query in (by_generation, by_trace):
        for version, score, value in conn.execute(query):
            if version is not None and value is not None:
                values[(int(version), score)].append(float(value))
    found: dict[int, list[ScoreSummary]] = defaultdict(list)
    for (version, score), seen in sorted(values.items()):
        found[version].append(ScoreSummary(score, sum(seen) / len(seen), len(seen)))
    return found
