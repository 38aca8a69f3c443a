"""Live updates: committed changes fanned out to server-sent-event subscribers.

The store's change feed calls `LiveBroker.on_change` after every commit, from the
writer thread or, on PostgreSQL, from the thread that LISTENs to other replicas;
each subscriber owns an asyncio queue on the server's event loop, and the handoff
crosses threads with `call_soon_threadsafe`. A subscriber that falls behind gets a
single "resync" instead of an unbounded backlog.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from powerrag.domain.changes import Change

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

    def on_change(self, change: Change) -> None:
        """Change-feed subscriber (writer or listener thread): tell the project's subscribers."""
        if not change.trace_ids:
            return
        with self._lock:
            targets = [s for s in self._subscriptions if s.project_id == change.project_id]
        for sub in targets:
            try:
                sub.loop.call_soon_threadsafe(sub.offer, change.trace_ids)
            except RuntimeError:  # the loop closed under a departing subscriber
                self.unsubscribe(sub)
