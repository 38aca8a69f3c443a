"""The job table: every ended session judged exactly once by concurrent workers, and a job
whose worker died is claimed again when its lease runs out, its score still there once."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from powerrag.automations import create
from powerrag.config import Settings
from powerrag.domain.jobs import LEASE_US
from powerrag.domain.records import IngestBatch, TraceUpdate
from powerrag.lifecycle import Lifecycle, end_session
from powerrag.query import automations as reads
from powerrag.store import accounts, jobs
from powerrag.store.database import Store
from powerrag.store.infra.schema import scores
from tests.support.lifecycle import Clock
from tests.support.pg import PostgresServer
from tests.support.project import PROJECT_ID

SESSIONS = 30


def _sessions(store: Store, count: int) -> None:
    updates = [
        TraceUpdate(
            trace_id=f"t{n}", source_id="s", timestamp=1_763_900_000_000_000, session_id=f"s{n}"
        )
        for n in range(count)
    ]
    store.write_batches([(PROJECT_ID, IngestBatch(trace_updates=updates))])


def _eval_scores(store: Store) -> Counter[tuple[str | None, str]]:
    with store.connect() as conn:
        rows = conn.execute(
            select(scores.c.session_id, scores.c.name).where(scores.c.source == "EVAL")
        ).all()
    return Counter((r[0], r[1]) for r in rows)


@pytest.mark.postgres
def test_two_replicas_on_postgresql_evaluate_every_ended_session_once(
    postgres_server: PostgresServer, postgres_test_db: str, tmp_path: Path
) -> None:
    postgres_server.empty_database(postgres_test_db.rsplit("/", 1)[1])
    settings = Settings(data_dir=tmp_path, session_idle_seconds=60, lifecycle_interval_seconds=0)
    one, two = Store.open(postgres_test_db, pool_size=4), Store(postgres_test_db, pool_size=4)
    try:
        with one.transaction() as conn:
            accounts.create_project(conn, "Test project", PROJECT_ID)
        clock = Clock()
        for name, kind in (("long", "turns"), ("broken", "errors")):
            create(one, "check", PROJECT_ID, {"name": name, "check": kind, "threshold": 0}, clock())
        _sessions(one, SESSIONS)
        clock.advance(61)
        workers = [Lifecycle(store, settings, clock) for store in (one, two)]
        start = threading.Barrier(2)
        passes: dict[int, list[tuple[int, int]]] = {0: [], 1: []}

        def work(n: int) -> None:
            start.wait()
            while True:
                done = workers[n].run_once()
                passes[n].append((done.ended, done.ran))
                if done.ran == 0 and done.ended == 0:
                    return

        threads = [threading.Thread(target=work, args=(n,)) for n in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        assert sum(e for p in passes.values() for e, _ in p) == SESSIONS
        assert sum(r for p in passes.values() for _, r in p) == 2 * SESSIONS
        expected = {(f"s{n}", name): 1 for n in range(SESSIONS) for name in ("long", "broken")}
        assert _eval_scores(one) == expected
        for rule in reads.list_rules(one, "check", PROJECT_ID):
            log = reads.rule_jobs(one, "check", PROJECT_ID, rule.id)
            assert sorted((j.state, j.attempts) for j in log) == [("done", 1)] * SESSIONS
    finally:
        one.close()
        two.close()


def test_a_job_whose_worker_died_is_retried_and_its_score_exists_once(
    store: Store, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, lifecycle_interval_seconds=0)
    clock = Clock()
    create(store, "check", PROJECT_ID, {"name": "long", "check": "turns", "threshold": 0}, clock())
    _sessions(store, 1)
    end_session(store, PROJECT_ID, "s0", clock())
    killed, survivor = Lifecycle(store, settings, clock), Lifecycle(store, settings, clock)

    # The first worker claims the job and writes the score, then dies before marking it done.
    with store.transaction() as conn:
        (job,) = jobs.claim(conn, killed.owner, clock(), LEASE_US, 10)
    killed._run_check(job, clock())
    assert _eval_scores(store) == {("s0", "long"): 1}

    assert survivor.run_once(clock.advance(30)).ran == 0  # the lease still holds
    assert survivor.run_once(clock.advance(31)).ran == 1  # it ran out: claimed again

    assert _eval_scores(store) == {("s0", "long"): 1}
    (rule,) = reads.list_rules(store, "check", PROJECT_ID)
    (logged,) = reads.rule_jobs(store, "check", PROJECT_ID, rule.id)
    assert (logged.state, logged.attempts, logged.lease_owner) == ("done", 2, None)
