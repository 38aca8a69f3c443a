"""What a committed write changed: the traces and sessions of one project."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from powerrag.domain.records import IngestBatch


@dataclass(frozen=True, slots=True)
class Change:
    """Traces and sessions of one project that a committed write touched.

    `session_traces` pairs each touched session with its changed traces (a trace that
    moved between sessions is named under both), so a live stream of one session learns
    its own traces without a query and other sessions' streams are not woken (issue 19, M2).
    """

    project_id: str
    trace_ids: frozenset[str]
    session_ids: frozenset[str] = frozenset()
    session_traces: frozenset[tuple[str, str]] = frozenset()

    def traces_by_session(self) -> dict[str, frozenset[str]]:
        """Each session named by this change, with its changed traces (possibly none)."""
        found: dict[str, set[str]] = {s: set() for s in self.session_ids}
        for session_id, trace_id in self.session_traces:
            found.setdefault(session_id, set()).add(trace_id)
        return {s: frozenset(t) for s, t in found.items()}


def changes_of(
    items: Sequence[tuple[str, IngestBatch]],
    session_traces: Mapping[str, Iterable[tuple[str, str]]] | None = None,
) -> list[Change]:
    """The changes a group of ingested batches makes, one per project.

    `session_traces` (by project) is what the writer found out while it refreshed the
    traces: which session each changed trace was or is in.
    """
    traces: dict[str, set[str]] = {}
    sessions: dict[str, set[str]] = {}
    found = session_traces or {}
    for project_id, batch in items:
        ids = traces.setdefault(project_id, set())
        ids.update(o.trace_id for o in batch.observations)
        ids.update(p.trace_id for p in batch.observation_patches if p.trace_id)
        ids.update(u.trace_id for u in batch.trace_updates)
        ids.update(s.trace_id for s in batch.scores if s.trace_id)
        ids.update(c.trace_id for c in batch.span_contents)
        named = sessions.setdefault(project_id, set())
        named.update(u.session_id for u in batch.trace_updates if u.session_id)
        named.update(s.session_id for s in batch.scores if s.session_id)
    changes = []
    for p in sorted(traces):
        pairs = frozenset(found.get(p, ()))
        session_ids = frozenset(sessions[p] | {s for s, _ in pairs})
        if traces[p] or session_ids:
            changes.append(Change(p, frozenset(traces[p]), session_ids, pairs))
    return changes
