"""Who is calling: API key checks and project look-ups for the API layer."""

from __future__ import annotations

from powerrag.store import accounts
from powerrag.store.accounts import ApiKey, Project
from powerrag.store.database import Store


def authenticate_key(store: Store, public_key: str, secret_key: str) -> ApiKey | None:
    with store.connect() as conn:
        return accounts.verify_api_key(conn, public_key, secret_key)


def authenticate_public_key(store: Store, public_key: str) -> ApiKey | None:
    with store.connect() as conn:
        return accounts.find_public_key(conn, public_key)


def get_project(store: Store, project_id: str) -> Project | None:
    with store.connect() as conn:
        return accounts.get_project(conn, project_id)
