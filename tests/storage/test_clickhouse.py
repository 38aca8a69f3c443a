"""PostgreSQL + ClickHouse beyond the contract suite: row versions and tombstones, insert
deduplication, the reconciler, migrations, LIKE wildcards, export and import, clear errors.

One store (one chDB database, one PostgreSQL database) for the module; each test writes
under a project of its own.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from powerrag.domain.filters import PageRequest, TraceFilter, TraceOrder
from powerrag.domain.records import IngestBatch
from powerrag.domain.timeutil import now_us
from powerrag.store import accounts
from powerrag.store.clickhouse import migrate
from powerrag.store.clickhouse.client import ClickHouse, ClickHouseUnavailableError
from powerrag.store.clickhouse.expiry import BASES
from powerrag.store.clickhouse.store import ClickHouseNeedsPostgresError, ClickHouseStore
from powerrag.store.clickhouse.writer import next_version
from powerrag.store.database import Store
from powerrag.store.infra import schema
from powerrag.store.infra.migrate import SchemaMismatchError
from powerrag.store.transfer import export_project, import_project
from tests.support.clickhouse import chdb_database
from tests.support.pg import PostgresServer, unique_db_name
from tests.support.records import (
    Child,
    TraceSpec,
    Usage,
    child_batch,
    merged,
    root_batch,
    score,
    trace_batch,
)

pytestmark = pytest.mark.postgres
ALL = PageRequest(1, 100)

# Session s1: two traces of two spans each, 150 + 16 tokens (as sent), cost 1.0 + 0.5.
A = TraceSpec(
    "t-a",
    50,
    name="chat",
    user_id="alice",
    session_id="s1",
    children=(Child("a-gen", 0.5, usage=Usage(100, 40, 150, 0.25, 0.5, 1.0)),),
)
B = TraceSpec(
    "t-b",
    10,
    name="chat",
    user_id="bob",
    session_id="s1",
    children=(
        Child(
            "b-gen",
            0.5,
            usage=Usage(10, 4, 16, 0.125, 0.25, 0.5),
            output='"the kettle is boiling"',
        ),
    ),
)


def world() -> IngestBatch:
    scored = IngestBatch(scores=[score("sc-1", "quality", 51, value=0.9, trace_id="t-a")])
    return merged(trace_batch(A), trace_batch(B), scored)


@pytest.fixture(scope="module")
def store(postgres_server: PostgresServer) -> Iterator[ClickHouseStore]:
    name = unique_db_name("clickhouse")
    with chdb_database() as clickhouse_url:
        opened = Store.open(postgres_server.create_database(name), clickhouse_url=clickhouse_url)
        assert isinstance(opened, ClickHouseStore)
        yield opened
        opened.close()
    postgres_server.drop_database(name)


def _count(store: ClickHouseStore, sql: str) -> int:
    return int(store.ch.client.query(sql).result_rows[0][0])


def test_a_resend_adds_versions_that_final_reads_as_one(store: ClickHouseStore) -> None:
    store.write_batches([("p-resend", world())])
    store.write_batches([("p-resend", world())])
    where = "FROM observations WHERE project_id = 'p-resend'"
    assert _count(store, f"SELECT count() {where}") == 8  # two versions of four spans
    assert _count(store, f"SELECT count() {where} SETTINGS final = 1") == 4
    versions = store.ch.client.query(
        "SELECT DISTINCT row_version FROM traces WHERE project_id = 'p-resend' ORDER BY 1"
    ).result_rows
    assert len(versions) == 2 and versions[0][0] < versions[1][0]


def test_a_session_row_is_newer_than_the_traces_it_sums(store: ClickHouseStore) -> None:
    store.write_batches([("p-order", world())])
    trace, session = (
        _count(store, f"SELECT max(row_version) FROM {table} WHERE project_id = 'p-order'")
        for table in ("traces", "sessions")
    )
    assert session > trace > 0


def test_a_delete_writes_tombstones_and_a_rewrite_brings_the_trace_back(
    store: ClickHouseStore,
) -> None:
    store.write_batches([("p-delete", world())])
    assert store.delete_traces("p-delete", ["t-a"]) == 1
    where = "FROM observations WHERE project_id = 'p-delete' AND trace_id = 't-a'"
    assert _count(store, f"SELECT count() {where} AND is_deleted = 1") == 2
    assert _count(store, f"SELECT count() {where} SETTINGS final = 1") == 0
    store.write_batches([("p-delete", world())])
    with store.reading() as data:
        trace = data.get_trace("p-delete", "t-a")
        session = data.get_session("p-delete", "s1")
    assert trace is not None and trace.observation_count == 2
    assert session is not None and (session.trace_count, session.total_tokens) == (2, 166.0)


def test_an_insert_retried_with_the_same_rows_is_stored_once(store: ClickHouseStore) -> None:
    row = {"project_id": "p-dedup", "id": "o1", "body": "{}", "row_version": 7, "is_deleted": 0}
    columns = tuple(row)
    store.ch.insert("span_origins", [row], columns)
    store.ch.insert("span_origins", [row], columns)
    assert _count(store, "SELECT count() FROM span_origins WHERE project_id = 'p-dedup'") == 1


# A generation added to t-a (session s1) by a writer that died before its commit.
LATE = Child("a-late", 2.0, usage=Usage(5, 5, 10, 0.5, 0.5, 1.0))


def test_the_reconciler_repairs_what_a_writer_left_between_insert_and_commit(
    store: ClickHouseStore,
) -> None:
    store.write_batches([("p-crash", world())])
    late = child_batch(A, LATE)
    with store.engine.connect() as pg:
        version = next_version(pg)
        store._ch_writer.write_records(pg, "p-crash", late, version, now_us())
        pg.rollback()  # the writer dies: no recompute, no commit
    with store.reading() as data:
        stale = data.get_session("p-crash", "s1")
    assert stale is not None and (stale.total_tokens, stale.total_cost) == (166.0, 1.5)

    assert store.reconcile() == (1, 1)
    with store.reading() as data:
        trace, session = data.get_trace("p-crash", "t-a"), data.get_session("p-crash", "s1")
    assert trace is not None and (trace.observation_count, trace.total_tokens) == (3, 160.0)
    assert session is not None
    assert (session.trace_count, session.total_tokens, session.total_cost) == (2, 176.0, 2.5)
    assert json.loads(session.user_ids) == ["alice", "bob"]
    assert store.reconcile() == (0, 0)


def test_like_wildcards_in_a_filter_match_only_themselves(store: ClickHouseStore) -> None:
    for trace_id, user in (("t-1", "a_b%c"), ("t-2", "axbyc"), ("t-3", "a!b")):
        batch = root_batch(dataclasses.replace(A, id=trace_id, user_id=user, children=()))
        store.write_batches([("p-like", batch)])

    def found(text: str) -> list[str]:
        with store.reading() as data:
            rows = data.list_traces("p-like", TraceFilter(user_contains=text), TraceOrder(), ALL)
        return sorted(r.id for r in rows)

    assert found("a_b%") == ["t-1"]
    assert found("A!B") == ["t-3"]
    assert found("b") == ["t-1", "t-2", "t-3"]


def test_migrations_are_recorded_once_and_the_tables_have_the_schemas_columns(
    store: ClickHouseStore,
) -> None:
    migrate.upgrade(store.ch, store.url)
    assert migrate.applied(store.ch) == list(migrate.MIGRATIONS)
    for table in (
        schema.traces,
        schema.observations,
        schema.sessions,
        schema.scores,
        schema.trace_updates,
        schema.span_origins,
    ):
        described = store.ch.client.query(f"DESCRIBE TABLE {table.name}").result_rows
        expiry = {"expires_at"} if table.name in BASES else set()
        expiry |= {"created_at"} if table.name == "trace_updates" else set()
        assert {r[0] for r in described} == {c.name for c in table.c} | expiry | {
            "row_version",
            "is_deleted",
        }


def test_a_schema_newer_than_this_powerrag_is_refused(store: ClickHouseStore) -> None:
    with chdb_database("newer") as url:
        other = ClickHouse(url)
        migrate.upgrade(other, store.url)
        migrate.check_current(other)
        other.command(f"INSERT INTO {migrate.LEDGER} VALUES ('0002_future', now64(6))")
        with pytest.raises(SchemaMismatchError, match="0002_future, newer than this PowerRAG"):
            migrate.check_current(other)
        other.close()


def test_the_cluster_variant_is_generated_from_the_same_files() -> None:
    single, cluster = (
        migrate.statements("0001_trace_data"),
        migrate.statements("0001_trace_data", "main"),
    )
    assert len(single) == len(cluster) == 7
    for one, many in zip(single, cluster, strict=True):
        assert "ReplacingMergeTree(row_version, is_deleted)" in one and "ON CLUSTER" not in one
        assert "ON CLUSTER `main`" in many
        assert (
            "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}'" in many
        )


def test_export_from_clickhouse_and_import_into_it_move_the_project(
    store: ClickHouseStore,
) -> None:
    with store.transaction() as conn:
        accounts.create_project(conn, "moving", "p-move")
    store.write_batches([("p-move", world())])
    out = io.BytesIO()
    with store.connect() as conn:
        counts = export_project(conn, "p-move", out, store.elsewhere)
    assert {t: counts.rows[t] for t in ("traces", "observations", "sessions", "scores")} == {
        "traces": 2,
        "observations": 4,
        "sessions": 1,
        "scores": 1,
    }
    with store.reading() as data:
        before = data.list_traces("p-move", TraceFilter(), TraceOrder(), ALL)
    assert store.delete_traces("p-move", [t.id for t in before]) == 2
    with store.transaction() as conn:
        conn.execute(text("DELETE FROM projects WHERE id = 'p-move'"))
    for _ in range(2):  # importing twice changes nothing
        with store.transaction() as conn:
            import_project(conn, io.BytesIO(out.getvalue()), store.elsewhere)
    with store.reading() as data:
        assert data.list_traces("p-move", TraceFilter(), TraceOrder(), ALL) == before
    assert store.index_search(100, "p-move") == 2
    with store.reading() as data:
        found = data.list_traces("p-move", TraceFilter(text="kettle"), TraceOrder(), ALL)
    assert [t.id for t in found] == ["t-b"]


def test_clickhouse_needs_postgresql_and_a_url_it_understands() -> None:
    with pytest.raises(ClickHouseNeedsPostgresError, match="needs a PostgreSQL --database-url"):
        Store.open("sqlite:///unused.db", clickhouse_url="chdb:///unused")
    with pytest.raises(ClickHouseUnavailableError, match="neither http"):
        ClickHouse("ftp://host/db")
    with pytest.raises(ClickHouseUnavailableError, match="names no data directory"):
        ClickHouse("chdb://")


def test_an_empty_batch_writes_nothing(store: ClickHouseStore) -> None:
    store.write_batches([("p-empty", IngestBatch())])
    assert _count(store, "SELECT count() FROM traces WHERE project_id = 'p-empty'") == 0
