"""What a committed write changed: the traces and sessions of one project."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from powerrag.domain.records import IngestBatch


@dataclass(frozen=True, slots=True)
class Change:
    """Traces and sessions of one project that a committed write touched."""

    project_id: str
    trace_ids: frozenset[str]
    session_ids: frozenset[str] = frozenset()


def changes_of(items: Sequence[tuple[str, IngestBatch]]) -> list[Change]:
    """The changes a group of ingested batches makes, one per project."""
    traces: dict[str, set[str]] = {}
    sessions: dict[str, set[str]] = {}
    for project_id, batch in items:
        ids = traces.setdefault(project_id, set())
        ids.update(o.trace_id for o in batch.observations)
        ids.update(p.trace_id for p in batch.observation_patches if p.trace_id)
        ids.update(u.trace_id for u in batch.trace_updates)
        ids.update(s.trace_id for s in batch.scores if s.trace_id)
        found = sessions.setdefault(project_id, set())
        found.update(u.session_id for u in batch.trace_updates if u.session_id)
        found.update(s.session_id for s in batch.scores if s.session_id)
    return [
        Change(p, frozenset(traces[p]), frozenset(sessions[p]))
        for p in sorted(traces)
        if traces[p] or sessions[p]
    ]
