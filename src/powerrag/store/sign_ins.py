"""Sign-ins: one row per signed-in browser, found by the hash of its cookie's token.

A sign-in is revocable because it lives here: signing out deletes its row, "sign out
everywhere" and a password change delete every row of the user (issue 19, M3).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, delete, insert, select

from powerrag.store.accounts import User
from powerrag.store.infra.schema import sign_ins, users
from powerrag.store.users import user_from_row


def hash_token(token: str) -> str:
    """SHA-256 of a cookie token: the token is random, so no salt or slow hash is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def insert_sign_in(
    conn: Connection, user_id: str, token: str, *, now: int, expires_at: int
) -> None:
    """Record a sign-in and forget the user's expired ones (so rows never pile up)."""
    s = sign_ins.c
    conn.execute(delete(sign_ins).where(s.user_id == user_id, s.expires_at <= now))
    conn.execute(
        insert(sign_ins).values(
            token_hash=hash_token(token), user_id=user_id, created_at=now, expires_at=expires_at
        )
    )


def user_of_sign_in(conn: Connection, token: str, now: int) -> User | None:
    """The user of a live sign-in, or None when it was revoked, expired or never existed."""
    s = sign_ins.c
    query = (
        select(users)
        .join_from(users, sign_ins, s.user_id == users.c.id)
        .where(s.token_hash == hash_token(token), s.expires_at > now)
    )
    row = conn.execute(query).mappings().first()
    return None if row is None else user_from_row(row)


def delete_sign_in(conn: Connection, token: str) -> None:
    conn.execute(delete(sign_ins).where(sign_ins.c.token_hash == hash_token(token)))


def delete_sign_ins_of(conn: Connection, user_id: str) -> int:
    """End every sign-in of the user; how many there were."""
    return int(conn.execute(delete(sign_ins).where(sign_ins.c.user_id == user_id)).rowcount)
