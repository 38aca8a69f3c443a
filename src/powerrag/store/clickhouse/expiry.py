"""Row TTL of the trace data in ClickHouse: when a row may go, stamped at write time.

Migration 0003 gives each table that holds per-trace rows an `expires_at` and
`TTL expires_at DELETE`. The retention job (powerrag/retention.py) deletes exactly, by
tombstones; the TTL is the backstop that frees the disk when the job did not run, and the
only thing that ever drops the tombstones themselves. A row expires a day of grace after
its project's retention from a time that never changes for the row (`BASES`), so every
version of a row carries the same stamp; a tombstone a day later still, so it never goes
before the rows it hides. Projects that keep everything stamp `NEVER`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from powerrag.domain.retention import DAY_US, effective_days
from powerrag.store.infra.schema import projects

# The latest time a ClickHouse DateTime holds (2106-02-07T06:28:15Z): "never expires".
NEVER = 4_294_967_295
GRACE_DAYS = 1
_DAY_S = DAY_US // 1_000_000
# The column each table's expiry counts from (microseconds), a time of PowerRAG's clock (an
# SDK's timestamps may be years old: ClickHouse drops rows already expired as it inserts
# them). `created_at` is pinned by the first write of a row, so its versions expire
# together; a trace update (ClickHouse's own `created_at`, migration 0003) is rewritten
# only by its resend, whose later stamp is safe, and its tombstone takes the newest one.
BASES = {
    "observations": "created_at",
    "scores": "created_at",
    "traces": "created_at",
    "trace_updates": "created_at",
}


def project_days(pg: Connection, project_id: str, default_days: int) -> int:
    """The days the project keeps data (0: everything), read in the caller's transaction."""
    own = pg.execute(select(projects.c.retention_days).where(projects.c.id == project_id))
    return effective_days(own.scalar(), default_days)


def expires_at(base_us: int, days: int, *, deleted: bool = False) -> int:
    """Seconds since the epoch at which a row stamped from `base_us` may go."""
    if days <= 0:
        return NEVER
    extra = days + GRACE_DAYS + (GRACE_DAYS if deleted else 0)
    return min(NEVER, max(0, base_us // 1_000_000 + extra * _DAY_S))


def stamped(
    table: str, rows: Sequence[dict[str, Any]], days: int | None, *, deleted: bool
) -> Sequence[dict[str, Any]]:
    """The rows with their `expires_at` when `table` has one; `days` is then required."""
    base = BASES.get(table)
    if base is None:
        return rows
    if days is None:
        raise ValueError(f"rows of {table} need their project's retention days")
    return [{**r, "expires_at": expires_at(int(r[base]), days, deleted=deleted)} for r in rows]


def restamp_statement(table: str, project_id: str, days: int, cluster: str | None) -> str:
    """Stamp every version of the project's rows in `table` anew, as `expires_at` would."""
    base = BASES[table]
    on_cluster = f" ON CLUSTER `{cluster}`" if cluster else ""
    if days <= 0:
        value = str(NEVER)
    else:
        extra = f"({days + GRACE_DAYS} + {GRACE_DAYS} * is_deleted) * {_DAY_S}"
        value = f"least({NEVER}, greatest(0, intDiv({base}, 1000000) + {extra}))"
    quoted = project_id.replace("\\", "\\\\").replace("'", "\\'")
    return (
        f"ALTER TABLE {table}{on_cluster} UPDATE expires_at = toDateTime({value}, 'UTC') "
        f"WHERE project_id = '{quoted}'"
    )
