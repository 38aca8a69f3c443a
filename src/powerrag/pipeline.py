"""The ingest pipeline: a bounded queue, one writer thread, group commit.

Each request hands over a job that decodes its body (pure `ingest` code) and
waits until the resulting batch is committed: acknowledged means committed.
The writer drains whatever queued while it was committing and stores it in one
transaction (group commit), so a burst costs one fsync, not one per request.
When the queue stays full for `queue_wait_seconds`, the request is refused
with OverloadedError (503 + Retry-After) instead of growing memory.

Memory is bounded before the body is read: an HTTP ingest request first takes
one of `2 × max_pending` admission places (`admission()`), so at most that many
bodies are held at once; others wait, sharing the same deadline, then get 503.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from powerrag.domain.errors import OverloadedError, PowerRAGError
from powerrag.domain.records import IngestBatch
from powerrag.store.database import Store

log = logging.getLogger("powerrag.pipeline")

Job = Callable[[], IngestBatch]
CommitListener = Callable[[list[tuple[str, IngestBatch]]], None]


@dataclass(slots=True)
class _Item:
    project_id: str
    job: Job
    future: Future[IngestBatch] = field(default_factory=Future)


_STOP = object()


class Pipeline:
    """Owns the writer thread; `submit` from async code, `submit_sync` from threads."""

    def __init__(
        self,
        store: Store,
        *,
        max_pending: int = 64,
        wait_seconds: float = 4.0,
        group_max: int = 64,
    ) -> None:
        self._store = store
        self._queue: queue.Queue[_Item | object] = queue.Queue(maxsize=max_pending)
        self._wait_seconds = wait_seconds
        self._group_max = group_max
        self._thread: threading.Thread | None = None
        self._listeners: list[CommitListener] = []
        self.committed_requests = 0
        # Twice the queue, so the next group is read and decoded while one commits.
        self.max_admitted = 2 * max_pending
        self._admission: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    def add_listener(self, listener: CommitListener) -> None:
        """Called in the writer thread after each commit (live updates hang off this)."""
        self._listeners.append(listener)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="powerrag-writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None

    def _admission_places(self) -> asyncio.Semaphore:
        """The admission semaphore of the running loop (a semaphore is bound to one loop)."""
        loop = asyncio.get_running_loop()
        if self._admission is None or self._admission[0] is not loop:
            self._admission = (loop, asyncio.Semaphore(self.max_admitted))
        return self._admission[1]

    @asynccontextmanager
    async def admission(self) -> AsyncIterator[float]:
        """Hold an admission place from before the body is read until the answer.

        Yields the request's deadline for `submit`; OverloadedError when no place
        frees up within `queue_wait_seconds`.
        """
        deadline = time.monotonic() + self._wait_seconds
        places = self._admission_places()
        try:
            await asyncio.wait_for(places.acquire(), self._wait_seconds)
        except TimeoutError:
            raise OverloadedError("PowerRAG is busy storing earlier requests") from None
        try:
            yield deadline
        finally:
            places.release()

    async def submit(
        self, project_id: str, job: Job, *, deadline: float | None = None
    ) -> IngestBatch:
        """Queue a job and wait for its commit; OverloadedError when no room frees up."""
        item = _Item(project_id, job)
        if deadline is None:
            deadline = time.monotonic() + self._wait_seconds
        while True:
            try:
                self._queue.put_nowait(item)
                break
            except queue.Full:
                if time.monotonic() >= deadline:
                    raise OverloadedError("PowerRAG is busy storing earlier requests") from None
                await asyncio.sleep(0.005)
        return await asyncio.wrap_future(item.future)

    def submit_sync(self, project_id: str, job: Job) -> IngestBatch:
        item = _Item(project_id, job)
        try:
            self._queue.put(item, timeout=self._wait_seconds)
        except queue.Full:
            raise OverloadedError("PowerRAG is busy storing earlier requests") from None
        return item.future.result()

    def _take_group(self) -> tuple[list[_Item], bool]:
        first = self._queue.get()
        if first is _STOP:
            return [], True
        group = [first]
        stop = False
        while len(group) < self._group_max:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                break
            if nxt is _STOP:
                stop = True
                break
            group.append(nxt)
        return [g for g in group if isinstance(g, _Item)], stop

    def _run(self) -> None:
        while True:
            group, stop = self._take_group()
            if group:
                self._process(group)
            if stop:
                return

    def _process(self, group: list[_Item]) -> None:
        ready: list[tuple[_Item, IngestBatch]] = []
        for item in group:
            try:
                ready.append((item, item.job()))
            except Exception as exc:  # a bad body fails its own request only
                item.future.set_exception(exc)
        if not ready:
            return
        try:
            self._store.write_batches([(i.project_id, b) for i, b in ready])
        except Exception:
            # Find the request that broke the group; the others still commit.
            for item, batch in ready:
                self._write_one(item, batch)
            return
        self._done(ready)

    def _write_one(self, item: _Item, batch: IngestBatch) -> None:
        try:
            self._store.write_batches([(item.project_id, batch)])
        except Exception as exc:
            if not isinstance(exc, PowerRAGError):
                log.exception("writing a batch failed")
            item.future.set_exception(exc)
            return
        self._done([(item, batch)])

    def _done(self, ready: list[tuple[_Item, IngestBatch]]) -> None:
        self.committed_requests += len(ready)
        for item, batch in ready:
            item.future.set_result(batch)
        written = [(i.project_id, b) for i, b in ready]
        for listener in self._listeners:
            try:
                listener(written)
            except Exception:
                log.exception("a commit listener failed")
