"""Reading a project's check and alert rules and their job log (runs, deliveries)."""

from __future__ import annotations

from typing import Any

from powerrag.domain.errors import NotFoundError
from powerrag.domain.jobs import JobRow
from powerrag.store import jobs, rules
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
