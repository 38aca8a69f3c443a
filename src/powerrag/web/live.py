"""Live updates: the writer thread's commits fanned out to server-sent-event subscribers.

The pipeline calls `LiveBroker.publish` in its writer thread after every commit;
each subscriber owns an asyncio queue on the server's event loop, and the handoff
crosses threads with `call_soon_threadsafe`. A subscriber that falls behind gets a
single "resync" instead of an unbounded backlog.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from powerrag.domain.records import IngestBatch

QUEUE_SIZE = 100
RESYNC = "*"


@dataclass(eq=False)
class Subscription:
    project_id: str
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[frozenset[str]] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE)
    )

    def offer(self, trace_ids: frozenset[str]) -> None:
        """Runs on the event loop: enqueue, or collapse into a resync when full."""
        try:
            self.queue.put_nowait(trace_ids)
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(frozenset({RESYNC}))


def trace_ids_of(batch: IngestBatch) -> set[str]:
    ids = {o.trace_id for o in batch.observations}
    ids |= {p.trace_id for p in batch.observation_patches}
    ids |= {u.trace_id for u in batch.trace_updates}
    ids |= {s.trace_id for s in batch.scores if s.trace_id}
    return ids


class LiveBroker:
    """Who listens to which project, and the thread-safe fan-out of committed trace ids."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: set[Subscription] = set()

    def subscribe(self, project_id: str) -> Subscription:
        sub = Subscription(project_id, asyncio.get_running_loop())
        with self._lock:
            self._subscriptions.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subscriptions.discard(sub)

    def publish(self, written: list[tuple[str, IngestBatch]]) -> None:
        """Pipeline commit listener (writer thread): tell each project's subscribers."""
        changed: dict[str, set[str]] = {}
        for project_id, batch in written:
            ids = trace_ids_of(batch)
            if ids:
                changed.setdefault(project_id, set()).update(ids)
        if not changed:
            return
        with self._lock:
            targets = [s for s in self._subscriptions if s.project_id in changed]
        for sub in targets:
            try:
                sub.loop.call_soon_threadsafe(sub.offer, frozenset(changed[sub.project_id]))
            except RuntimeError:  # the loop closed under a departing subscriber
                self.unsubscribe(sub)
