"""Retention on PostgreSQL + ClickHouse (chDB): the job deletes exactly what is older, by
tombstones, and sessions' figures are right after; rows carry an expiry from their
project's retention, a merge drops an expired row, and a retention change stamps anew.

One store for the module, opened with a server default of 10 days; each test writes under
projects of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from powerrag.config import Settings
from powerrag.project_options import set_retention
from powerrag.retention import Retention
from powerrag.store import accounts, annotation_queues
from powerrag.store.clickhouse.compiled import ClickHouseSql
from powerrag.store.clickhouse.expiry import GRACE_DAYS, NEVER
from powerrag.store.clickhouse.store import ClickHouseStore
from powerrag.store.clickhouse.summaries import insert_versions
from powerrag.store.clickhouse.writer import next_version
from powerrag.store.database import Store
from powerrag.store.infra.schema import annotation_queue_items, sessions
from tests.support.clickhouse import chdb_database
from tests.support.lifecycle import Clock
from tests.support.pg import PostgresServer, unique_db_name
from tests.support.records import T0, Child, TraceSpec, Usage, score, trace_batch
from tests.support.retention import DAY, SESSION_FIGURES

pytestmark = pytest.mark.postgres

DEFAULT_DAYS = 10
KEEP_DAYS = 7
NOW = T0 + 40 * DAY
CUTOFF = NOW - KEEP_DAYS * DAY
DAY_S = DAY // 1_000_000


def _seconds(us: int) -> float:
    return (us - T0) / 1_000_000


def _turn(trace_id: str, session_id: str, at_us: int, user: str, cost: float) -> TraceSpec:
    """A trace of a root and a generation; binary-fraction costs keep sums exact."""
    usage = Usage(100, 20, 120, cost / 2, cost / 2, cost)
    child = Child(f"{trace_id}-g", 0.5, usage=usage)
    return TraceSpec(
        trace_id, _seconds(at_us), user_id=user, session_id=session_id, children=(child,)
    )


TURNS = [
    _turn("t-old", "s-split", CUTOFF - 3 * DAY, "ann", 0.5),
    _turn("t-edge-kept", "s-split", CUTOFF, "bob", 0.25),
    _turn("t-new", "s-split", NOW - DAY, "ann", 0.125),
    _turn("t-gone-1", "s-gone", CUTOFF - 5 * DAY, "cy", 1.0),
    _turn("t-gone-2", "s-gone", CUTOFF - 1, "cy", 2.0),
    _turn("t-young", "s-young", NOW - 2 * DAY, "dee", 4.0),
]
KEPT = {"t-edge-kept", "t-new", "t-young"}


@pytest.fixture(scope="module")
def urls(postgres_server: PostgresServer) -> Iterator[tuple[str, str]]:
    """A PostgreSQL database and a ClickHouse database for the module."""
    name = unique_db_name("chretention")
    with chdb_database() as clickhouse_url:
        yield postgres_server.create_database(name), clickhouse_url
    postgres_server.drop_database(name)


@pytest.fixture(scope="module")
def store(urls: tuple[str, str]) -> Iterator[ClickHouseStore]:
    opened = ClickHouseStore.open_on(*urls, pool_size=2, retention_days=DEFAULT_DAYS)
    yield opened
    opened.close()


def _project(store: Store, project_id: str, days: int | None) -> None:
    with store.transaction() as conn:
        accounts.create_project(conn, project_id, project_id)
        accounts.set_retention_days(conn, project_id, days)


def _write(store: Store, project_id: str, specs: list[TraceSpec], now: int | None = None) -> None:
    """Written `now` (the present when None: an expiry stamped from the past has come, and
    a background merge may drop the row at any moment)."""
    for spec in specs:
        store.write_batches([(project_id, trace_batch(spec))], now=now)


def _rows(store: ClickHouseStore, sql: str) -> list[tuple[Any, ...]]:
    """Raw rows, every version (no FINAL): what the merges and the TTL act on."""
    return [tuple(r) for r in store.ch.client.query(sql, settings={"final": 0}).result_rows]


def _ids(store: ClickHouseStore, table: str, column: str, project_id: str) -> set[str]:
    found = store.ch.query(f"SELECT {column} FROM {table} WHERE project_id = '{project_id}'")
    return {str(r[0]) for r in found.result_rows}


def _session_figures(store: ClickHouseStore, project_id: str) -> list[dict[str, Any]]:
    columns = [sessions.c[name] for name in SESSION_FIGURES]
    query = select(*columns).where(sessions.c.project_id == project_id).order_by(sessions.c.id)
    return [dict(r) for r in ClickHouseSql(store.ch).execute(query).mappings()]


def _end_session(store: ClickHouseStore, project_id: str, session_id: str, at: int) -> None:
    """A session ended as the lifecycle worker ends it: a version of its row with `ended_at`."""
    query = select(sessions).where(sessions.c.project_id == project_id, sessions.c.id == session_id)
    print(
        _rows(store, "SELECT trace_id, source_id, body, is_deleted, expires_at FROM trace_updates")
    )
    row = ClickHouseSql(store.ch).execute(query).mappings().all()[0]
    with store.transaction() as conn:
        insert_versions(store.ch, "sessions", [{**row, "ended_at": at}], next_version(conn))


def _queue_items(store: Store, project_id: str, objects: list[tuple[str, str]]) -> None:
    with store.transaction() as conn:
        queue = annotation_queues.insert_queue(conn, project_id, "triage", None, (), NOW)
        for kind, object_id in objects:
            annotation_queues.insert_item(conn, project_id, queue, kind, object_id, "PENDING", NOW)


def _queued(store: Store, project_id: str) -> set[tuple[str, str]]:
    i = annotation_queue_items.c
    with store.connect() as conn:
        rows = conn.execute(select(i.object_type, i.object_id).where(i.project_id == project_id))
        return {(r[0], r[1]) for r in rows}


def test_the_job_deletes_exactly_the_old_rows_and_sessions_are_right_after(
    store: ClickHouseStore, tmp_path: Path
) -> None:
    project, fresh = "p-job", "p-fresh"
    _project(store, project, KEEP_DAYS)
    _project(store, fresh, 0)
    _write(store, project, TURNS)
    scores = [
        score("on-old-trace", "s", _seconds(NOW - DAY), value=1, trace_id="t-old"),
        score("old-session-score", "s", _seconds(CUTOFF - 1), value=1, session_id="s-split"),
        score("session-score", "s", _seconds(CUTOFF), value=1, session_id="s-split"),
        score("old-on-kept-trace", "s", _seconds(CUTOFF - DAY), value=1, trace_id="t-new"),
    ]
    batch = trace_batch(TURNS[0])
    batch.observations.clear()
    batch.trace_updates.clear()
    batch.scores.extend(scores)
    store.write_batches([(project, batch)])
    ended_at = NOW - DAY // 2
    _end_session(store, project, "s-split", ended_at)
    _queue_items(
        store,
        project,
        [
            *[("TRACE", "t-old"), ("OBSERVATION", "t-old-g"), ("SESSION", "s-gone")],
            *[("TRACE", "t-new"), ("OBSERVATION", "t-new-g"), ("SESSION", "s-split")],
        ],
    )

    settings = Settings(data_dir=tmp_path, retention_days=DEFAULT_DAYS)
    done = Retention(store, settings, Clock(), batch=2).run_once(NOW)

    assert done.ran and not done.lease_lost
    assert done.deleted == {"traces": 3, "scores": 2, "comments": 0, "media": 0}
    assert _ids(store, "traces", "id", project) == KEPT
    spans = {f"{t}-root" for t in KEPT} | {f"{t}-g" for t in KEPT}
    assert _ids(store, "observations", "id", project) == spans
    assert _ids(store, "scores", "id", project) == {"session-score"}
    assert _ids(store, "trace_updates", "trace_id", project) == KEPT
    # Sessions equal those of the kept traces written afresh, and stay as they were.
    _write(store, fresh, [t for t in TURNS if t.id in KEPT])
    figures = _session_figures(store, project)
    assert figures == _session_figures(store, fresh)
    assert [(s["id"], s["trace_count"], s["total_cost"]) for s in figures] == [
        ("s-split", 2, 0.375),
        ("s-young", 1, 4.0),
    ]
    ended = ClickHouseSql(store.ch).execute(
        select(sessions.c.ended_at).where(
            sessions.c.project_id == project, sessions.c.id == "s-split"
        )
    )
    assert ended.scalar() == ended_at
    # Queue items of what went are gone; those of what stays are kept.
    assert _queued(store, project) == {
        ("TRACE", "t-new"),
        ("OBSERVATION", "t-new-g"),
        ("SESSION", "s-split"),
    }
    again = Retention(store, settings, Clock()).run_once(NOW)
    assert again.deleted == {"traces": 0, "scores": 0, "comments": 0, "media": 0}


_STAMPS = {
    "observations": "SELECT project_id, intDiv(created_at, 1000000), {stamp} FROM observations",
    "trace_updates": "SELECT project_id, intDiv(created_at, 1000000), {stamp} FROM trace_updates",
    "scores": "SELECT project_id, intDiv(created_at, 1000000), {stamp} FROM scores",
    "traces": "SELECT project_id, intDiv(created_at, 1000000), {stamp} FROM traces",
}


def _stamps(store: ClickHouseStore, table: str, where: str) -> list[tuple[Any, ...]]:
    query = _STAMPS[table].format(stamp="toUnixTimestamp(expires_at)") + f" WHERE {where}"
    return _rows(store, query)


def test_rows_carry_their_expiry_from_their_projects_retention(store: ClickHouseStore) -> None:
    days = {"p-ttl": 3, "p-ttl-keep": 0, "p-ttl-default": None}
    for project_id, own in days.items():
        _project(store, project_id, own)
        spec = _turn("t-fresh", "s-ttl", NOW, "ann", 1.0)
        batch = trace_batch(spec)
        batch.scores.append(score("sc", "s", _seconds(NOW), value=1, trace_id="t-fresh"))
        store.write_batches([(project_id, batch)])
    kept = {"p-ttl": 3, "p-ttl-keep": 0, "p-ttl-default": DEFAULT_DAYS}
    for table in _STAMPS:
        stamps = _stamps(store, table, "project_id LIKE 'p-ttl%' AND is_deleted = 0")
        assert {p for p, _, _ in stamps} == set(kept), table
        for project_id, base, stamp in stamps:
            d = kept[project_id]
            assert stamp == (base + (d + GRACE_DAYS) * DAY_S if d else NEVER), (table, project_id)
    # A tombstone outlives the rows it hides by a day.
    store.delete_traces("p-ttl-default", ["t-fresh"])
    tombstones = _stamps(store, "observations", "project_id = 'p-ttl-default' AND is_deleted")
    assert len(tombstones) == 2
    for _, base, stamp in tombstones:
        assert stamp == base + (DEFAULT_DAYS + 2 * GRACE_DAYS) * DAY_S


def test_a_merge_drops_an_expired_row_and_keeps_the_rest(store: ClickHouseStore) -> None:
    """Rows written to be kept forever, then their project keeps 3 days: stamped anew, the
    old ones have expired, and the merge drops them."""
    _project(store, "p-drop", 0)
    _project(store, "p-drop-keep", 0)
    long_ago = _turn("t-expired", "s-drop", T0, "ann", 1.0)
    _write(store, "p-drop", [long_ago], now=T0)
    _write(store, "p-drop-keep", [long_ago], now=T0)  # its project keeps everything
    _write(store, "p-drop", [TraceSpec("t-recent", _seconds(NOW))])
    where = "WHERE project_id LIKE 'p-drop%'"
    before = _rows(store, f"SELECT project_id, id FROM observations {where}")
    assert len(before) == 5

    # The restamp's mutation rewrites the parts (dropping what expired); a merge would too.
    set_retention(store, "p-drop", "3")
    store.ch.command("OPTIMIZE TABLE observations FINAL")

    left = _rows(store, f"SELECT project_id, id FROM observations {where}")
    assert sorted(left) == [
        ("p-drop", "t-recent-root"),
        ("p-drop-keep", "t-expired-g"),
        ("p-drop-keep", "t-expired-root"),
    ]


def test_a_retention_change_stamps_the_stored_rows_anew(store: ClickHouseStore) -> None:
    _project(store, "p-restamp", 0)
    _write(store, "p-restamp", [_turn("t-r", "s-r", NOW, "ann", 1.0)])
    _write(store, "p-restamp", [_turn("t-d", "s-r", NOW, "bo", 1.0)])
    store.delete_traces("p-restamp", ["t-d"])
    where = "project_id = 'p-restamp'"

    def stamps() -> set[tuple[int, int]]:
        """(days after the row's base, tombstone?) of every row of every version."""
        found = set()
        for table in _STAMPS:
            query = _STAMPS[table].format(stamp="toUnixTimestamp(expires_at), is_deleted")
            for _, base, stamp, deleted in _rows(store, f"{query} WHERE {where}"):
                found.add((-1 if stamp == NEVER else (stamp - base) // DAY_S, deleted))
        return found

    assert stamps() == {(-1, 0), (-1, 1)}
    set_retention(store, "p-restamp", "30")
    assert stamps() == {(30 + GRACE_DAYS, 0), (30 + 2 * GRACE_DAYS, 1)}
    set_retention(store, "p-restamp", "")  # the server default
    assert stamps() == {(DEFAULT_DAYS + GRACE_DAYS, 0), (DEFAULT_DAYS + 2 * GRACE_DAYS, 1)}
    set_retention(store, "p-restamp", "0")
    assert stamps() == {(-1, 0), (-1, 1)}


def test_a_start_with_another_default_stamps_the_projects_that_follow_it(
    store: ClickHouseStore, urls: tuple[str, str]
) -> None:
    _project(store, "p-follow", None)
    _project(store, "p-own", 5)
    for project_id in ("p-follow", "p-own"):
        _write(store, project_id, [_turn("t-f", "s-f", NOW, "ann", 1.0)])
    query = (
        "SELECT project_id, intDiv(toUnixTimestamp(expires_at) - intDiv(created_at, 1000000), "
        f"{DAY_S}) FROM traces WHERE project_id IN ('p-follow', 'p-own')"
    )
    assert sorted(_rows(store, query)) == [
        ("p-follow", DEFAULT_DAYS + GRACE_DAYS),
        ("p-own", 5 + GRACE_DAYS),
    ]
    for default in (30, 30, DEFAULT_DAYS):  # the second start finds nothing to do
        ClickHouseStore.open_on(*urls, pool_size=2, retention_days=default).close()
        assert sorted(_rows(store, query)) == [
            ("p-follow", default + GRACE_DAYS),
            ("p-own", 5 + GRACE_DAYS),
        ]
    stamped = _rows(store, "SELECT default_days FROM retention_defaults ORDER BY stamped_at")
    assert [d for (d,) in stamped][-3:] == [DEFAULT_DAYS, 30, DEFAULT_DAYS]
