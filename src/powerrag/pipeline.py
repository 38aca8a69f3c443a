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
Callers holding only a public key (which ships in browser bundles) take places
in a small pool of their own, so they can never crowd out secret-key ingestion;
in each pool one project may be reading at most a quarter of the places
(`powerrag.admission`).
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

from powerrag.admission import Admitted, Places, admitted
from powerrag.domain.errors import OverloadedError, PowerRAGError, StorageFullError
from powerrag.domain.records import IngestBatch
from powerrag.domain.timeutil import now_us
from powerrag.metrics import Metrics
from powerrag.store.base import Writer

log = logging.getLogger("powerrag.pipeline")

# The whole group fails at once on these: retrying its requests one by one would only
# meet the same full or busy database again.
_GROUP_ERRORS = (StorageFullError, OverloadedError)


# Decoding is CPU work under the GIL: more threads than cores only hold more decoded
# bodies in memory at once, so admitted requests queue for one of these instead.
DECODE_THREADS = min(4, os.cpu_count() or 2)
# Public-key callers only send scores (small, from browsers): an eighth of the places.
PUBLIC_POOL_FRACTION = 8
# One project may be reading bodies in at most this fraction of a pool's places, so a
# slow sender leaves the rest to others however many connections it opens.
READING_SHARE_FRACTION = 4


@dataclass(slots=True)
class _Item:
    project_id: str
    batch: IngestBatch
    future: Future[None] = field(default_factory=Future)
    # When it was queued (monotonic seconds): its wait is measured for /metrics.
    queued_at: float = field(default_factory=time.monotonic)


_STOP = object()


def _pool(total: int) -> Places:
    return Places(total, max(1, total // READING_SHARE_FRACTION))


class Pipeline:
    """Owns the writer thread; `submit` from async code, `submit_sync` from threads."""

    def __init__(
        self,
        store: Writer,
        *,
        max_pending: int = 64,
        wait_seconds: float = 1.0,
        group_max: int = 64,
        on_commit: Callable[[], None] | None = None,
        metrics: Metrics | None = None,
        clock: Callable[[], int] = now_us,
    ) -> None:
        self._store = store
        self._clock = clock
        self._on_commit = on_commit
        self._metrics = metrics
        # When the writer last finished a group (monotonic seconds): `busy` reads it.
        self._last_write = float("-inf")
        self._queue: queue.Queue[_Item | object] = queue.Queue(maxsize=max_pending)
        self._wait_seconds = wait_seconds
        self._group_max = group_max
        self._thread: threading.Thread | None = None
        self._decoder: ThreadPoolExecutor | None = None
        self.committed_requests = 0
        # Twice the queue, so the next group is read and decoded while one commits.
        self.max_admitted = 2 * max_pending
        self.max_admitted_public = max(2, self.max_admitted // PUBLIC_POOL_FRACTION)
        self._pools: tuple[asyncio.AbstractEventLoop, Places, Places] | None = None

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

    def busy(self, quiet_seconds: float = 0.5) -> bool:
        """Requests are queued, or a group was written less than `quiet_seconds` ago (under
        load on a shared machine, groups can be a few hundred milliseconds apart)."""
        return not self._queue.empty() or time.monotonic() - self._last_write < quiet_seconds

    def queue_depth(self) -> int:
        """Requests waiting for the writer (for /metrics)."""
        return self._queue.qsize()

    def admitted(self) -> int:
        """Requests holding an admission place, in both pools (for /metrics)."""
        pools = self._pools
        return 0 if pools is None else pools[1].held + pools[2].held

    async def decode(self, decoder: Callable[[], IngestBatch]) -> IngestBatch:
        """Run a pure decoder on the decode threads (never on the event loop)."""
        if self._decoder is None:
            raise RuntimeError("the pipeline is not started")
        return await asyncio.get_running_loop().run_in_executor(self._decoder, decoder)

    def _admission_pool(self, public: bool) -> Places:
        """The running loop's pool (its events are bound to one loop)."""
        loop = asyncio.get_running_loop()
        if self._pools is None or self._pools[0] is not loop:
            self._pools = (loop, _pool(self.max_admitted), _pool(self.max_admitted_public))
        return self._pools[2] if public else self._pools[1]

    @asynccontextmanager
    async def admission(self, key: str, *, public: bool = False) -> AsyncIterator[Admitted]:
        """Hold an admission place from before the body is read until the answer.

        `key` is the caller's project; `public` picks the public-key pool. Yields the
        place: call `body_read()` once the body is in, then pass its `deadline` to
        `submit`. OverloadedError when no place frees up within `queue_wait_seconds`.
        """
        pool = self._admission_pool(public)
        began = time.monotonic()
        async with admitted(pool, key, self._wait_seconds) as place:
            if self._metrics is not None:
                self._metrics.admission_wait.observe(time.monotonic() - began)
            yield place

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
                self._last_write = time.monotonic()
                if self._on_commit is not None:
                    self._on_commit()
            if stop:
                return

    def _process(self, group: list[_Item]) -> None:
        began = time.monotonic()
        if self._metrics is not None:
            for item in group:
                self._metrics.queue_wait.observe(began - item.queued_at)
        try:
            self._store.write_batches([(i.project_id, i.batch) for i in group], self._clock())
        except _GROUP_ERRORS as exc:
            for item in group:
                item.future.set_exception(exc)
            return
        except Exception:
            # Find the request that broke the group; the others still commit.
            for item in group:
                self._write_one(item)
            return
        if self._metrics is not None:
            self._metrics.commit.observe(time.monotonic() - began)
        self._done(group)

    def _write_one(self, item: _Item) -> None:
        try:
            self._store.write_batches([(item.project_id, item.batch)], self._clock())
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
