"""Retention (powerrag/retention.py) with an injected clock, on SQLite and PostgreSQL.

It deletes exactly what is older than the project keeps, one microsecond either side of
the cutoff; the sessions left have the figures a fresh ingestion of the kept traces
gives; and the lease lets one replica at a time delete.
"""

from __future__ import annotations

import base64
import itertools
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.metrics import Metrics
from powerrag.retention import LEASE, LEASE_US, Retention
from powerrag.store import accounts, leases
from powerrag.store.database import Store
from powerrag.store.infra.schema import (
    comments,
    media,
    media_blobs,
    observations,
    projects,
    scores,
    search_documents,
    traces,
)
from tests.support.lifecycle import Clock
from tests.support.project import AUTH, PROJECT_ID, PUBLIC_KEY, SECRET_KEY
from tests.support.retention import (
    DAY,
    Turn,
    add_comment,
    add_media,
    score_event,
    session_figures,
)

NOW = 1_800_000_000 * 1_000_000  # 2027-01-15T08:00:00Z: the pass's clock
KEEP_DAYS = 7
CUTOFF = NOW - KEEP_DAYS * DAY
OTHER = "other-project"

TURNS = [
    # s-split: its oldest turn goes, its newest two stay.
    Turn("t-old", "s-split", CUTOFF - 3 * DAY, "ann", 0.5, "ERROR"),
    Turn("t-edge-kept", "s-split", CUTOFF, "bob", 0.25),
    Turn("t-new", "s-split", NOW - DAY, "ann", 0.125),
    # s-gone: every turn is older, the last by one microsecond.
    Turn("t-gone-1", "s-gone", CUTOFF - 5 * DAY, "cy", 1.0),
    Turn("t-gone-2", "s-gone", CUTOFF - 1, "cy", 2.0),
    # s-young: nothing to delete.
    Turn("t-young", "s-young", NOW - 2 * DAY, "dee", 4.0),
]
KEPT = {"t-edge-kept", "t-new", "t-young"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, lifecycle_interval_seconds=0, retention_interval_seconds=0)


@pytest.fixture
def api(store: Store, settings: Settings, clock: Clock) -> Iterator[TestClient]:
    with store.transaction() as conn:
        accounts.create_project(conn, "Other", OTHER)
    app = create_app(settings, store=store, clock=clock)
    with TestClient(app, headers={"authorization": AUTH}) as client:
        yield client


def _ingest(api: TestClient, events: list[dict[str, Any]], auth: str = AUTH) -> None:
    answer = api.post(
        "/api/public/ingestion", json={"batch": events}, headers={"authorization": auth}
    )
    assert answer.status_code == 207, answer.text
    assert answer.json()["errors"] == []


def _set_days(store: Store, project_id: str, days: int | None) -> None:
    with store.transaction() as conn:
        accounts.set_retention_days(conn, project_id, days)


def _ids(store: Store, table: Any, column: str, project_id: str = PROJECT_ID) -> set[str]:
    query = select(table.c[column]).where(table.c.project_id == project_id)
    with store.connect() as conn:
        return {str(v) for v in conn.execute(query).scalars()}


def _history(api: TestClient, store: Store) -> dict[str, str]:
    """TURNS, scores and comments either side of the cutoff, and media; the media ids."""
    events = [e for turn in TURNS for e in turn.events()]
    events += [
        score_event("on-old-trace", NOW - DAY, trace_id="t-old", session_id=None),
        score_event("old-session-score", CUTOFF - 1, trace_id=None, session_id="s-split"),
        score_event("session-score", CUTOFF, trace_id=None, session_id="s-split"),
        score_event("old-on-kept-trace", CUTOFF - DAY, trace_id="t-new", session_id=None),
    ]
    _ingest(api, events)
    add_comment(store, PROJECT_ID, "TRACE", "t-old", NOW - DAY)
    add_comment(store, PROJECT_ID, "SESSION", "s-split", CUTOFF - 1)
    add_comment(store, PROJECT_ID, "SESSION", "s-split", CUTOFF)
    found = {
        "only-old": add_media(store, PROJECT_ID, b"old", CUTOFF - DAY, ("t-old",)),
        "held-by-both": add_media(
            store, PROJECT_ID, b"held by both", CUTOFF - DAY, ("t-old", "t-new")
        ),
        "unlinked-old": add_media(store, PROJECT_ID, b"stray", CUTOFF - 1, ()),
        "unlinked-new": add_media(store, PROJECT_ID, b"fresh", CUTOFF, ()),
    }
    while store.index_search(100):
        pass
    return found


def test_deletes_exactly_what_is_older_and_sessions_equal_a_recomputation(
    api: TestClient, store: Store, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    media_ids = _history(api, store)
    # The other project keeps everything: the same history there must stay whole.
    other_events = [e for t in TURNS for e in Turn(*_other(t)).events()]
    _ingest(api, other_events, _other_auth(store))
    ended = api.post("/api/public/sessions/s-split/end")
    assert ended.status_code == 200, ended.text
    _set_days(store, PROJECT_ID, KEEP_DAYS)

    counters = Metrics()
    done = Retention(store, settings, clock, batch=2, on_deleted=counters.retention_step).run_once(
        NOW
    )

    assert done.ran and not done.lease_lost
    # A trace's own scores, comments and media go with it, counted under traces.
    assert done.deleted == {"traces": 3, "scores": 2, "comments": 1, "media": 1}
    for kind, count in done.deleted.items():
        found = counters.registry.get_sample_value(
            "powerrag_retention_deleted_total", {"kind": kind}
        )
        assert found == count
    assert _ids(store, traces, "id") == KEPT
    assert _ids(store, observations, "id") == {f"{t}-g" for t in KEPT}
    assert _ids(store, scores, "id") == {"session-score"}
    assert _ids(store, search_documents, "trace_id") == KEPT
    assert _ids(store, media, "id") == {media_ids["held-by-both"], media_ids["unlinked-new"]}
    assert _ids(store, media_blobs, "media_id") == {
        media_ids["held-by-both"],
        media_ids["unlinked-new"],
    }
    with store.connect() as conn:
        left = conn.execute(select(comments.c.object_id, comments.c.created_at)).all()
    assert sorted(left) == [("s-split", CUTOFF)]
    assert len(_ids(store, traces, "id", OTHER)) == len(TURNS)

    # The sessions left equal those of a fresh ingestion of the kept turns alone.
    recomputed = _recomputed(tmp_path, clock)
    assert session_figures(store, PROJECT_ID) == recomputed
    assert [s["id"] for s in recomputed] == ["s-split", "s-young"]
    split = recomputed[0]
    assert (split["trace_count"], split["total_cost"], split["error_count"]) == (2, 0.375, 0)
    assert split["user_ids"] == '["ann","bob"]'
    # Deleting by age is no new arrival: the ended session stays ended.
    status = api.get("/api/public/sessions/s-split").json()
    assert (status["status"], status["endedAt"]) == ("ended", ended.json()["endedAt"])

    # A second pass finds nothing more.
    again = Retention(store, settings, clock).run_once(NOW)
    assert again.deleted == {"traces": 0, "scores": 0, "comments": 0, "media": 0}


def _other(turn: Turn) -> tuple[Any, ...]:
    return (f"o-{turn.trace_id}", turn.session_id, turn.at, turn.user_id, turn.cost)


def _other_auth(store: Store) -> str:
    with store.transaction() as conn:
        accounts.create_api_key(conn, OTHER, public_key="pk-lf-other", secret_key="sk-lf-other")
    return "Basic " + base64.b64encode(b"pk-lf-other:sk-lf-other").decode()


def _recomputed(tmp_path: Path, clock: Clock) -> list[dict[str, Any]]:
    fresh = Store.open(f"sqlite:///{tmp_path / 'recomputed.db'}", pool_size=2)
    try:
        with fresh.transaction() as conn:
            accounts.create_project(conn, "Test project", PROJECT_ID)
            accounts.create_api_key(conn, PROJECT_ID, public_key=PUBLIC_KEY, secret_key=SECRET_KEY)
        plain = Settings(
            data_dir=tmp_path, lifecycle_interval_seconds=0, retention_interval_seconds=0
        )
        with TestClient(create_app(plain, store=fresh, clock=clock)) as client:
            kept = [e for t in TURNS if t.trace_id in KEPT for e in t.events()]
            _ingest(client, kept)
        return session_figures(fresh, PROJECT_ID)
    finally:
        fresh.close()


def test_project_setting_and_server_default(
    api: TestClient, store: Store, tmp_path: Path, clock: Clock
) -> None:
    """None follows the server default; 0 keeps everything whatever the default."""
    _ingest(api, [e for t in TURNS for e in t.events()])
    _ingest(api, [e for t in TURNS for e in Turn(*_other(t)).events()], _other_auth(store))
    _set_days(store, OTHER, 0)
    default_30 = Settings(data_dir=tmp_path, retention_days=30, retention_interval_seconds=0)
    done = Retention(store, default_30, clock).run_once(NOW)
    assert done.deleted["traces"] == 0  # nothing is 30 days old
    default_9 = Settings(data_dir=tmp_path, retention_days=9, retention_interval_seconds=0)
    done = Retention(store, default_9, clock).run_once(NOW)
    # Older than NOW - 9 days: t-old (CUTOFF - 3 d) and t-gone-1 (CUTOFF - 5 d).
    assert done.deleted["traces"] == 2
    assert _ids(store, traces, "id") == {t.trace_id for t in TURNS} - {"t-old", "t-gone-1"}
    assert len(_ids(store, traces, "id", OTHER)) == len(TURNS)


def test_nothing_to_keep_for_a_limited_time_takes_no_lease(
    store: Store, settings: Settings, clock: Clock
) -> None:
    assert not Retention(store, settings, clock).run_once(NOW).ran
    with store.connect() as conn:
        assert leases.holder(conn, LEASE, NOW) is None


def test_a_replica_that_lost_the_lease_stops_before_deleting_more(
    api: TestClient, store: Store, settings: Settings, clock: Clock
) -> None:
    """A stalls past its lease after one batch, B takes the lease: A deletes no more."""
    _history(api, store)
    _set_days(store, PROJECT_ID, KEEP_DAYS)
    later = Clock()
    later.now = clock.now + LEASE_US + 1
    b = Retention(store, settings, later, batch=1)
    taken: list[bool] = []

    def stalled() -> bool:
        if not taken:
            with store.transaction() as conn:
                taken.append(leases.hold(conn, LEASE, b.owner, later(), later() + LEASE_US))
        return False

    first = Retention(store, settings, clock, batch=1, busy=stalled).run_once(NOW)
    assert taken == [True]
    assert first.lease_lost
    assert first.deleted["traces"] == 1
    assert len(_ids(store, traces, "id")) == len(TURNS) - 1
    rest = b.run_once(NOW)
    assert rest.ran and not rest.lease_lost
    assert rest.deleted["traces"] == 2
    assert _ids(store, traces, "id") == KEPT


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_replicas_never_run_at_once(
    api: TestClient, store: Store, settings: Settings, clock: Clock
) -> None:
    """Two workers started together: their batches never interleave, every trace goes once."""
    _ingest(api, [e for t in TURNS for e in t.events()])
    _set_days(store, PROJECT_ID, KEEP_DAYS)
    seen: list[str] = []
    start = threading.Barrier(2)

    def batch_done() -> bool:
        seen.append(threading.current_thread().name)
        time.sleep(0.01)  # widen the window in which the other replica could slip in
        return False

    results: dict[str, Any] = {}

    def replica(name: str) -> None:
        worker = Retention(store, settings, clock, batch=1, busy=batch_done)
        start.wait()
        results[name] = worker.run_once(NOW)

    threads = [threading.Thread(target=replica, args=(n,), name=n) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ran = [n for n, r in results.items() if r.ran]
    assert sum(r.deleted.get("traces", 0) for r in results.values()) == 3
    # Each replica's batches form one run: at most one hand-over, after the first finished.
    switches = sum(1 for x, y in itertools.pairwise(seen) if x != y)
    assert switches <= len(ran) - 1
    with store.connect() as conn:
        assert leases.holder(conn, "retention", clock()) is None
        assert conn.execute(select(func.count()).select_from(projects)).scalar() == 2


def _big_history(api: TestClient, count: int) -> None:
    """`count` old traces of 40 KB each: deleting them frees hundreds of pages."""
    filler = "x" * 40_000
    events = []
    for n in range(count):
        for e in Turn(f"big-{n}", "s-big", CUTOFF - DAY - n, "eve", 0.5).events():
            if e["type"] == "trace-create":
                e["body"]["input"] = filler + str(n)
            events.append(e)
    _ingest(api, events)


@pytest.mark.one_engine
def test_sqlite_gives_the_space_back(
    api: TestClient, store: Store, settings: Settings, clock: Clock, database_url: str
) -> None:
    """A database created by this version vacuums incrementally: the file shrinks."""
    path = Path(database_url.removeprefix("sqlite:///"))
    _big_history(api, 60)
    _set_days(store, PROJECT_ID, KEEP_DAYS)
    with store.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA auto_vacuum").scalar() == 2
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    before = path.stat().st_size
    done = Retention(store, settings, clock).run_once(NOW)
    assert done.deleted["traces"] == 60
    assert done.freed_pages > 100
    with store.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA freelist_count").scalar() == 0
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert path.stat().st_size <= before - done.freed_pages * 16384


def test_an_older_sqlite_database_reuses_its_free_pages(tmp_path: Path, clock: Clock) -> None:
    """A file created before auto-vacuum (mode 0) keeps its size: the free pages stay for
    new data, and the pass says it gave none back."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE created_before_auto_vacuum (x)")
    store = Store.open(f"sqlite:///{path}", pool_size=2)
    try:
        with store.transaction() as conn:
            accounts.create_project(conn, "Test project", PROJECT_ID)
            accounts.create_api_key(conn, PROJECT_ID, public_key=PUBLIC_KEY, secret_key=SECRET_KEY)
        plain = Settings(
            data_dir=tmp_path, lifecycle_interval_seconds=0, retention_interval_seconds=0
        )
        with TestClient(
            create_app(plain, store=store, clock=clock), headers={"authorization": AUTH}
        ) as client:
            _big_history(client, 20)
        _set_days(store, PROJECT_ID, KEEP_DAYS)
        done = Retention(store, plain, clock).run_once(NOW)
        assert done.deleted["traces"] == 20
        assert done.freed_pages == 0
        with store.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA auto_vacuum").scalar() == 0
            assert conn.exec_driver_sql("PRAGMA freelist_count").scalar() > 20
    finally:
        store.close()


def test_shutdown_ends_a_pass_after_the_batch_in_flight(
    api: TestClient, store: Store, settings: Settings, clock: Clock
) -> None:
    _ingest(api, [e for t in TURNS for e in t.events()])
    _set_days(store, PROJECT_ID, KEEP_DAYS)

    def shutting_down() -> bool:
        worker.stopping.set()
        return False

    worker = Retention(store, settings, clock, batch=1, busy=shutting_down)
    done = worker.run_once(NOW)
    assert done.ran and done.deleted["traces"] == 1
    with store.connect() as conn:
        assert leases.holder(conn, LEASE, NOW) is None  # given back for the next start
    assert len(_ids(store, traces, "id")) == len(TURNS) - 1
