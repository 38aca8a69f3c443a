"""The ingest pipeline: a bounded queue, one writer thread, group commit.

Each request decodes its body first (pure `ingest` code, in a worker thread, so
decoding overlaps with the writer's database time), hands over the batch and
waits until it is committed: acknowledged means committed. The writer drains
whatever queued while it was committing and stores it in one transaction (group
commit), so a burst costs one commit, not one per request.
When the queue stays full for `queue_wait_seconds`, the request is refused
with OverloadedError (503 + Retry-After) instead of growing memory.

Memory is bounded before the body is read: an HTTP ingest request first takes
one of `2 × max_pending` admission places (`admission()`), so at most that many
bodies are held at once; others wait, sharing the same deadline, then get 503.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from powerrag.domain.errors import OverloadedError, PowerRAGError, StorageFullError
from powerrag.domain.records import IngestBatch
from powerrag.store.base import Writer

log = logging.getLogger("powerrag.pipeline")

# The whole group fails at once on these: retrying its requests one by one would only
# meet the same full or busy database again.
_GROUP_ERRORS = (StorageFullError, OverloadedError)


# Decoding is CPU work under the GIL: more threads than cores only hold more decoded
# bodies in memory at once, so admitted requests queue for one of these instead.
DECODE_THREADS = min(4, os.cpu_count() or 2)


@dataclass(slots=True)
class _Item:
    project_id: str
    batch: IngestBatch
    future: Future[None] = field(default_factory=Future)


_STOP = object()


class Pipeline:
    """Owns the writer thread; `submit` from async code, `submit_sync` from threads."""

    def __init__(
        self,
        store: Writer,
        *,
        max_pending: int = 64,
        wait_seconds: float = 1.0,
        group_max: int = 64,
    ) -> None:
        self._store = store
        self._queue: queue.Queue[_Item | object] = queue.Queue(maxsize=max_pending)
        self._wait_seconds = wait_seconds
        self._group_max = group_max
        self._thread: threading.Thread | None = None
        self._decoder: ThreadPoolExecutor | None = None
        self.committed_requests = 0
        # Twice the queue, so the next group is read and decoded while one commits.
        self.max_admitted = 2 * max_pending
        self._admission: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    def start(self) -> None:
        if self._decoder is None:
            self._decoder = ThreadPoolExecutor(DECODE_THREADS, thread_name_prefix="powerrag-decode")
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="powerrag-writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None
        if self._decoder is not None:
            self._decoder.shutdown(wait=True)
            self._decoder = None

    async def decode(self, decoder: Callable[[], IngestBatch]) -> IngestBatch:
        """Run a pure decoder on the decode threads (never on the event loop)."""
        if self._decoder is None:
            raise RuntimeError("the pipeline is not started")
        return await asyncio.get_running_loop().run_in_executor(self._decoder, decoder)

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
        self, project_id: str, batch: IngestBatch, *, deadline: float | None = None
    ) -> None:
        """Queue a batch and wait for its commit; OverloadedError when no room frees up."""
        item = _Item(project_id, batch)
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
        await asyncio.wrap_future(item.future)

    def submit_sync(self, project_id: str, batch: IngestBatch) -> None:
        item = _Item(project_id, batch)
        try:
            self._queue.put(item, timeout=self._wait_seconds)
        except queue.Full:
            raise OverloadedError("PowerRAG is busy storing earlier requests") from None
        item.future.result()

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
        try:
            self._store.write_batches([(i.project_id, i.batch) for i in group])
        except _GROUP_ERRORS as exc:
            for item in group:
                item.future.set_exception(exc)
            return
        except Exception:
            # Find the request that broke the group; the others still commit.
            for item in group:
                self._write_one(item)
            return
        self._done(group)

    def _write_one(self, item: _Item) -> None:
        try:
            self._store.write_batches([(item.project_id, item.batch)])
        except Exception as exc:
            if not isinstance(exc, PowerRAGError):
                log.exception("writing a batch failed")
            item.future.set_exception(exc)
            return
        self._done([item])

    def _done(self, items: list[_Item]) -> None:
        self.committed_requests += len(items)
        for item in items:
            item.future.set_result(None)
