"""The retention job: delete what is older than each project keeps, a short batch at a time.

One pass (`Retention.run_once`) holds the `retention` worker lease (store/leases.py), so
exactly one replica deletes at a time; every batch renews the lease in its own
transaction, and a replica that lost it (paused past its expiry while another took over)
stops before it deletes anything more. Each batch is one short transaction of at most
`batch` traces, so ingestion waits for the write lock (SQLite) or for a trace's lock
(PostgreSQL) tens of milliseconds at most; while ingestion is busy the job rests between
batches, and a process shutting down ends its pass after the batch in flight. Sessions
that lose traces are recomputed from the traces they keep
(`writer.delete_traces`), and stay ended or open as they were.

Space: on SQLite the pages freed go back to the file system by incremental vacuum when the
database was created with `auto_vacuum=INCREMENTAL` (every database created by this
version); an older database reuses them for new data instead (docs/operations.md says how
to convert it). On PostgreSQL autovacuum makes them reusable (docs/operations.md). On
ClickHouse the deletes are tombstones (store/clickhouse/retention.py) and the row TTL frees
the disk (store/clickhouse/expiry.py).
Tests call `run_once` with their own clock: nothing here sleeps unless ingestion is busy.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection

from powerrag.config import Settings
from powerrag.domain.retention import cutoff_us, effective_days
from powerrag.store import leases, retention
from powerrag.store.database import Store

log = logging.getLogger("powerrag.retention")

LEASE = "retention"
LEASE_US = 5 * 60 * 1_000_000
# Traces per transaction, as the search indexer's batches: a few tens of milliseconds.
BATCH = 200
# Pages per incremental vacuum step (16 MB at 16 KB pages), each its own transaction.
VACUUM_PAGES = 1024
# While ingestion is busy, rest this many times a batch's duration after it (a 20 % share).
BUSY_REST_FACTOR = 4.0


class LeaseLostError(Exception):
    """Another replica holds the retention lease now."""


class StoppingError(Exception):
    """The process is shutting down: the pass ends after the batch in flight."""


@dataclass(frozen=True, slots=True)
class RetentionPass:
    """What one pass did; `ran` is False when another replica held the lease (or no project
    keeps data for a limited time)."""

    ran: bool
    deleted: dict[str, int] = field(default_factory=dict)
    freed_pages: int = 0
    lease_lost: bool = False


def _never_busy() -> bool:
    return False


Step = Callable[[Store, Connection, str, int, int, int], int]


def _traces(store: Store, conn: Connection, project: str, cutoff: int, limit: int, now: int) -> int:
    return store.delete_old_traces(conn, project, cutoff, limit, now)


def _scores(store: Store, conn: Connection, project: str, cutoff: int, limit: int, _: int) -> int:
    return store.delete_old_scores(conn, project, cutoff, limit)


def _comments(_: Store, conn: Connection, project: str, cutoff: int, limit: int, _now: int) -> int:
    return retention.delete_old_comments(conn, project, cutoff, limit)


def _media(_: Store, conn: Connection, project: str, cutoff: int, limit: int, _now: int) -> int:
    return retention.delete_unlinked_media(conn, project, cutoff, limit)


# Traces first: their media links go with them, so their media is unlinked by the last step.
STEPS: tuple[tuple[str, Step], ...] = (
    ("traces", _traces),
    ("scores", _scores),
    ("comments", _comments),
    ("media", _media),
)


class Retention:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Callable[[], int],
        *,
        busy: Callable[[], bool] = _never_busy,
        batch: int = BATCH,
        on_deleted: Callable[[str, int], None] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.busy = busy
        self.batch = batch
        self.on_deleted = on_deleted
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # Set on shutdown: a pass working through a large backlog must not hold it up.
        self.stopping = threading.Event()

    def _hold(self, conn: Connection) -> None:
        now = self.clock()
        if not leases.hold(conn, LEASE, self.owner, now, now + LEASE_US):
            raise LeaseLostError(f"the retention lease is held by another replica ({LEASE})")

    def run_once(self, now: int | None = None) -> RetentionPass:
        """Delete everything older than its project keeps at `now`, then give space back."""
        now = self.clock() if now is None else now
        work = self._cutoffs(now)
        if not work:  # nothing is kept for a limited time: no lease taken, nothing written
            return RetentionPass(ran=False)
        try:
            with self.store.transaction() as conn:
                self._hold(conn)
        except LeaseLostError:
            return RetentionPass(ran=False)
        deleted = dict.fromkeys((name for name, _ in STEPS), 0)
        try:
            for project_id, cutoff in work:
                self._project(project_id, cutoff, now, deleted)
            freed = self._give_back_space() if any(deleted.values()) else 0
        except LeaseLostError as exc:
            log.warning("retention pass stopped: %s", exc)
            return RetentionPass(ran=True, deleted=deleted, lease_lost=True)
        except StoppingError:
            freed = 0  # the next start's pass goes on where this one stopped
        with self.store.transaction() as conn:
            leases.release(conn, LEASE, self.owner, self.clock())
        if any(deleted.values()):
            log.info("retention deleted %s; %d free pages given back", deleted, freed)
        return RetentionPass(ran=True, deleted=deleted, freed_pages=freed)

    def _cutoffs(self, now: int) -> list[tuple[str, int]]:
        """(project, cutoff) of every project that keeps data for a limited time."""
        with self.store.connect() as conn:
            projects = retention.project_retentions(conn)
        default = self.settings.retention_days
        days = [(p.project_id, effective_days(p.retention_days, default)) for p in projects]
        return [(project_id, cutoff_us(d, now)) for project_id, d in days if d > 0]

    def _project(self, project_id: str, cutoff: int, now: int, deleted: dict[str, int]) -> None:
        for name, step in STEPS:
            while True:
                if self.stopping.is_set():
                    raise StoppingError
                began = time.monotonic()
                with self.store.transaction() as conn:
                    self._hold(conn)
                    count = step(self.store, conn, project_id, cutoff, self.batch, now)
                deleted[name] += count
                if count and self.on_deleted is not None:
                    self.on_deleted(name, count)
                self._rest(time.monotonic() - began)
                if count < self.batch:
                    break

    def _rest(self, spent: float) -> None:
        """Leave the write lock to ingestion while it is busy (checked after each batch)."""
        if self.busy():
            self.stopping.wait(spent * BUSY_REST_FACTOR)

    def _give_back_space(self) -> int:
        """SQLite with incremental auto-vacuum: truncate the free pages off the file, a
        bounded step per transaction. Returns how many pages went."""
        if self.store.dialect != "sqlite":
            return 0
        with self.store.connect() as conn:
            if retention.sqlite_auto_vacuum(conn) != 2:
                return 0
            before = retention.sqlite_free_pages(conn)
        left = before
        while left > 0:
            with self.store.transaction() as conn:
                self._hold(conn)
            with self.store.connect() as conn:
                retention.sqlite_incremental_vacuum(conn, VACUUM_PAGES)
                now_left = retention.sqlite_free_pages(conn)
            if now_left >= left:
                break
            left = now_left
        return before - left

    async def run_forever(self, interval: float) -> None:
        """The background loop of `powerrag serve`: a pass, then a pause, until cancelled."""
        while True:
            work = asyncio.ensure_future(asyncio.to_thread(self.run_once))
            try:
                await asyncio.shield(work)
            except asyncio.CancelledError:
                self.stopping.set()
                await asyncio.wait([work])
                raise
            except Exception:  # a database hiccup must not stop the worker
                log.exception("retention pass failed; the next one retries")
            await asyncio.sleep(interval)
