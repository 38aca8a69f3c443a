"""A project's LLM connections, evaluators and evaluation rules (JSON columns as text)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, Table, delete, func, insert, select, update

from powerrag.domain.eval_rules import EvaluationRule, LlmConnection
from powerrag.domain.evaluators import Evaluator
from powerrag.store.infra.schema import evaluation_rules, evaluators, llm_connections

_JSON = {
    "custom_models",
    "extra_header_keys",
    "config",
    "output_definition",
    "model_config",
    "mapping",
    "filters",
}
_KINDS: dict[str, tuple[Table, type[Any]]] = {
    "connection": (llm_connections, LlmConnection),
    "evaluator": (evaluators, Evaluator),
    "rule": (evaluation_rules, EvaluationRule),
}


def _row(kind: str, row: Any) -> Any:
    values = {k: (orjson.loads(v) if k in _JSON and v is not None else v) for k, v in row.items()}
    return _KINDS[kind][1](**values)


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (orjson.dumps(v).decode() if k in _JSON and v is not None else v)
        for k, v in values.items()
    }


def add(conn: Connection, kind: str, values: dict[str, Any]) -> None:
    conn.execute(insert(_KINDS[kind][0]).values(_columns(values)))


def change(
    conn: Connection, kind: str, project_id: str, item_id: str, values: dict[str, Any]
) -> None:
    table = _KINDS[kind][0]
    conn.execute(
        update(table)
        .where(table.c.project_id == project_id, table.c.id == item_id)
        .values(_columns(values))
    )


def remove(conn: Connection, kind: str, project_id: str, item_id: str) -> bool:
    table = _KINDS[kind][0]
    result = conn.execute(
        delete(table).where(table.c.project_id == project_id, table.c.id == item_id)
    )
    return result.rowcount == 1


def get(conn: Connection, kind: str, project_id: str, item_id: str) -> Any | None:
    table = _KINDS[kind][0]
    row = (
        conn.execute(select(table).where(table.c.project_id == project_id, table.c.id == item_id))
        .mappings()
        .first()
    )
    return _row(kind, row) if row is not None else None


def by_name(conn: Connection, kind: str, project_id: str, name: str) -> Any | None:
    table = _KINDS[kind][0]
    column = table.c.provider if kind == "connection" else table.c.name
    row = (
        conn.execute(select(table).where(table.c.project_id == project_id, column == name))
        .mappings()
        .first()
    )
    return _row(kind, row) if row is not None else None


def page(
    conn: Connection, kind: str, project_id: str | None, limit: int | None, offset: int = 0
) -> list[Any]:
    """Oldest first; every project's for None (the worker's view)."""
    table = _KINDS[kind][0]
    query = select(table).order_by(table.c.created_at, table.c.id).offset(offset)
    if project_id is not None:
        query = query.where(table.c.project_id == project_id)
    if limit is not None:
        query = query.limit(limit)
    return [_row(kind, r) for r in conn.execute(query).mappings()]


def count(conn: Connection, kind: str, project_id: str) -> int:
    table = _KINDS[kind][0]
    query = select(func.count()).select_from(table).where(table.c.project_id == project_id)
    return int(conn.execute(query).scalar_one())


def rule_counts(conn: Connection, project_id: str) -> dict[str, int]:
    """Evaluator id -> how many rules use it."""
    r = evaluation_rules.c
    query = (
        select(r.evaluator_id, func.count())
        .where(r.project_id == project_id)
        .group_by(r.evaluator_id)
    )
    return {row[0]: int(row[1]) for row in conn.execute(query)}


def remove_rules_of(conn: Connection, project_id: str, evaluator_id: str) -> None:
    r = evaluation_rules.c
    conn.execute(
        delete(evaluation_rules).where(r.project_id == project_id, r.evaluator_id == evaluator_id)
    )
