"""Sessions' end and what follows it: checks scored, alerts fired, from the job table.

`Lifecycle.run_once(now)` is one pass of the background worker: end idle sessions
(enqueueing a job per enabled check), enqueue a webhook per alert crossing, then run due
jobs. Every replica runs it; the job table's keys and leases make each piece of work happen
once (docs/evaluation.md). Tests call `run_once` with their own clock: nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import orjson
from sqlalchemy import Connection

from powerrag import judging, secretbox
from powerrag.config import Settings
from powerrag.domain import jobs as job_states
from powerrag.domain.alerts import SIGNATURE_HEADER, AlertRule, signature, slack_text
from powerrag.domain.checks import CheckRule, run_check
from powerrag.domain.errors import NotFoundError
from powerrag.domain.eval_rules import EvaluationRule
from powerrag.domain.jobs import JobRow
from powerrag.domain.records import IngestBatch, ScoreRecord
from powerrag.domain.rows import SessionRow
from powerrag.domain.timeutil import to_iso
from powerrag.judge_client import PermanentJudgeError, RetryableJudgeError
from powerrag.outbound import DeliveryError, Destinations, RefusedDestinationError, post
from powerrag.store import accounts, evaluation, jobs, lifecycle, rules
from powerrag.store.base import TraceData
from powerrag.store.database import Store

log = logging.getLogger("powerrag.lifecycle")

SWEEP_LIMIT = 500
# New traces or observations read per page when enqueueing a rule's evaluations.
SCAN_LIMIT = 500
JOBS_PER_PASS = 200
# Finished jobs deleted per pass, in one transaction: the table shrinks without long locks.
CLEANUP_BATCH = 1000
DAY_US = 24 * 3600 * 1_000_000
# Sessions written by a transaction that committed just after a pass are still seen.
SCAN_MARGIN_US = 60 * 1_000_000
_SCORE_IDS = uuid.UUID("6f1d2a4e-58b3-4c0e-9d7a-0c2b9e1f5a11")


@dataclass(frozen=True, slots=True)
class Pass:
    """What one pass did."""

    ended: int
    fired: int
    ran: int
    # Trace and observation evaluations enqueued by this pass.
    judged: int = 0
    # Finished jobs past the retention window deleted by this pass.
    cleaned: int = 0


class PermanentError(Exception):
    """A job that cannot succeed by retrying (its rule is gone, its destination refused)."""


def enqueue_checks(
    conn: Connection, project_id: str, session_id: str, ended_at: int, checks: list[CheckRule]
) -> None:
    """One job per enabled session check: keyed by (rule, session, end), so exactly once."""
    for rule in checks:
        if rule.enabled and rule.target == "session" and rule.project_id == project_id:
            jobs.enqueue(
                conn,
                project_id=project_id,
                kind="check",
                key=f"check:{rule.id}:{project_id}:{ended_at}:{session_id}",
                subject=rule.id,
                payload=orjson.dumps({"session": session_id, "endedAt": ended_at}).decode(),
                now=ended_at,
            )


def enqueue_session_work(
    project_id: str,
    session_id: str,
    checks: list[CheckRule],
    judges: list[EvaluationRule],
    conn: Connection,
    ended_at: int,
) -> None:
    """What a session's end sets off: its checks and its session evaluation rules (the
    `then` of `Store.end_session`, in the end's transaction)."""
    enqueue_checks(conn, project_id, session_id, ended_at, checks)
    judging.enqueue_session(conn, project_id, session_id, ended_at, judges)


def end_session(store: Store, project_id: str, session_id: str, now: int) -> SessionRow:
    """End a session now (`POST /api/public/sessions/{id}/end`); an ended one stays as it is."""
    with store.reading() as data:
        if data.get_session(project_id, session_id) is None:
            raise NotFoundError("Session not found within authorized project")
    with store.connect() as conn:
        checks = rules.list_rules(conn, "check", project_id)
        judges = evaluation.page(conn, "rule", project_id, None)
    work = partial(enqueue_session_work, project_id, session_id, checks, judges)
    store.end_session(project_id, session_id, now, then=work)
    with store.reading() as data:
        row = data.get_session(project_id, session_id)
    if row is None:
        raise NotFoundError("Session not found within authorized project")
    return row


class Lifecycle:
    def __init__(self, store: Store, settings: Settings, clock: Callable[[], int]) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.allowed = Destinations(settings.outbound_allowed)
        self.judge = judging.Judge(store, self.allowed)
        self._scanned_at: int | None = None
        self._judge_scanned_at: int | None = None

    def run_once(self, now: int | None = None) -> Pass:
        now = self.clock() if now is None else now
        ended = self.sweep(now)
        fired = self.scan_alerts(now)
        judged = self.scan_targets(now)
        ran = self.run_due(now)
        return Pass(ended, fired, ran, judged, self.clean_up(now))

    def run_due(self, now: int) -> int:
        """Run the due jobs, a claimed batch at a time. Judge calls and webhook deliveries
        wait on another server: each kind runs side by side in its own pool, at most
        `judge_concurrency` and `webhook_concurrency` at once; checks run here."""
        ran = 0
        settings = self.settings
        with (
            ThreadPoolExecutor(max(1, settings.judge_concurrency)) as judges,
            ThreadPoolExecutor(max(1, settings.webhook_concurrency)) as hooks,
        ):
            while ran < JOBS_PER_PASS:
                with self.store.transaction() as conn:
                    claimed = jobs.claim(conn, self.owner, now, job_states.LEASE_US, 20)
                if not claimed:
                    break
                pools = {judging.KIND: judges, "webhook": hooks}
                running = [
                    pools[job.kind].submit(self.run_job, job, now)
                    for job in claimed
                    if job.kind in pools
                ]
                for job in claimed:
                    if job.kind not in pools:
                        self.run_job(job, now)
                for future in running:
                    future.result()
                ran += len(claimed)
        return ran

    def clean_up(self, now: int, limit: int = CLEANUP_BATCH) -> int:
        """Delete up to `limit` finished jobs older than `job_retention_days`."""
        with self.store.transaction() as conn:
            return jobs.delete_finished(conn, now - self._retention_us(), limit)

    def _retention_us(self) -> int:
        return int(self.settings.job_retention_days * DAY_US)

    def sweep(self, now: int) -> int:
        """End the sessions idle for their project's timeout (its own, else
        `session_idle_seconds`); enqueue their checks. Each end is a transaction of its own,
        holding one session's lock: a writer locking several sessions never waits on a
        sweep that waits on it."""
        cutoff = now - self.settings.session_idle_seconds * 1_000_000
        with self.store.connect() as conn:
            own = lifecycle.idle_overrides(conn)
        cutoffs = {p: now - seconds * 1_000_000 for p, seconds in own.items()}
        with self.store.reading() as data:
            idle = data.idle_sessions(cutoff, SWEEP_LIMIT, cutoffs)
        if not idle:
            return 0
        with self.store.connect() as conn:
            checks = rules.list_rules(conn, "check", None)
            judges = evaluation.page(conn, "rule", None, None)
        count = 0
        for project_id, session_id in idle:
            work = partial(enqueue_session_work, project_id, session_id, checks, judges)
            before = cutoffs.get(project_id, cutoff)
            ended = self.store.end_session(
                project_id, session_id, now, idle_before=before, then=work
            )
            count += ended is not None
        return count

    def scan_targets(self, now: int) -> int:
        """A job per new trace or observation of each enabled trace or observation rule."""
        count = 0
        with self.store.reading() as data, self.store.transaction() as conn:
            for rule in evaluation.page(conn, "rule", None, None):
                if not rule.enabled or rule.target == "session":
                    continue
                since = rule.created_at
                if self._judge_scanned_at is not None:
                    since = max(since, self._judge_scanned_at - SCAN_MARGIN_US)
                else:
                    # A starting worker looks back no further than the retention window: a
                    # target judged before it has lost its job (and key) to the clean-up.
                    since = max(since, now - self._retention_us())
                count += self._enqueue_new(data, conn, rule, since, now)
        self._judge_scanned_at = now
        return count

    @staticmethod
    def _enqueue_new(
        data: TraceData, conn: Connection, rule: EvaluationRule, since: int, now: int
    ) -> int:
        """A job per target of `rule` since `since`, page after page: a burst larger than one
        page is judged whole, since the next scan starts near `now`."""
        count, after = 0, None
        while True:
            page = data.new_targets(rule.project_id, rule.target, since, after, SCAN_LIMIT)
            for target in page:
                judging.enqueue(
                    conn, rule, target.id, now, occasion="new", trace_id=target.trace_id
                )
            count += len(page)
            if len(page) < SCAN_LIMIT:
                return count
            after = page[-1]

    def scan_alerts(self, now: int) -> int:
        """A webhook job per crossing not seen before; keys make it fire once."""
        since = None if self._scanned_at is None else self._scanned_at - SCAN_MARGIN_US
        fired = 0
        with self.store.reading() as data, self.store.transaction() as conn:
            for alert in rules.list_rules(conn, "alert", None):
                if not alert.enabled:
                    continue
                for crossing in data.alert_crossings(alert, now, since):
                    body = {
                        "alert": {
                            "id": alert.id,
                            "name": alert.name,
                            "metric": alert.metric,
                            "threshold": alert.threshold,
                            "scoreName": alert.score_name,
                        },
                        "projectId": alert.project_id,
                        "sessionId": crossing.session_id,
                        "userId": crossing.user_id,
                        "value": crossing.value,
                        "firedAt": to_iso(now),
                    }
                    jobs.enqueue(
                        conn,
                        project_id=alert.project_id,
                        kind="webhook",
                        key=crossing.key,
                        subject=alert.id,
                        payload=orjson.dumps(body).decode(),
                        now=now,
                    )
                    fired += 1
        self._scanned_at = now
        return fired

    def run_job(self, job: JobRow, now: int) -> None:
        judge = job.kind == judging.KIND
        limit = self.settings.judge_max_attempts if judge else self.settings.job_max_attempts
        try:
            if job.attempts > limit:
                raise PermanentError(f"claimed {job.attempts} times without finishing")
            if job.kind == "check":
                self._run_check(job, now)
            elif judge:
                self.judge.run(job, now)
            else:
                self._deliver(job)
        except judging.SkippedError as exc:
            with self.store.transaction() as conn:
                jobs.finish(conn, job.id, self.owner, now, note=str(exc))
        except (PermanentError, PermanentJudgeError) as exc:
            with self.store.transaction() as conn:
                jobs.fail(conn, job, self.owner, now, str(exc), max_attempts=job.attempts)
        except Exception as exc:  # any failure is recorded and retried
            plain = isinstance(exc, DeliveryError | RetryableJudgeError)
            error = str(exc) if plain else f"{type(exc).__name__}: {exc}"
            with self.store.transaction() as conn:
                jobs.fail(conn, job, self.owner, now, error, limit)
        else:
            with self.store.transaction() as conn:
                jobs.finish(conn, job.id, self.owner, now)

    def _run_check(self, job: JobRow, now: int) -> None:
        payload = orjson.loads(job.payload)
        session_id = payload["session"]
        with self.store.connect() as conn:
            rule = rules.get_rule(conn, "check", job.project_id, job.subject)
        with self.store.reading() as data:
            facts = data.session_facts(job.project_id, session_id)
        if rule is None:
            raise PermanentError("the check was deleted")
        if facts is None:
            raise PermanentError(f"session {session_id!r} no longer exists")
        result = run_check(rule, facts)
        score = ScoreRecord(
            # One score per (check, session): a session ended again is judged again in place.
            id=uuid.uuid5(_SCORE_IDS, f"{job.project_id}\n{rule.id}\n{session_id}").hex,
            name=rule.name,
            data_type="BOOLEAN",
            timestamp=now,
            value=1.0 if result.holds else 0.0,
            string_value="True" if result.holds else "False",
            session_id=session_id,
            environment=facts.environment,
            source="EVAL",
            comment=result.comment,
            metadata=orjson.dumps(
                {"check": rule.check_kind, "ruleId": rule.id, "endedAt": to_iso(payload["endedAt"])}
            ).decode(),
        )
        self.store.write_batches([(job.project_id, IngestBatch(scores=[score]))], self.clock())

    def _deliver(self, job: JobRow) -> None:
        with self.store.connect() as conn:
            alert: AlertRule | None = rules.get_rule(conn, "alert", job.project_id, job.subject)
        if alert is None:
            raise PermanentError("the alert was deleted")
        secret = self._signing_secret(alert)
        body = job.payload.encode()
        if alert.body_format == "slack":
            body = orjson.dumps({"text": slack_text(orjson.loads(body))})
        headers = {
            "content-type": "application/json",
            "user-agent": "PowerRAG-webhook",
            SIGNATURE_HEADER: signature(secret, body),
            # Deliveries are at least once: the receiver can drop a repeat by this id.
            "X-PowerRAG-Delivery": job.id,
        }
        try:
            post(alert.webhook_url, body, headers, self.allowed)
        except RefusedDestinationError as exc:
            raise PermanentError(str(exc)) from None

    def _signing_secret(self, alert: AlertRule) -> str | None:
        """The alert's secret, decrypted (it is stored as a secretbox token)."""
        if alert.secret is None:
            return None
        with self.store.transaction() as conn:
            master = accounts.instance_secret(conn, secretbox.SECRET_NAME)
        try:
            return secretbox.unseal(master, alert.secret).decode()
        except secretbox.UnreadableSecretError:
            raise PermanentError(
                "the alert's signing secret cannot be decrypted; save it again"
            ) from None

    async def run_forever(self, interval: float) -> None:
        """The background loop of `powerrag serve`: a pass, then a pause, until cancelled."""
        while True:
            work = asyncio.ensure_future(asyncio.to_thread(self.run_once))
            try:
                await asyncio.shield(work)
            except asyncio.CancelledError:
                # Let the pass in flight finish: the store closes right after.
                await asyncio.wait([work])
                raise
            except Exception:  # a database hiccup must not stop the worker
                log.exception("lifecycle pass failed; the next one retries")
            await asyncio.sleep(interval)
