"""Export and import of one project as JSON Lines, to move it between databases.

The file is a header line, then one line per stored row (`{"table": ..., "row": ...}`)
and an end line with the row counts, so a truncated file is refused. Rows are
streamed in both directions (server-side cursor out, batched upserts in), so a
project of any size moves in little memory. Importing twice changes nothing.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

import orjson
from sqlalchemy import Connection, Table, select

from powerrag.domain.errors import PowerRAGError
from powerrag.domain.timeutil import now_us
from powerrag.store.infra.dialect import upsert
from powerrag.store.infra.migrate import head_revision
from powerrag.store.infra.schema import (
    alerts,
    annotation_queue_assignments,
    annotation_queue_items,
    annotation_queues,
    api_keys,
    check_rules,
    comments,
    dataset_items,
    dataset_run_items,
    dataset_runs,
    datasets,
    evaluation_rules,
    evaluators,
    llm_connections,
    media,
    media_blobs,
    media_links,
    models,
    observations,
    project_memberships,
    projects,
    prompt_labels,
    prompt_tags,
    prompts,
    score_configs,
    scores,
    sessions,
    span_content_events,
    span_origins,
    trace_updates,
    traces,
    users,
)
from powerrag.store.search_index import mark_project, mark_traces

FORMAT = "powerrag-project"
FORMAT_VERSION = 1
_BATCH = 1000  # rows per streamed fetch and per upsert
# In this order: a partial import never holds rows whose project is missing.
# Jobs stay behind: they are this installation's work (an import must not fire webhooks again).
PROJECT_TABLES: tuple[Table, ...] = (
    projects,
    api_keys,
    check_rules,
    alerts,
    # A connection's key is encrypted with this installation's secret: another one cannot
    # read it, and its judges fail with "save it again" until someone does.
    llm_connections,
    evaluators,
    evaluation_rules,
    prompts,
    prompt_labels,
    prompt_tags,
    # A project's own model prices (the bundled ones are every installation's).
    models,
    score_configs,
    traces,
    trace_updates,
    span_origins,
    observations,
    span_content_events,
    sessions,
    scores,
    comments,
    annotation_queues,
    annotation_queue_items,
    annotation_queue_assignments,
    media,
    media_blobs,
    media_links,
    datasets,
    dataset_items,
    dataset_runs,
    dataset_run_items,
)
# Accounts are not per project (the UI logins travel with it); memberships follow them.
ACCOUNT_TABLES: tuple[Table, ...] = (users, project_memberships)
TABLES = {t.name: t for t in (*PROJECT_TABLES, *ACCOUNT_TABLES)}
# Media bytes travel as base64 text (JSON has no bytes), a few rows at a time: each may
# be as large as `media_max_bytes`.
_BINARY: dict[str, tuple[str, ...]] = {media_blobs.name: ("content",)}
_BLOB_BATCH = 8


class TraceTables(Protocol):
    """Tables a store keeps outside its database (ClickHouse: store/clickhouse/transfer.py)."""

    names: frozenset[str]

    def rows(self, table: Table, project_id: str) -> Iterator[dict[str, Any]]:
        """The project's rows of `table`, streamed."""

    def write(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        """Store rows of `table`, replacing those with the same key (`conn`: the import's)."""


class TransferError(PowerRAGError):
    """The export file cannot be imported (wrong format, version, or truncated)."""


@dataclass
class TransferCounts:
    """Rows per table, written to the end line and reported by the CLI."""

    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int = 1) -> None:
        name = str(table)  # table names are quoted_name; orjson wants plain str keys
        self.rows[name] = self.rows.get(name, 0) + n

    def summary(self) -> str:
        return ", ".join(f"{n} {t}" for t, n in self.rows.items())


def _line(value: dict[str, Any]) -> bytes:
    return orjson.dumps(value) + b"\n"


def _batch(table: Table) -> int:
    return _BLOB_BATCH if table.name in _BINARY else _BATCH


def _exported(value: Any) -> Any:
    return base64.b64encode(value).decode() if isinstance(value, bytes | memoryview) else value


def _streamed(conn: Connection, table: Table, project_id: str) -> Iterator[dict[str, Any]]:
    key = table.c.id if table is projects else table.c.project_id
    query = select(table).where(key == project_id).order_by(*table.primary_key.columns)
    result = conn.execution_options(yield_per=_batch(table)).execute(query)
    for row in result.mappings():
        yield {str(k): _exported(v) for k, v in row.items()}  # orjson wants plain str keys


def _imported(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The row with its binary columns decoded from base64."""
    columns = _BINARY.get(table.name, ())
    try:
        return {
            k: base64.b64decode(v, validate=True) if k in columns else v for k, v in row.items()
        }
    except (binascii.Error, TypeError, ValueError):
        raise TransferError(f"a {table.name} row holds bytes that are not base64") from None


def export_project(
    conn: Connection, project_id: str, out: IO[bytes], elsewhere: TraceTables | None = None
) -> TransferCounts:
    """Write every row of the project, every user account and the project's memberships
    (the tables `elsewhere` names read from it)."""
    if conn.execute(select(projects.c.id).where(projects.c.id == project_id)).first() is None:
        raise TransferError(f"no project with id {project_id!r} (see `powerrag project list`)")
    header = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "schema": head_revision(),
        "project_id": project_id,
        "exported_at": now_us(),
    }
    out.write(_line(header))
    counts = TransferCounts()
    for table in PROJECT_TABLES:
        outside = elsewhere is not None and table.name in elsewhere.names
        rows = elsewhere.rows(table, project_id) if elsewhere and outside else None
        for row in rows if rows is not None else _streamed(conn, table, project_id):
            out.write(_line({"table": table.name, "row": row}))
            counts.add(table.name)
    user_rows = conn.execution_options(yield_per=_BATCH).execute(select(users).order_by(users.c.id))
    for user in user_rows.mappings():
        out.write(_line({"table": users.name, "row": {str(k): v for k, v in user.items()}}))
        counts.add(users.name)
    for row in _streamed(conn, project_memberships, project_id):
        out.write(_line({"table": project_memberships.name, "row": row}))
        counts.add(project_memberships.name)
    out.write(_line({"end": counts.rows}))
    return counts


def _records(lines: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise TransferError(f"line {number} is not JSON: {exc}") from None
        if not isinstance(value, dict):
            raise TransferError(f"line {number} is not a JSON object")
        yield value


def _check_header(header: dict[str, Any] | None) -> str:
    if header is None or header.get("format") != FORMAT:
        raise TransferError("not a PowerRAG project export (the first line is not its header)")
    if header.get("version") != FORMAT_VERSION:
        raise TransferError(f"export format version {header.get('version')} is not supported")
    if header.get("schema") != head_revision():
        raise TransferError(
            f"the export was made with database schema {header.get('schema')}, this PowerRAG "
            f"has {head_revision()}: import it with the PowerRAG version that exported it"
        )
    return str(header["project_id"])


def _local_members(
    conn: Connection, rows: list[dict[str, Any]], emails: dict[str, str]
) -> list[dict[str, Any]]:
    """Membership rows pointed at this database's account with the exported user's email.

    An account that already existed here kept its own id (see `_write`), so the
    exported user id is translated through the email.
    """
    if any(r["user_id"] not in emails for r in rows):
        raise TransferError("a project_memberships row names a user the export does not hold")
    wanted = {emails[r["user_id"]] for r in rows}
    found = conn.execute(select(users.c.email, users.c.id).where(users.c.email.in_(wanted)))
    local = {str(email): str(user_id) for email, user_id in found}
    return [{**r, "user_id": local[emails[r["user_id"]]]} for r in rows]


def _write(
    conn: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    emails: dict[str, str],
    elsewhere: TraceTables | None,
) -> None:
    if elsewhere is not None and table.name in elsewhere.names:
        elsewhere.write(conn, table, rows)
        return
    if table is project_memberships:
        rows = _local_members(conn, rows, emails)
    if table is users:
        # An account that already exists here (same email) is kept as it is.
        keep = tuple(c.name for c in users.c if c.name != "email")
        upsert(conn, users, rows, keys=("email",), keep=keep)
    else:
        upsert(conn, table, rows, keys=tuple(c.name for c in table.primary_key.columns))


def import_project(
    conn: Connection, lines: Iterable[bytes], elsewhere: TraceTables | None = None
) -> tuple[str, TransferCounts]:
    """Upsert every row of an export in the caller's transaction (the tables `elsewhere`
    names into it); returns the project id."""
    records = _records(lines)
    project_id = _check_header(next(records, None))
    counts = TransferCounts()
    pending: list[dict[str, Any]] = []
    current: Table | None = None
    emails: dict[str, str] = {}  # exported user id -> email, to place memberships
    imported_traces: set[str] = set()
    for record in records:
        if "end" in record:
            if pending and current is not None:
                _write(conn, current, pending, emails, elsewhere)
            if record["end"] != counts.rows:
                raise TransferError(f"the file's rows {counts.rows} differ from its end line")
            # The search index is not exported: the search indexer builds it from the rows.
            if elsewhere is None:
                mark_project(conn, project_id, now_us())
            else:
                mark_traces(conn, project_id, sorted(imported_traces), now_us())
            return project_id, counts
        table = TABLES.get(str(record.get("table")))
        if table is None:
            raise TransferError(f"unknown table {record.get('table')!r} in the export")
        row = record.get("row")
        if not isinstance(row, dict) or set(row) != set(table.c.keys()):
            raise TransferError(f"a {table.name} row does not have the columns of this schema")
        if table is users:
            emails[str(row["id"])] = str(row["email"])
        elif row["id" if table is projects else "project_id"] != project_id:
            raise TransferError(f"a {table.name} row belongs to another project")
        if table is traces:
            imported_traces.add(str(row["id"]))
        if table is not current or len(pending) >= _batch(table):
            if pending and current is not None:
                _write(conn, current, pending, emails, elsewhere)
            pending, current = [], table
        pending.append(_imported(table, row))
        counts.add(table.name)
    raise TransferError("the export is truncated: its end line is missing")
