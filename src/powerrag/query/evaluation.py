"""Reading a project's LLM connections, evaluators and evaluation rules, and a rule's runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from powerrag.domain.errors import NotFoundError
from powerrag.domain.jobs import JobRow
from powerrag.store import evaluation, jobs
from powerrag.store.database import Store

_NOUNS = {"connection": "LLM connection", "evaluator": "evaluator", "rule": "evaluation rule"}


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Any]
    total: int
    # Evaluator id -> rules using it; connection providers the project has.
    rule_counts: dict[str, int]
    providers: frozenset[str]
    evaluator_names: dict[str, str]


def page(store: Store, kind: str, project_id: str, number: int, limit: int) -> Page:
    with store.connect() as conn:
        items = evaluation.page(conn, kind, project_id, limit, (number - 1) * limit)
        total = evaluation.count(conn, kind, project_id)
        return _page(conn, project_id, items, total)


def _page(conn: Any, project_id: str, items: list[Any], total: int) -> Page:
    every_evaluator = evaluation.page(conn, "evaluator", project_id, None)
    return Page(
        items=items,
        total=total,
        rule_counts=evaluation.rule_counts(conn, project_id),
        providers=frozenset(
            c.provider for c in evaluation.page(conn, "connection", project_id, None)
        ),
        evaluator_names={e.id: e.name for e in every_evaluator},
    )


def one(store: Store, kind: str, project_id: str, item_id: str) -> Page:
    with store.connect() as conn:
        found = evaluation.get(conn, kind, project_id, item_id)
        if found is None:
            raise NotFoundError(f"{_NOUNS[kind]} {item_id!r} not found")
        return _page(conn, project_id, [found], 1)


def rule_runs(store: Store, project_id: str, rule_id: str) -> list[JobRow]:
    """The rule's evaluations, newest first, with their state and error."""
    one(store, "rule", project_id, rule_id)
    with store.connect() as conn:
        return jobs.list_jobs(conn, project_id, rule_id)
