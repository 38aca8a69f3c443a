"""Writing a project's prompts: new versions, labels moved, versions deleted.

Bodies arrive as the API's JSON (Langfuse's `CreatePromptRequest`, the label update's
`newLabels`); a bad field is a 400 naming it (domain/prompts.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError

from powerrag.domain import prompts as rules
from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.prompts import PromptVersion
from powerrag.store import prompts
from powerrag.store.database import Store


def _stored(store: Store, project_id: str, name: str, version: int) -> PromptVersion:
    with store.connect() as conn:
        found = prompts.find(conn, project_id, name, version=version, label=None)
    if found is None:
        raise NotFoundError(f"Prompt '{name}' version {version} not found in project")
    return found


def create(store: Store, project_id: str, body: Any, by: str, now: int) -> PromptVersion:
    """The next version of the prompt `body["name"]` (version 1 of a new one)."""
    new = rules.parse_new(body)
    try:
        with store.transaction() as conn:
            newest = prompts.versions(conn, project_id, new.name)[:1]
            if newest and newest[0].type != new.type:
                raise InvalidRequestError(
                    "Previous versions have different prompt type. Create a new prompt with a "
                    "different name.",
                    code="invalid_body",
                )
            number = prompts.add_version(
                conn, project_id, new, prompt_id=str(uuid.uuid4()), by=by, now=now
            )
    except IntegrityError:
        # Langfuse's answer to the same race (web/src/features/prompts/server/prompt-api-service.ts).
        raise InvalidRequestError(
            f"Failed to create prompt '{new.name}' due to unique constraint failure. This is "
            "likely due to too many concurrent prompt creations for this prompt name. Please "
            "add a delay."
        ) from None
    return _stored(store, project_id, new.name, number)


def add_labels(
    store: Store, project_id: str, name: str, version: int, body: Any, now: int
) -> PromptVersion:
    """Langfuse's label update: `newLabels` join the version's labels, leaving other versions."""
    if not isinstance(body, dict) or "newLabels" not in body:
        raise InvalidRequestError("newLabels is required (a list of labels)", code="invalid_body")
    labels = rules.validate_labels(body["newLabels"], "newLabels")
    try:
        with store.transaction() as conn:
            if not prompts.add_labels(conn, project_id, name, version, labels, now):
                raise NotFoundError(f"Prompt '{name}' version {version} not found in project")
    except IntegrityError:
        raise InvalidRequestError(
            f"labels of prompt '{name}' were changed concurrently; retry"
        ) from None
    return _stored(store, project_id, name, version)


def delete(store: Store, project_id: str, name: str, version: int | None, label: str | None) -> int:
    """Delete the versions chosen; all of the prompt when neither version nor label is given."""
    if version is not None and label is not None:
        raise InvalidRequestError("Cannot specify both version and label")
    with store.transaction() as conn:
        removed = prompts.remove(conn, project_id, name, version=version, label=label)
    if removed == 0:
        raise NotFoundError("Prompt not found")
    return removed
