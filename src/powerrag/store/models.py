"""A project's own model definitions (Langfuse's custom models): stored, listed, deleted."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import Connection, delete, insert, select, update

from powerrag.domain.cost import PriceBook
from powerrag.domain.model_defs import ModelDefinition
from powerrag.store.infra.schema import models


def add_model(conn: Connection, model: ModelDefinition) -> None:
    conn.execute(insert(models).values(asdict(model)))


def list_models(conn: Connection, project_id: str) -> list[ModelDefinition]:
    query = (
        select(models)
        .where(models.c.project_id == project_id)
        .order_by(models.c.model_name, models.c.id)
    )
    return [ModelDefinition(**row) for row in conn.execute(query).mappings()]


def get_model(conn: Connection, project_id: str, model_id: str) -> ModelDefinition | None:
    query = select(models).where(models.c.project_id == project_id, models.c.id == model_id)
    row = conn.execute(query).mappings().first()
    return ModelDefinition(**row) if row is not None else None


def name_taken(conn: Connection, project_id: str, name: str, other_than: str | None) -> bool:
    query = select(models.c.id).where(
        models.c.project_id == project_id, models.c.model_name == name
    )
    found = conn.execute(query).scalar()
    return found is not None and found != other_than


def replace_model(conn: Connection, model: ModelDefinition) -> bool:
    values = asdict(model)
    for key in ("id", "project_id", "created_at"):
        values.pop(key)
    result = conn.execute(
        update(models)
        .where(models.c.project_id == model.project_id, models.c.id == model.id)
        .values(values)
    )
    return result.rowcount == 1


def delete_model(conn: Connection, project_id: str, model_id: str) -> bool:
    result = conn.execute(
        delete(models).where(models.c.project_id == project_id, models.c.id == model_id)
    )
    return result.rowcount == 1


def project_book(conn: Connection, builtin: PriceBook, project_id: str) -> PriceBook:
    """The prices a project's observations are costed with: its own over the bundled ones."""
    own = list_models(conn, project_id)
    return builtin.layered([m.price() for m in own]) if own else builtin
