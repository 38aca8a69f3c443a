"""The search indexer: builds the search documents of the traces the batch writer marked,
after their commit, in a thread of its own (started and stopped by the app's lifespan).

Ingestion pays for a mark per trace only (store/search_index.py); tokenising and the
full-text index cost more than ingestion itself (docs/benchmarks.md), so they run here:
at full speed while the write queue is quiet, and at a bounded share of the time while
it is busy (after a batch that took t seconds it rests t × (1 − share) / share), so a
burst is stored at nearly full speed and becomes searchable when it ends. A commit of
this process wakes the indexer; marks of other replicas (PostgreSQL) are found by a poll.
A search first indexes its own project's marks, for a bounded time (`catch_up`), so what
an SDK request stored is found by the next search; tests call `run_once` or `drain`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from powerrag.domain.errors import PowerRAGError
from powerrag.domain.search import SearchBacklog
from powerrag.store.base import SearchIndex

log = logging.getLogger("powerrag.search")

# Traces per transaction: small enough that a writer waiting for the indexer (SQLite's one
# write lock, or a PostgreSQL mark it holds) waits tens of milliseconds at most.
BATCH_TRACES = 50
# The share of the time the indexer works while ingestion is busy: the budget of issue 12
# is 10 % of ingestion speed, and marking costs part of it.
BUSY_SHARE = 0.05
# How often marks written by other processes are looked for.
POLL_SECONDS = 1.0
# How long a search may index its project's marks before it answers.
CATCH_UP_SECONDS = 2.0


def _never_busy() -> bool:
    return False


class SearchIndexer:
    """`start`/`stop` the thread; `notify` after a commit; `run_once`, `drain`, `catch_up`
    index in the caller's thread."""

    def __init__(
        self,
        index: SearchIndex,
        *,
        batch: int = BATCH_TRACES,
        busy_share: float = BUSY_SHARE,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._index = index
        self._batch = batch
        self._rest_factor = (1 - busy_share) / busy_share
        self._poll_seconds = poll_seconds
        self._busy: Callable[[], bool] = _never_busy
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        # One batch at a time in this process: `drain` from another thread returns only
        # after the batch the indexer's thread had in flight is committed.
        self._one_batch = threading.Lock()
        # Traces indexed by this process, for logs and tests.
        self.indexed = 0

    def start(self, busy: Callable[[], bool] = _never_busy) -> None:
        """Index in the background; `busy` says whether ingestion is working right now."""
        self._busy = busy
        if self._thread is None:
            self._stopping.clear()
            self._wake.set()  # marks left by a previous run or a migration
            self._thread = threading.Thread(target=self._run, name="powerrag-search", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop after the current batch; marks left are indexed by the next start."""
        if self._thread is not None:
            self._stopping.set()
            self._wake.set()
            self._thread.join()
            self._thread = None

    def notify(self) -> None:
        """Something was committed: look for marks now rather than at the next poll."""
        self._wake.set()

    def run_once(self, project_id: str | None = None) -> int:
        """Index one batch of marked traces (of one project, or any); how many."""
        with self._one_batch:
            count = self._index.index_search(self._batch, project_id)
            self.indexed += count
        return count

    def drain(self, project_id: str | None = None, *, seconds: float | None = None) -> int:
        """Index until no mark is left to claim, or `seconds` have passed; how many."""
        deadline = None if seconds is None else time.monotonic() + seconds
        total = 0
        while deadline is None or time.monotonic() < deadline:
            count = self.run_once(project_id)
            total += count
            if count == 0:
                break
        return total

    def catch_up(self, project_id: str) -> SearchBacklog:
        """Before a search: index the project's marks for up to CATCH_UP_SECONDS, then say
        how many of its traces are still not searchable."""
        self.drain(project_id, seconds=CATCH_UP_SECONDS)
        return self._index.search_backlog(project_id)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._poll_seconds)
            self._wake.clear()
            self._work()

    def _work(self) -> None:
        while not self._stopping.is_set():
            began = time.monotonic()
            try:
                count = self.run_once()
            except PowerRAGError as exc:  # a busy or full database: the marks wait
                log.warning("search indexing paused: %s", exc)
                return
            except Exception:
                log.exception("search indexing failed; its marks are kept for a retry")
                return
            if count == 0:
                return
            if self._busy():
                self._stopping.wait((time.monotonic() - began) * self._rest_factor)
