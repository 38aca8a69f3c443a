"""Reading a project's check and alert rules and their job log (runs, deliveries)."""

from __future__ import annotations

from typing import Any

from powerrag.domain.errors import NotFoundError
from powerrag.domain.jobs import JobRow
from powerrag.store import alert_scan, jobs, rules
from powerrag.store.database import Store


def list_rules(store: Store, kind: str, project_id: str) -> list[Any]:
    with store.connect() as conn:
        return rules.list_rules(conn, kind, project_id)


def require_rule(store: Store, kind: str, project_id: str, rule_id: str) -> Any:
    with store.connect() as conn:
        found = rules.get_rule(conn, kind, project_id, rule_id)
    if found is None:
        raise NotFoundError(f"{kind} {rule_id!r} not found")
    return found


def rule_jobs(store: Store, kind: str, project_id: str, rule_id: str) -> list[JobRow]:
    """The rule's jobs, newest first (NotFoundError when the rule is not the project's)."""
    require_rule(store, kind, project_id, rule_id)
    with store.connect() as conn:
        return jobs.list_jobs(conn, project_id, rule_id)


def fired_alerts(store: Store, project_id: str, session_ids: list[str]) -> dict[str, list[str]]:
    """Session id -> names of the alerts that fired for it: the list's and replay's badge."""
    with store.connect() as conn:
        every = rules.list_rules(conn, "alert", project_id)
        found = alert_scan.fired(conn, project_id, [a.id for a in every], session_ids)
    names = {a.id: a.name for a in every}
    return {s: sorted(names[a] for a in ids if a in names) for s, ids in found.items()}
