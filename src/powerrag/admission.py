"""Admission places: how many ingest bodies are read and held at once, shared fairly.

A request takes a place before its body is read and keeps it until it is answered,
so memory holds at most `total` bodies. While the body arrives the pace is the
client's, so one key may be reading in at most `reading_share` places: a sender
trickling bodies a byte at a time (slow loris) ties up its own share until the
body-read deadline, never every place (issue 19, finding H2).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from powerrag.domain.errors import OverloadedError


class Places:
    """A pool of places bound to one event loop; every change happens on that loop."""

    def __init__(self, total: int, reading_share: int) -> None:
        self.total = total
        self.reading_share = reading_share
        self.held = 0
        self._reading: dict[str, int] = {}
        # Replaced on every change: waiters of the old event wake and look again.
        self._changed = asyncio.Event()

    def reading(self, key: str) -> int:
        return self._reading.get(key, 0)

    def _may_enter(self, key: str) -> bool:
        return self.held < self.total and self.reading(key) < self.reading_share

    async def take(self, key: str, timeout: float) -> None:
        """Wait for a place `key` may take; TimeoutError after `timeout` seconds."""
        async with asyncio.timeout(timeout):
            while not self._may_enter(key):
                await self._changed.wait()
        # No await since the check: nothing else ran in between.
        self.held += 1
        self._reading[key] = self.reading(key) + 1

    def done_reading(self, key: str) -> None:
        left = self.reading(key) - 1
        if left:
            self._reading[key] = left
        else:
            self._reading.pop(key, None)
        self._wake()

    def give_back(self) -> None:
        self.held -= 1
        self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


@dataclass(slots=True)
class Admitted:
    """One request's place: the deadline for its turn in the queue, and its reading phase."""

    deadline: float
    places: Places
    key: str
    reading: bool = True
    read_started: float = field(default_factory=time.monotonic)

    def body_read(self) -> None:
        """The body has arrived: the key's reading share frees up, and the time the
        client took to send it does not count against the wait for the queue."""
        if self.reading:
            self.reading = False
            self.places.done_reading(self.key)
            self.deadline += time.monotonic() - self.read_started


@asynccontextmanager
async def admitted(places: Places, key: str, wait_seconds: float) -> AsyncIterator[Admitted]:
    """Hold a place of `places` for `key` until the block ends (answer, error or disconnect).

    OverloadedError (503) when none frees up within `wait_seconds`.
    """
    deadline = time.monotonic() + wait_seconds
    try:
        await places.take(key, wait_seconds)
    except TimeoutError:
        raise OverloadedError("PowerRAG is busy storing earlier requests") from None
    held = Admitted(deadline, places, key)
    try:
        yield held
    finally:
        if held.reading:
            places.done_reading(key)
        places.give_back()
