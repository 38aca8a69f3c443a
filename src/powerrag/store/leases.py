"""Worker leases: at most one holder of a named lease at a time, across every replica.

`hold` takes a free or expired lease, or renews the caller's own, in the caller's
transaction. On PostgreSQL its UPDATE locks the row until that transaction ends, so a
second replica's `hold` waits and then finds the lease taken; on SQLite the write
transaction already excludes every other writer. Work done in the same transaction as a
successful `hold` is therefore never done by two holders at once.
"""

from __future__ import annotations

from sqlalchemy import Connection, or_, update

from powerrag.store.infra.dialect import upsert
from powerrag.store.infra.schema import worker_leases

_w = worker_leases.c


def hold(conn: Connection, name: str, owner: str, now: int, until: int) -> bool:
    """Take the lease `name` for `owner` until `until`, or renew it; False when another
    owner holds it unexpired."""
    upsert(
        conn,
        worker_leases,
        [{"name": name, "owner": None, "lease_until": 0, "updated_at": now}],
        keys=("name",),
        keep=("owner", "lease_until", "updated_at"),
    )
    result = conn.execute(
        update(worker_leases)
        .where(
            _w.name == name,
            or_(_w.owner.is_(None), _w.owner == owner, _w.lease_until < now),
        )
        .values(owner=owner, lease_until=until, updated_at=now)
    )
    return result.rowcount == 1


def release(conn: Connection, name: str, owner: str, now: int) -> None:
    """Give the lease back if `owner` still holds it, so the next replica need not wait."""
    conn.execute(
        update(worker_leases)
        .where(_w.name == name, _w.owner == owner)
        .values(owner=None, lease_until=0, updated_at=now)
    )


def holder(conn: Connection, name: str, now: int) -> str | None:
    """Who holds the lease unexpired at `now`, if anyone."""
    row = (
        conn.execute(worker_leases.select().where(_w.name == name, _w.lease_until >= now))
        .mappings()
        .first()
    )
    return None if row is None else row["owner"]
