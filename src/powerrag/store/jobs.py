"""The durable job table: enqueue once per key, claim with a lease, finish, retry or fail.

A claim is a conditional UPDATE (the job is due and nobody holds a live lease on it), so
two replicas can never both claim the same job; on PostgreSQL the candidates are read with
FOR UPDATE SKIP LOCKED, so replicas pass over each other's rows instead of queueing on them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Connection, and_, delete, not_, or_, select, update

from powerrag.domain.jobs import DONE, FAILED, PENDING, RUNNING, JobRow, backoff_us
from powerrag.store.infra.dialect import upsert
from powerrag.store.infra.schema import jobs

_j = jobs.c
# A session alert's delivery (`alert:{alert}:session:{session}`, store/alert_scan.py) is the
# record that the alert fired for that session: its key stops it firing again, and the list
# and the replay show its badge. It outlives the retention window; every other key is never
# enqueued again once finished (a session's end, a user's day, a re-run's time are in it).
KEPT_KEYS = "alert:%:session:%"


def enqueue(
    conn: Connection,
    *,
    project_id: str,
    kind: str,
    key: str,
    subject: str,
    payload: str,
    now: int,
    run_after: int | None = None,
) -> None:
    """Add a job, due at `run_after` (default now), unless one with this key exists (then
    nothing changes)."""
    row = {
        "id": uuid.uuid4().hex,
        "project_id": project_id,
        "kind": kind,
        "key": key,
        "subject": subject,
        "payload": payload,
        "state": PENDING,
        "attempts": 0,
        "lease_owner": None,
        "lease_until": None,
        "run_after": now if run_after is None else run_after,
        "last_error": None,
        "created_at": now,
        "updated_at": now,
        "finished_at": None,
    }
    upsert(conn, jobs, [row], keys=("key",), keep=tuple(c for c in row if c != "key"))


def _due(now: int) -> ColumnElement[bool]:
    return and_(
        _j.state.in_((PENDING, RUNNING)),
        _j.run_after <= now,
        or_(_j.lease_until.is_(None), _j.lease_until < now),
    )


def claim(conn: Connection, owner: str, now: int, lease_us: int, limit: int) -> list[JobRow]:
    """Take up to `limit` due jobs for `owner` until `now + lease_us`; each claim counts an
    attempt. Commit right after, so other workers see the lease."""
    candidates = select(_j.id).where(_due(now)).order_by(_j.run_after, _j.id).limit(limit)
    if conn.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    claimed: list[str] = []
    for job_id in conn.execute(candidates).scalars().all():
        result = conn.execute(
            update(jobs)
            .where(_j.id == job_id, _due(now))
            .values(
                state=RUNNING,
                lease_owner=owner,
                lease_until=now + lease_us,
                attempts=_j.attempts + 1,
                updated_at=now,
            )
        )
        if result.rowcount == 1:
            claimed.append(job_id)
    return _rows(conn, claimed)


def _rows(conn: Connection, ids: Sequence[str]) -> list[JobRow]:
    if not ids:
        return []
    query = select(jobs).where(_j.id.in_(ids)).order_by(_j.run_after, _j.id)
    return [JobRow(**row) for row in conn.execute(query).mappings()]


def finish(conn: Connection, job_id: str, owner: str, now: int, note: str | None = None) -> bool:
    """Mark done (with a note for the log, such as why nothing was scored); False when
    the lease was lost to another worker meanwhile."""
    result = conn.execute(
        update(jobs)
        .where(_j.id == job_id, _j.lease_owner == owner, _j.state == RUNNING)
        .values(
            state=DONE,
            lease_owner=None,
            lease_until=None,
            finished_at=now,
            updated_at=now,
            # The last failure stays in the log unless a note replaces it.
            last_error=_j.last_error if note is None else note,
        )
    )
    return result.rowcount == 1


def fail(
    conn: Connection, job: JobRow, owner: str, now: int, error: str, max_attempts: int
) -> None:
    """Record the error; retry after a backoff, or mark failed after `max_attempts`."""
    last = job.attempts >= max_attempts
    conn.execute(
        update(jobs)
        .where(_j.id == job.id, _j.lease_owner == owner, _j.state == RUNNING)
        .values(
            state=FAILED if last else PENDING,
            lease_owner=None,
            lease_until=None,
            run_after=now if last else now + backoff_us(job.attempts),
            last_error=error[:2000],
            finished_at=now if last else None,
            updated_at=now,
        )
    )


def list_jobs(conn: Connection, project_id: str, subject: str, limit: int = 100) -> list[JobRow]:
    """A check's or alert's jobs, newest first: its log."""
    query = (
        select(jobs)
        .where(_j.project_id == project_id, _j.subject == subject)
        .order_by(_j.created_at.desc(), _j.id)
        .limit(limit)
    )
    return [JobRow(**row) for row in conn.execute(query).mappings()]


def delete_finished(conn: Connection, before: int, limit: int) -> int:
    """Delete up to `limit` done or failed jobs that finished before `before`, oldest first,
    but not session alert deliveries (KEPT_KEYS); how many."""
    old = (
        select(_j.id)
        .where(
            _j.state.in_((DONE, FAILED)),
            # Implied by finished_at < before (a job runs after run_after), and indexed.
            _j.run_after < before,
            _j.finished_at < before,
            not_(and_(_j.kind == "webhook", _j.key.like(KEPT_KEYS))),
        )
        .order_by(_j.run_after, _j.id)
        .limit(limit)
    )
    ids = list(conn.execute(old).scalars())
    if not ids:
        return 0
    return int(conn.execute(delete(jobs).where(_j.id.in_(ids))).rowcount)
