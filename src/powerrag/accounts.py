"""Accounts: users, sign-ins, the first administrator, project memberships and API keys.

The one use case for who may do what: the web UI, the `powerrag` CLI and the first-start
set-up all come here (issue 11 item 9). Only this module hashes passwords (argon2).
"""

from __future__ import annotations

import functools
import hmac
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection

from powerrag.domain.errors import ForbiddenError, InvalidRequestError
from powerrag.domain.timeutil import now_us
from powerrag.store import accounts, memberships, sign_ins, users
from powerrag.store.accounts import ApiKey, Project, User
from powerrag.store.database import Store
from powerrag.store.memberships import MEMBER, OWNER, ROLES, Member

__all__ = [
    "MEMBER",
    "OWNER",
    "ROLES",
    "ApiKey",
    "Member",
    "Project",
    "SignIn",
    "User",
]

_HASHER = PasswordHasher()
MIN_PASSWORD = 8
SIGN_IN_SECONDS = 30 * 86400
SETUP_TOKEN = "setup-token"  # instance secret: the one-time first-admin token
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
ADMIN_EXISTS = "an administrator already exists: sign in instead"
LAST_OWNER = "a project keeps at least one owner: make someone else owner first"


@dataclass(frozen=True, slots=True)
class SignIn:
    """A new sign-in: the user and the cookie's token (stored only as its hash)."""

    user: User
    token: str
    max_age: int = SIGN_IN_SECONDS


def _email(email: str) -> str:
    return email.strip().lower()


def _check(email: str, password: str) -> str:
    email = _email(email)
    if not _EMAIL.match(email):
        raise InvalidRequestError(f"not an email address: {email!r}")
    if len(password) < MIN_PASSWORD:
        raise InvalidRequestError(f"the password needs at least {MIN_PASSWORD} characters")
    return email


@functools.cache
def _unknown_user_hash() -> str:
    """A hash to verify against for unknown emails, made once (hashing costs 64 MiB)."""
    return _HASHER.hash(secrets.token_hex(16))


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Users and sign-ins.


def has_users(store: Store) -> bool:
    with store.connect() as conn:
        return users.count_users(conn) > 0


def _start_sign_in(conn: Connection, user: User) -> SignIn:
    token, now = secrets.token_urlsafe(32), now_us()
    expires_at = now + SIGN_IN_SECONDS * 1_000_000
    sign_ins.insert_sign_in(conn, user.id, token, now=now, expires_at=expires_at)
    return SignIn(user, token)


def sign_in(store: Store, email: str, password: str) -> SignIn | None:
    """A new sign-in for the right password; exactly one argon2 verification either way."""
    with store.connect() as conn:
        user = users.find_user_by_email(conn, _email(email))
    if user is None:
        # Verify anyway so an unknown email costs the same time as a wrong password.
        _matches(_unknown_user_hash(), password)
        return None
    if not _matches(user.password_hash, password):
        return None
    with store.transaction() as conn:
        return _start_sign_in(conn, user)


def signed_in_user(store: Store, token: str) -> User | None:
    """The user of a live sign-in cookie; None once it is signed out, revoked or expired."""
    with store.connect() as conn:
        return sign_ins.user_of_sign_in(conn, token, now_us())


def sign_out(store: Store, token: str) -> None:
    """End this sign-in only: a copy of its cookie stops working too."""
    with store.transaction() as conn:
        sign_ins.delete_sign_in(conn, token)


def sign_out_everywhere(store: Store, user_id: str) -> int:
    """End every sign-in of the user, in every browser; how many there were."""
    with store.transaction() as conn:
        return sign_ins.delete_sign_ins_of(conn, user_id)


def _insert_user(conn: Connection, email: str, name: str | None, password_hash: str) -> User:
    """A new user; the first user of the instance is its administrator, exactly once.

    The insert comes before the count: in the write transaction (SQLite) or under the
    set-up lock (PostgreSQL) the count then sees every committed user.
    """
    accounts.serialise_setup(conn)
    user = users.insert_user(conn, email, name, password_hash, is_admin=False)
    if users.count_users(conn) == 1:
        users.set_admin(conn, user.id)
        return users.get_user(conn, user.id) or user
    return user


def ensure_user(store: Store, email: str, name: str | None, password: str) -> User:
    """Create or update a user (LANGFUSE_INIT_USER_*, `powerrag user create`).

    A changed password ends every sign-in of the user (issue 19, M3). Replicas starting
    together with the same LANGFUSE_INIT_USER_* take turns under the set-up lock and look
    again there, so the second finds the first's user instead of inserting it twice.
    """
    email = _check(email, password)
    with store.connect() as conn:
        existing = users.find_user_by_email(conn, email)
    if (
        existing is not None
        and existing.name == name
        and _matches(existing.password_hash, password)
    ):
        return existing
    fresh_hash = _HASHER.hash(password)  # before the lock: hashing takes a while
    with store.transaction() as conn:
        accounts.serialise_setup(conn)
        current = users.find_user_by_email(conn, email)
        if current is None:
            return _insert_user(conn, email, name, fresh_hash)
        same_password = _matches(current.password_hash, password)
        if same_password and current.name == name:
            return current
        users.update_user(
            conn, current.id, name, current.password_hash if same_password else fresh_hash
        )
        if not same_password:
            sign_ins.delete_sign_ins_of(conn, current.id)
        return users.get_user(conn, current.id) or current


def create_account(
    store: Store, actor: User, project_id: str, email: str, name: str, password: str, role: str
) -> User:
    """A new account (never an admin) in one project; administrators only (issue 19, M4).

    A project owner could otherwise create an account for someone else's email with a
    password of their choosing, and own it once an administrator adds that person.
    """
    if not actor.is_admin:
        raise ForbiddenError("only administrators create accounts; owners add existing ones")
    email, role = _check(email, password), _role(role)
    password_hash = _HASHER.hash(password)
    with store.transaction() as conn:
        if users.find_user_by_email(conn, email) is not None:
            raise InvalidRequestError(f"an account with the email {email!r} exists: add it")
        user = _insert_user(conn, email, name.strip()[:200] or None, password_hash)
        _set_role(conn, project_id, user.id, role)
        return user


# The first administrator.


def setup_token(store: Store) -> str | None:
    """The one-time token that creates the first administrator; None once a user exists."""
    with store.transaction() as conn:
        if users.count_users(conn) > 0:
            return None
        return accounts.instance_secret(conn, SETUP_TOKEN)


def create_first_admin(store: Store, token: str, email: str, name: str, password: str) -> SignIn:
    """The first account, an admin, for the holder of the set-up token; exactly once.

    The token is checked before the password is hashed, so without it a request costs
    no hashing. Claiming it deletes it in the database: of concurrent requests with the
    right token, one commits and the others find it gone (issue 19, M6).
    """
    email = _check(email, password)
    with store.connect() as conn:
        if users.count_users(conn) > 0:
            raise InvalidRequestError(ADMIN_EXISTS)
        expected = accounts.peek_instance_secret(conn, SETUP_TOKEN)
    if expected is None or not hmac.compare_digest(token.encode(), expected.encode()):
        raise ForbiddenError(
            "wrong or used set-up token: `powerrag serve` prints it, "
            "`powerrag user setup-token` shows it"
        )
    password_hash = _HASHER.hash(password)
    with store.transaction() as conn:
        if not accounts.take_instance_secret(conn, SETUP_TOKEN, token):
            raise InvalidRequestError(ADMIN_EXISTS)
        user = _insert_user(conn, email, name.strip()[:200] or None, password_hash)
        if not user.is_admin:
            raise InvalidRequestError(ADMIN_EXISTS)
        return _start_sign_in(conn, user)


# Projects and memberships.


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
        return memberships.role_of(conn, project_id, user.id) == OWNER


def create_project(store: Store, name: str, owner: User) -> Project:
    """A new project; the user who creates it becomes its owner."""
    if not name.strip():
        raise InvalidRequestError("a project needs a name")
    with store.transaction() as conn:
        project = accounts.create_project(conn, name.strip()[:200])
        memberships.set_membership(conn, project.id, owner.id, OWNER)
        return project


def _role(role: str) -> str:
    if role not in ROLES:
        raise InvalidRequestError(f"role is one of {', '.join(ROLES)}, not {role!r}")
    return role


def _set_role(conn: Connection, project_id: str, user_id: str, role: str) -> None:
    """Add or change a membership; the last owner is never demoted, by any path (L7)."""
    memberships.guard_owners(conn, project_id)
    before = memberships.role_of(conn, project_id, user_id)
    memberships.set_membership(conn, project_id, user_id, role)
    if before == OWNER and memberships.count_owners(conn, project_id) == 0:
        raise InvalidRequestError(LAST_OWNER)


def list_members(store: Store, project_id: str) -> list[Member]:
    with store.connect() as conn:
        return memberships.list_members(conn, project_id)


def add_member(store: Store, project_id: str, email: str, role: str) -> None:
    """Give the account with this email access to the project, if there is one.

    Says nothing either way, so the form cannot tell which emails have accounts (L9).
    """
    role = _role(role)
    with store.transaction() as conn:
        user = users.find_user_by_email(conn, _email(email))
        if user is not None:
            _set_role(conn, project_id, user.id, role)


def remove_member(store: Store, project_id: str, user_id: str) -> bool:
    """Take a user out of the project; their next request to it is refused (404)."""
    with store.transaction() as conn:
        memberships.guard_owners(conn, project_id)
        role = memberships.role_of(conn, project_id, user_id)
        if role == OWNER and memberships.count_owners(conn, project_id) == 1:
            raise InvalidRequestError(LAST_OWNER)
        return memberships.remove_membership(conn, project_id, user_id)


def join_project(store: Store, user: User, project_id: str, role: str) -> None:
    """Make the user a member of an existing project (`powerrag user create --project`)."""
    role = _role(role)
    with store.transaction() as conn:
        if accounts.get_project(conn, project_id) is None:
            raise InvalidRequestError(
                f"no project with id {project_id!r} (see `powerrag project list`)"
            )
        _set_role(conn, project_id, user.id, role)


# API keys.


def list_keys(store: Store, project_id: str | None = None) -> list[ApiKey]:
    """A project's keys, or every project's (`powerrag keys list`)."""
    with store.connect() as conn:
        return accounts.list_api_keys(conn, project_id)


def create_key(store: Store, project_id: str, note: str | None) -> tuple[ApiKey, str]:
    """A key pair for an existing project; the secret is returned this once."""
    with store.transaction() as conn:
        if accounts.get_project(conn, project_id) is None:
            raise InvalidRequestError(
                f"no project with id {project_id!r} (see `powerrag project list`)"
            )
        return accounts.create_api_key(conn, project_id, note=note or None)


def revoke_key(store: Store, key: str, project_id: str | None = None) -> bool:
    """Revoke by id or public key (within the project, when given); True if one was live."""
    with store.transaction() as conn:
        return accounts.revoke_api_key(conn, key, project_id)


# Projects and keys for the CLI and the first start.


def all_projects(store: Store) -> list[Project]:
    with store.connect() as conn:
        return accounts.list_projects(conn)


def create_project_with_key(
    store: Store, name: str, project_id: str | None = None
) -> tuple[Project, ApiKey, str]:
    """A project and its first key pair (`powerrag project create`)."""
    with store.transaction() as conn:
        project = accounts.create_project(conn, name, project_id)
        key, secret = accounts.create_api_key(conn, project.id)
        return project, key, secret


def ensure_init_project(
    store: Store,
    project_id: str,
    name: str,
    owner: User | None,
    key_pair: tuple[str, str] | None,
) -> None:
    """LANGFUSE_INIT_PROJECT_*: the project, its owner and its key pair, idempotently."""
    with store.transaction() as conn:
        accounts.serialise_setup(conn)
        accounts.ensure_project(conn, project_id, name)
        if owner is not None:
            # As in Langfuse, the init user owns the init project.
            _set_role(conn, project_id, owner.id, OWNER)
        if key_pair is not None:
            accounts.ensure_api_key(conn, project_id, *key_pair)


def create_first_project(store: Store, name: str) -> tuple[Project, str, str] | None:
    """On a database without projects: one, with a key pair (public key, secret) shown once."""
    with store.transaction() as conn:
        accounts.serialise_setup(conn)
        if accounts.list_projects(conn):
            return None
        project = accounts.create_project(conn, name)
        key, secret = accounts.create_api_key(conn, project.id, note="created on first start")
        return project, key.public_key, secret
