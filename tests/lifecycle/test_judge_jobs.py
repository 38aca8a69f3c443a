"""Judge jobs across replicas and crashes: every ended session judged exactly once, and an
evaluation whose worker died is run again after its lease, its score still there once."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from powerrag import evaluation
from powerrag.config import Settings
from powerrag.domain.jobs import LEASE_US
from powerrag.domain.records import IngestBatch, TraceUpdate
from powerrag.lifecycle import Lifecycle, end_session
from powerrag.query import evaluation as reads
from powerrag.store import accounts, jobs
from powerrag.store.database import Store
from powerrag.store.infra.schema import scores, traces
from tests.support.fake_openai import FakeOpenAI, text
from tests.support.judges import BOOLEAN_OUTPUT, GOOD_ANSWER, KEY
from tests.support.lifecycle import Clock
from tests.support.pg import PostgresServer
from tests.support.project import PROJECT_ID

SESSIONS = 20


def _judge(store: Store, base_url: str, now: int) -> str:
    connection = {"provider": "local", "adapter": "openai", "secretKey": KEY, "baseURL": base_url}
    evaluation.upsert_connection(store, PROJECT_ID, connection, now)
    evaluator = {
        "name": "helpful",
        "prompt": "{{conversation}}",
        "outputDefinition": BOOLEAN_OUTPUT,
        "modelConfig": {"provider": "local", "model": "gpt-4o-mini"},
    }
    evaluation.create_evaluator(store, PROJECT_ID, evaluator, now)
    rule = {
        "name": "helpful-sessions",
        "evaluator": {"name": "helpful"},
        "target": "session",
        "enabled": True,
        "mapping": [{"variable": "conversation", "source": "transcript"}],
    }
    made = evaluation.create_rule(store, PROJECT_ID, rule, now)
    rule_id: str = made.id
    return rule_id


def _sessions(store: Store, count: int) -> None:
    updates = [
        TraceUpdate(
            trace_id=f"t{n}",
            source_id="s",
            timestamp=1_763_900_000_000_000,
            session_id=f"s{n}",
            input=f'"question {n}"',
            output=f'"answer {n}"',
        )
        for n in range(count)
    ]
    store.write_batches([(PROJECT_ID, IngestBatch(trace_updates=updates))])


def _eval_scores(store: Store) -> Counter[str | None]:
    with store.connect() as conn:
        rows = conn.execute(select(scores.c.session_id).where(scores.c.source == "EVAL")).all()
    return Counter(r[0] for r in rows)


def _judge_traces(store: Store) -> int:
    query = select(func.count()).where(traces.c.environment == "powerrag-evaluation")
    with store.connect() as conn:
        return int(conn.execute(query).scalar_one())


@pytest.mark.postgres
def test_two_replicas_on_postgresql_judge_every_ended_session_once(
    postgres_server: PostgresServer, postgres_test_db: str, tmp_path: Path
) -> None:
    postgres_server.empty_database(postgres_test_db.rsplit("/", 1)[1])
    settings = Settings(
        data_dir=tmp_path,
        session_idle_seconds=60,
        lifecycle_interval_seconds=0,
        judge_concurrency=3,
    )
    one, two = Store.open(postgres_test_db, pool_size=6), Store(postgres_test_db, pool_size=6)
    answers = [text(GOOD_ANSWER)] * SESSIONS
    try:
        with one.transaction() as conn:
            accounts.create_project(conn, "Test project", PROJECT_ID)
        clock = Clock()
        with FakeOpenAI(answers, [(10, 5)] * SESSIONS) as fake:
            rule_id = _judge(one, fake.base_url, clock())
            _sessions(one, SESSIONS)
            clock.advance(61)
            workers = [Lifecycle(store, settings, clock) for store in (one, two)]
            start = threading.Barrier(2)

            def work(n: int) -> None:
                start.wait()
                while workers[n].run_once().ran or workers[n].run_once().ran:
                    continue

            threads = [threading.Thread(target=work, args=(n,)) for n in (0, 1)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)

        assert len(fake.requests) == SESSIONS
        prompts = sorted(r["messages"][0]["content"] for r in fake.requests)
        assert prompts == sorted(
            f"user: question {n}\nassistant: answer {n}" for n in range(SESSIONS)
        )
        assert _eval_scores(one) == {f"s{n}": 1 for n in range(SESSIONS)}
        assert _judge_traces(one) == SESSIONS
        log = reads.rule_runs(one, PROJECT_ID, rule_id)
        assert sorted((j.state, j.attempts) for j in log) == [("done", 1)] * SESSIONS
    finally:
        one.close()
        two.close()


def test_an_evaluation_whose_worker_died_is_run_again_and_its_score_exists_once(
    store: Store, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, lifecycle_interval_seconds=0)
    clock = Clock()
    with FakeOpenAI([text(GOOD_ANSWER)] * 2, [(10, 5)] * 2) as fake:
        rule_id = _judge(store, fake.base_url, clock())
        _sessions(store, 1)
        end_session(store, PROJECT_ID, "s0", clock())
        killed, survivor = Lifecycle(store, settings, clock), Lifecycle(store, settings, clock)

        # The first worker claims the evaluation and writes its score, then dies before
        # marking the job done.
        with store.transaction() as conn:
            (job,) = jobs.claim(conn, killed.owner, clock(), LEASE_US, 10)
        killed.judge.run(job, clock())
        assert _eval_scores(store) == {"s0": 1}

        assert survivor.run_once(clock.advance(30)).ran == 0  # the lease still holds
        assert survivor.run_once(clock.advance(31)).ran == 1  # it ran out: run again

    assert len(fake.requests) == 2  # the judge was asked again: at least once, not at most
    assert _eval_scores(store) == {"s0": 1}
    assert _judge_traces(store) == 2  # each call's cost shows
    (logged,) = reads.rule_runs(store, PROJECT_ID, rule_id)
    assert (logged.state, logged.attempts, logged.lease_owner) == ("done", 2, None)
