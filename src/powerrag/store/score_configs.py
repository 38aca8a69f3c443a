"""Score configs of a project: insert, update, one, a page, the ones a batch of scores names."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select, update
from sqlalchemy import func as sql

from powerrag.domain.filters import PageRequest
from powerrag.domain.score_configs import Category, ConfigFields, ScoreConfig
from powerrag.store.infra.schema import score_configs

_c = score_configs.c


def _values(fields: ConfigFields) -> dict[str, Any]:
    categories = [{"label": c.label, "value": c.value} for c in fields.categories]
    return {
        "name": fields.name,
        "data_type": fields.data_type,
        "is_archived": fields.is_archived,
        "min_value": fields.min_value,
        "max_value": fields.max_value,
        "categories": orjson.dumps(categories).decode() if categories else None,
        "description": fields.description,
    }


def _row(row: Any) -> ScoreConfig:
    raw = orjson.loads(row.categories) if row.categories else []
    return ScoreConfig(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        data_type=row.data_type,
        is_archived=bool(row.is_archived),
        min_value=row.min_value,
        max_value=row.max_value,
        categories=tuple(Category(c["label"], float(c["value"])) for c in raw),
        description=row.description,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def insert_config(
    conn: Connection,
    project_id: str,
    fields: ConfigFields,
    now: int,
    *,
    config_id: str | None = None,
) -> str:
    """A new config; its id drawn here unless given (a fixed one for tests/golden)."""
    config_id = config_id or str(uuid.uuid4())
    conn.execute(
        insert(score_configs).values(
            id=config_id, project_id=project_id, created_at=now, updated_at=now, **_values(fields)
        )
    )
    return config_id


def update_config(
    conn: Connection, project_id: str, config_id: str, fields: ConfigFields, now: int
) -> None:
    conn.execute(
        update(score_configs)
        .where(_c.project_id == project_id, _c.id == config_id)
        .values(updated_at=now, **_values(fields))
    )


def get_config(conn: Connection, project_id: str, config_id: str) -> ScoreConfig | None:
    row = conn.execute(
        select(score_configs).where(_c.project_id == project_id, _c.id == config_id)
    ).first()
    return None if row is None else _row(row)


def configs_by_id(
    conn: Connection, project_id: str, config_ids: Iterable[str]
) -> dict[str, ScoreConfig]:
    wanted = sorted(set(config_ids))
    if not wanted:
        return {}
    query = select(score_configs).where(_c.project_id == project_id, _c.id.in_(wanted))
    return {row.id: _row(row) for row in conn.execute(query)}


def list_configs(
    conn: Connection, project_id: str, page: PageRequest, *, archived: bool = True
) -> list[ScoreConfig]:
    """Newest first (Langfuse's order); without `archived`, the active ones only."""
    query = select(score_configs).where(_c.project_id == project_id)
    if not archived:
        query = query.where(_c.is_archived.is_(False))
    query = query.order_by(_c.created_at.desc(), _c.id.desc()).limit(page.limit)
    return [_row(row) for row in conn.execute(query.offset(page.offset))]


def count_configs(conn: Connection, project_id: str) -> int:
    query = select(sql.count()).select_from(score_configs).where(_c.project_id == project_id)
    return int(conn.execute(query).scalar_one())
