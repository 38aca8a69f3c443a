"""First start and headless set-up (LANGFUSE_INIT_* variables, idempotent on every start).

Accounts are reached through `powerrag.accounts`, the same service the UI and the CLI use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from powerrag import accounts
from powerrag.store.database import Store

DEFAULT_PROJECT_NAME = "My Project"


@dataclass(frozen=True, slots=True)
class FirstKeys:
    """A key pair created on the first start; the secret is shown once."""

    project_id: str
    public_key: str
    secret_key: str


def bootstrap(store: Store, environ: Mapping[str, str]) -> FirstKeys | None:
    """Apply LANGFUSE_INIT_*; on an empty database create a project and a key pair."""
    email, password = (
        environ.get("LANGFUSE_INIT_USER_EMAIL"),
        environ.get("LANGFUSE_INIT_USER_PASSWORD"),
    )
    user = None
    if email and password:
        name = environ.get("LANGFUSE_INIT_USER_NAME") or None
        user = accounts.ensure_user(store, email, name, password)
    project_id = environ.get("LANGFUSE_INIT_PROJECT_ID")
    if project_id:
        pk = environ.get("LANGFUSE_INIT_PROJECT_PUBLIC_KEY")
        sk = environ.get("LANGFUSE_INIT_PROJECT_SECRET_KEY")
        name = environ.get("LANGFUSE_INIT_PROJECT_NAME") or project_id
        accounts.ensure_init_project(store, project_id, name, user, (pk, sk) if pk and sk else None)
        return None
    first = accounts.create_first_project(store, DEFAULT_PROJECT_NAME)
    return None if first is None else FirstKeys(first[0].id, first[1], first[2])
