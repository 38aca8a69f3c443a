"""First start and headless set-up (LANGFUSE_INIT_* variables, idempotent on every start)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from powerrag.query.ui_users import ensure_user
from powerrag.store import accounts, memberships
from powerrag.store.accounts import User
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
        user = ensure_user(store, email, environ.get("LANGFUSE_INIT_USER_NAME") or None, password)
    return _bootstrap_project(store, environ, user)


def _bootstrap_project(
    store: Store, environ: Mapping[str, str], user: User | None
) -> FirstKeys | None:
    project_id = environ.get("LANGFUSE_INIT_PROJECT_ID")
    with store.transaction() as conn:
        accounts.serialise_setup(conn)
        if project_id:
            name = environ.get("LANGFUSE_INIT_PROJECT_NAME") or project_id
            accounts.ensure_project(conn, project_id, name)
            if user is not None:
                # As in Langfuse, the init user owns the init project.
                memberships.set_membership(conn, project_id, user.id, memberships.OWNER)
            pk = environ.get("LANGFUSE_INIT_PROJECT_PUBLIC_KEY")
            sk = environ.get("LANGFUSE_INIT_PROJECT_SECRET_KEY")
            if pk and sk:
                accounts.ensure_api_key(conn, project_id, pk, sk)
            return None
        if accounts.list_projects(conn):
            return None
        project = accounts.create_project(conn, DEFAULT_PROJECT_NAME)
        key, secret = accounts.create_api_key(conn, project.id, note="created on first start")
        return FirstKeys(project.id, key.public_key, secret)
