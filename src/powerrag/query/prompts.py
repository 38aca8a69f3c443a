"""Reading a project's prompts: one version by label or number, a prompt's versions, the list."""

from __future__ import annotations

from dataclasses import dataclass

from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.prompts import (
    PRODUCTION,
    PromptFilter,
    PromptMeta,
    PromptVersion,
    VersionUsage,
)
from powerrag.store import prompts
from powerrag.store.database import Store

ALL_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class PromptPage:
    items: list[PromptMeta]
    total: int


def get(
    store: Store, project_id: str, name: str, *, version: int | None, label: str | None
) -> PromptVersion:
    """Version `version`, or the one labelled `label`, or else `production` (Langfuse's rule)."""
    if version is not None and label is not None:
        raise InvalidRequestError("Cannot specify both version and label")
    chosen = label if version is None and label is not None else PRODUCTION
    with store.connect() as conn:
        found = prompts.find(conn, project_id, name, version=version, label=chosen)
    if found is None:
        # Langfuse's message (web/src/features/prompts/server/handlers/promptNameHandler.ts).
        which = f"with version {version}" if version is not None else f"with label '{chosen}'"
        raise NotFoundError(f"Prompt not found: '{name}' {which}")
    return found


def versions(store: Store, project_id: str, name: str) -> list[PromptVersion]:
    """Every version, newest first; NotFoundError when the prompt has none."""
    with store.connect() as conn:
        found = prompts.versions(conn, project_id, name)
    if not found:
        raise NotFoundError(f"Prompt not found: '{name}'")
    return found


def page(store: Store, project_id: str, f: PromptFilter, number: int, limit: int) -> PromptPage:
    with store.connect() as conn:
        items = prompts.list_meta(conn, project_id, f, limit, (number - 1) * limit)
        return PromptPage(items=items, total=prompts.count_names(conn, project_id, f))


@dataclass(frozen=True, slots=True)
class PromptDetail:
    """A prompt's page: its versions, newest first, and what each version's generations did."""

    versions: list[PromptVersion]
    usage: dict[int, VersionUsage]


def detail(store: Store, project_id: str, name: str) -> PromptDetail:
    found = versions(store, project_id, name)
    with store.reading() as data:
        return PromptDetail(found, data.prompt_usage(project_id, name))


def every_prompt(store: Store, project_id: str) -> list[PromptMeta]:
    """The project's prompts by name (the UI's list; at most ALL_LIMIT of them)."""
    with store.connect() as conn:
        return prompts.list_meta(conn, project_id, PromptFilter(), ALL_LIMIT, 0)
