"""A project's built-in check rules and alert rules: create, read, change, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update

from powerrag.domain.alerts import AlertRule
from powerrag.domain.checks import CheckRule
from powerrag.store.infra.schema import alerts, check_rules

_KINDS: dict[str, tuple[Table, type[Any]]] = {
    "check": (check_rules, CheckRule),
    "alert": (alerts, AlertRule),
}


def add_rule(conn: Connection, kind: str, values: dict[str, Any]) -> None:
    conn.execute(insert(_KINDS[kind][0]).values(values))


def list_rules(conn: Connection, kind: str, project_id: str | None) -> list[Any]:
    """A project's rules by creation, or every project's (the worker's view) for None."""
    table, row_type = _KINDS[kind]
    query = select(table).order_by(table.c.created_at, table.c.id)
    if project_id is not None:
        query = query.where(table.c.project_id == project_id)
    return [row_type(**row) for row in conn.execute(query).mappings()]


def get_rule(conn: Connection, kind: str, project_id: str, rule_id: str) -> Any | None:
    table, row_type = _KINDS[kind]
    query = select(table).where(table.c.project_id == project_id, table.c.id == rule_id)
    row = conn.execute(query).mappings().first()
    return row_type(**row) if row is not None else None


def change_rule(
    conn: Connection, kind: str, project_id: str, rule_id: str, values: dict[str, Any]
) -> bool:
    table = _KINDS[kind][0]
    result = conn.execute(
        update(table).where(table.c.project_id == project_id, table.c.id == rule_id).values(values)
    )
    return result.rowcount == 1


def delete_rule(conn: Connection, kind: str, project_id: str, rule_id: str) -> bool:
    table = _KINDS[kind][0]
    result = conn.execute(
        delete(table).where(table.c.project_id == project_id, table.c.id == rule_id)
    )
    return result.rowcount == 1


def name_taken(conn: Connection, project_id: str, name: str, other_than: str | None) -> bool:
    """Check rule names are their scores' names: one per project."""
    query = select(check_rules.c.id).where(
        check_rules.c.project_id == project_id, check_rules.c.name == name
    )
    found = conn.execute(query).scalar()
    return found is not None and found != other_than
