"""The one upsert helper that works on SQLite and PostgreSQL.

Upserts go to the driver's `executemany` with SQL text built once per shape:
SQLAlchemy's per-row parameter processing cost more than the database work
on the ingest path (see docs/benchmarks.md). `INSERT ... ON CONFLICT ... DO
UPDATE SET c = excluded.c` reads the same on both engines; only the
placeholder differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Connection, Table, cast, extract, func


@cache
def _upsert_sql(
    dialect: str,
    table: Table,
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    keep: tuple[str, ...],
    where: str,
) -> str:
    mark = "%s" if dialect == "postgresql" else "?"
    names = ", ".join(columns)
    marks = ", ".join(mark for _ in columns)
    updates = [c for c in columns if c not in keys and c not in keep]
    conflict = ", ".join(keys)
    if updates:
        assignments = ", ".join(f"{c} = excluded.{c}" for c in updates)
        action = f"DO UPDATE SET {assignments}" + (f" WHERE {where}" if where else "")
    else:
        action = "DO NOTHING"
    return f"INSERT INTO {table.name} ({names}) VALUES ({marks}) ON CONFLICT ({conflict}) {action}"


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    keys: Sequence[str],
    keep: Sequence[str] = (),
    where: str = "",
) -> None:
    """Insert rows; on a key conflict overwrite every column except `keys` and `keep`,
    only where the SQL condition `where` holds (it may name the table and `excluded`).

    All rows must have the same keys, which must be column names of `table`.
    """
    if not rows:
        return
    columns = tuple(rows[0])
    sql = _upsert_sql(conn.dialect.name, table, columns, tuple(keys), tuple(keep), where)
    params = [tuple(row[c] for c in columns) for row in rows]
    conn.exec_driver_sql(sql, params)


def lock_keys(conn: Connection, keys: Sequence[str]) -> None:
    """Hold a transaction-scoped lock per key, taken in sorted order (no deadlocks).

    PostgreSQL: advisory locks, so replicas writing the same trace or session
    serialise their refresh. SQLite: nothing to do, a write transaction already
    excludes every other writer.
    """
    if not keys or conn.dialect.name != "postgresql":
        return
    conn.exec_driver_sql(
        "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) "
        "FROM unnest(%s::text[]) AS k ORDER BY k",
        (sorted(set(keys)),),
    )


_US = 1_000_000
# strftime formats and their PostgreSQL to_char twins, for a microsecond time as UTC text.
_TEXT_FORMATS = {"%Y-%m": "YYYY-MM", "%Y-%m-%d": "YYYY-MM-DD"}


def _utc(column: Any) -> Any:
    return func.timezone("UTC", func.to_timestamp(column // _US))


def _ch_utc(column: Any) -> Any:
    return func.fromUnixTimestamp64Micro(column, "UTC")


def month_start(dialect: str, column: Any) -> Any:
    """The first microsecond of the UTC month of a microsecond time (SQLite's `start of
    month` modifier; PostgreSQL's date_trunc; ClickHouse's toStartOfMonth)."""
    if dialect == "clickhouse":
        return func.toUnixTimestamp(func.toStartOfMonth(_ch_utc(column)), "UTC") * _US
    if dialect == "postgresql":
        return cast(extract("epoch", func.date_trunc("month", _utc(column))), BigInteger) * _US
    seconds = func.strftime("%s", column // _US, "unixepoch", "start of month")
    return cast(seconds, BigInteger) * _US


def time_text(dialect: str, column: Any, strftime_format: str) -> Any:
    """A microsecond time as UTC text: `%Y-%m` or `%Y-%m-%d`."""
    if dialect == "clickhouse":  # formatDateTime reads strftime's %Y, %m and %d
        return func.formatDateTime(_ch_utc(column), strftime_format, "UTC")
    if dialect == "postgresql":
        return func.to_char(_utc(column), _TEXT_FORMATS[strftime_format])
    return func.strftime(strftime_format, column // _US, "unixepoch")
