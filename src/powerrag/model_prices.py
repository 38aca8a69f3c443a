"""A project's own model prices, written through the models API and the settings page.

A new or changed model prices observations written from then on; `recost` applies the
project's current prices to observations already stored, on request.
"""

from __future__ import annotations

import uuid
from typing import Any

from powerrag.domain.cost import Recosted
from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.model_defs import ModelDefinition, definition_from_body
from powerrag.store import models
from powerrag.store.database import Store


def create(store: Store, project_id: str, body: Any, now: int) -> ModelDefinition:
    made = definition_from_body(body, uuid.uuid4().hex, project_id, now)
    with store.transaction() as conn:
        if models.name_taken(conn, project_id, made.model_name, None):
            raise InvalidRequestError(f"Model name '{made.model_name}' already exists in project")
        models.add_model(conn, made)
    return made


def change(store: Store, project_id: str, model_id: str, body: Any, now: int) -> ModelDefinition:
    """Replace a project's model with the body's definition (the settings page's edit)."""
    with store.transaction() as conn:
        current = models.get_model(conn, project_id, model_id)
        if current is None:
            raise NotFoundError(f"No model with id {model_id!r} in this project")
        made = definition_from_body(body, model_id, project_id, now)
        if models.name_taken(conn, project_id, made.model_name, model_id):
            raise InvalidRequestError(f"Model name '{made.model_name}' already exists in project")
        kept = ModelDefinition(**{**_fields(made), "created_at": current.created_at})
        models.replace_model(conn, kept)
    return kept


def _fields(model: ModelDefinition) -> dict[str, Any]:
    return {name: getattr(model, name) for name in model.__slots__}


def remove(store: Store, project_id: str, model_id: str) -> None:
    with store.transaction() as conn:
        if not models.delete_model(conn, project_id, model_id):
            raise NotFoundError(
                "No model with this id found. Note: You cannot delete built-in models, "
                "override them with a model with the same name."
            )


def recost_model(store: Store, project_id: str, model_id: str, pattern: str, now: int) -> Recosted:
    """Recompute the stored cost of what `pattern` matches or `model_id` priced, with the
    project's prices as they are now, and the figures of their traces and sessions."""
    return store.recost(project_id, model_id, pattern, now)
