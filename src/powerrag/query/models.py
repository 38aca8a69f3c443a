"""Model definitions as the models API lists them: a project's own, then the bundled ones."""

from __future__ import annotations

from functools import cache

from powerrag.domain.errors import NotFoundError
from powerrag.domain.filters import PageRequest
from powerrag.domain.model_defs import ModelDefinition, builtin_definition
from powerrag.domain.timeutil import parse_iso
from powerrag.query.paging import Paged
from powerrag.store import models
from powerrag.store.database import Store, load_default_entries


@cache
def builtin_models() -> tuple[ModelDefinition, ...]:
    """The 167 bundled definitions (Langfuse-managed: read-only, shared by every project)."""
    return tuple(
        builtin_definition(
            entry, parse_iso(str(entry["createdAt"])), parse_iso(str(entry["updatedAt"]))
        )
        for entry in load_default_entries()
    )


def project_models(store: Store, project_id: str) -> list[ModelDefinition]:
    with store.connect() as conn:
        return models.list_models(conn, project_id)


def _order(model: ModelDefinition) -> tuple[str, str, bool, int]:
    # Langfuse's list order: modelName, unit, newest startDate first (publicApiModelService.ts).
    start = model.start_date
    return (model.model_name, model.unit or "", start is None, -(start or 0))


def list_models(store: Store, project_id: str, page: PageRequest) -> Paged[ModelDefinition]:
    every = sorted([*project_models(store, project_id), *builtin_models()], key=_order)
    return Paged(every[page.offset : page.offset + page.limit], page, len(every))


def find_model(store: Store, project_id: str, model_id: str) -> ModelDefinition:
    """A project's model or a bundled one; NotFoundError otherwise."""
    with store.connect() as conn:
        own = models.get_model(conn, project_id, model_id)
    found = own or next((m for m in builtin_models() if m.id == model_id), None)
    if found is None:
        raise NotFoundError("No model with this id found.")
    return found
