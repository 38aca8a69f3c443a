"""UI accounts: first admin, sign-in with argon2 password hashes, projects and API keys."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from powerrag.domain.errors import InvalidRequestError
from powerrag.store import accounts, users
from powerrag.store.accounts import ApiKey, Project, User
from powerrag.store.database import Store

_HASHER = PasswordHasher()
MIN_PASSWORD = 8
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _check(email: str, password: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidRequestError(f"not an email address: {email!r}")
    if len(password) < MIN_PASSWORD:
        raise InvalidRequestError(f"the password needs at least {MIN_PASSWORD} characters")
    return email


def has_users(store: Store) -> bool:
    with store.connect() as conn:
        return users.count_users(conn) > 0


def create_first_admin(store: Store, email: str, name: str, password: str) -> User:
    """The first account, an admin; refused once any user exists (the form is one-shot)."""
    email = _check(email, password)
    with store.transaction() as conn:
        if users.count_users(conn) > 0:
            raise InvalidRequestError("an administrator already exists: sign in instead")
        return users.insert_user(conn, email, name or None, _HASHER.hash(password), is_admin=True)


def ensure_user(store: Store, email: str, name: str | None, password: str) -> User:
    """Create or update a user (headless LANGFUSE_INIT_USER_*, `powerrag user create`)."""
    email = _check(email, password)
    with store.transaction() as conn:
        existing = users.find_user_by_email(conn, email)
        if existing is None:
            first = users.count_users(conn) == 0
            return users.insert_user(conn, email, name, _HASHER.hash(password), is_admin=first)
        if _matches(existing.password_hash, password) and existing.name == name:
            return existing
        users.update_user(conn, existing.id, name, _HASHER.hash(password))
        return users.get_user(conn, existing.id) or existing


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def sign_in(store: Store, email: str, password: str) -> User | None:
    with store.connect() as conn:
        user = users.find_user_by_email(conn, email.strip().lower())
    if user is None:
        # Hash anyway so an unknown email costs the same time as a wrong password.
        _matches(_HASHER.hash("timing"), password)
        return None
    return user if _matches(user.password_hash, password) else None


def get_user(store: Store, user_id: str) -> User | None:
    with store.connect() as conn:
        return users.get_user(conn, user_id)


def list_projects(store: Store) -> list[Project]:
    """Projects a signed-in user sees: all of them (one organisation, every user a member)."""
    with store.connect() as conn:
        return accounts.list_projects(conn)


def list_keys(store: Store, project_id: str) -> list[ApiKey]:
    with store.connect() as conn:
        return accounts.list_api_keys(conn, project_id)


def create_key(store: Store, project_id: str, note: str | None) -> tuple[ApiKey, str]:
    with store.transaction() as conn:
        return accounts.create_api_key(conn, project_id, note=note or None)


def revoke_key(store: Store, project_id: str, key_id: str) -> bool:
    with store.transaction() as conn:
        return accounts.revoke_api_key(conn, key_id, project_id)


def create_project(store: Store, name: str) -> Project:
    if not name.strip():
        raise InvalidRequestError("a project needs a name")
    with store.transaction() as conn:
        return accounts.create_project(conn, name.strip()[:200])
