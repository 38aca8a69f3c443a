"""UI user accounts: rows of the users table (password hashes are made in `query`)."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, func, insert, select, update

from powerrag.domain.timeutil import now_us
from powerrag.store.accounts import User
from powerrag.store.infra.schema import users


def user_from_row(row: object) -> User:
    r = dict(row)  # type: ignore[call-overload]
    return User(r["id"], r["email"], r["name"], r["password_hash"], bool(r["is_admin"]))


def count_users(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(users)).scalar_one())


def find_user_by_email(conn: Connection, email: str) -> User | None:
    row = conn.execute(select(users).where(users.c.email == email)).mappings().first()
    return None if row is None else user_from_row(row)


def get_user(conn: Connection, user_id: str) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
    return None if row is None else user_from_row(row)


def insert_user(
    conn: Connection, email: str, name: str | None, password_hash: str, *, is_admin: bool
) -> User:
    user = User(uuid.uuid4().hex, email, name, password_hash, is_admin)
    conn.execute(
        insert(users).values(
            id=user.id,
            email=email,
            name=name,
            password_hash=password_hash,
            is_admin=is_admin,
            created_at=now_us(),
        )
    )
    return user


def update_user(conn: Connection, user_id: str, name: str | None, password_hash: str) -> None:
    conn.execute(
        update(users).where(users.c.id == user_id).values(name=name, password_hash=password_hash)
    )


def set_admin(conn: Connection, user_id: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(is_admin=True))


def list_admins(conn: Connection) -> list[User]:
    """The administrators, by email: they open every project without a membership."""
    query = select(users).where(users.c.is_admin.is_(True)).order_by(users.c.email)
    return [user_from_row(r) for r in conn.execute(query).mappings()]
