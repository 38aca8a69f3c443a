"""UI accounts: first admin, sign-in with argon2 password hashes, projects and API keys."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from powerrag.domain.errors import InvalidRequestError
from powerrag.store import accounts, memberships, users
from powerrag.store.accounts import ApiKey, Project, User
from powerrag.store.database import Store
from powerrag.store.memberships import Member

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


def list_projects(store: Store, user: User) -> list[Project]:
    """Projects a user sees: every one for an admin, else those they are a member of."""
    with store.connect() as conn:
        if user.is_admin:
            return accounts.list_projects(conn)
        return memberships.projects_of(conn, user.id)


def can_manage(store: Store, user: User, project_id: str) -> bool:
    """Admins and the project's owners manage its keys and members."""
    if user.is_admin:
        return True
    with store.connect() as conn:
        return memberships.role_of(conn, project_id, user.id) == memberships.OWNER


def list_keys(store: Store, project_id: str) -> list[ApiKey]:
    with store.connect() as conn:
        return accounts.list_api_keys(conn, project_id)


def create_key(store: Store, project_id: str, note: str | None) -> tuple[ApiKey, str]:
    with store.transaction() as conn:
        return accounts.create_api_key(conn, project_id, note=note or None)


def revoke_key(store: Store, project_id: str, key_id: str) -> bool:
    with store.transaction() as conn:
        return accounts.revoke_api_key(conn, key_id, project_id)


def create_project(store: Store, name: str, owner: User) -> Project:
    """A new project; the user who creates it becomes its owner."""
    if not name.strip():
        raise InvalidRequestError("a project needs a name")
    with store.transaction() as conn:
        project = accounts.create_project(conn, name.strip()[:200])
        memberships.set_membership(conn, project.id, owner.id, memberships.OWNER)
        return project


def _role(role: str) -> str:
    if role not in memberships.ROLES:
        raise InvalidRequestError(f"role is one of {', '.join(memberships.ROLES)}, not {role!r}")
    return role


def list_members(store: Store, project_id: str) -> list[Member]:
    with store.connect() as conn:
        return memberships.list_members(conn, project_id)


def add_member(store: Store, project_id: str, email: str, role: str) -> User:
    """Give an existing account access to the project (or change its role there)."""
    role = _role(role)
    with store.transaction() as conn:
        user = users.find_user_by_email(conn, email.strip().lower())
        if user is None:
            raise InvalidRequestError(
                f"no account with the email {email.strip()!r}: create one with a password"
            )
        memberships.set_membership(conn, project_id, user.id, role)
        return user


def create_member(
    store: Store, project_id: str, email: str, name: str, password: str, role: str
) -> User:
    """A new account (never an admin) that is a member of this project only."""
    email, role = _check(email, password), _role(role)
    with store.transaction() as conn:
        if users.find_user_by_email(conn, email) is not None:
            raise InvalidRequestError(f"an account with the email {email!r} exists: add it")
        user = users.insert_user(
            conn, email, name.strip()[:200] or None, _HASHER.hash(password), is_admin=False
        )
        memberships.set_membership(conn, project_id, user.id, role)
        return user


def remove_member(store: Store, project_id: str, user_id: str) -> bool:
    """Take a user out of the project; their next request to it is refused (404)."""
    with store.transaction() as conn:
        role = memberships.role_of(conn, project_id, user_id)
        if role == memberships.OWNER and memberships.count_owners(conn, project_id) == 1:
            raise InvalidRequestError("a project keeps at least one owner: add another first")
        return memberships.remove_membership(conn, project_id, user_id)


def join_project(store: Store, user: User, project_id: str, role: str) -> None:
    """Make the user a member of an existing project (`powerrag user create --project`)."""
    role = _role(role)
    with store.transaction() as conn:
        if accounts.get_project(conn, project_id) is None:
            raise InvalidRequestError(
                f"no project with id {project_id!r} (see `powerrag project list`)"
            )
        memberships.set_membership(conn, project_id, user.id, role)
