"""Password hashing off the event loop, two at a time, with a short bounded queue.

An argon2 hash takes 64 MiB and tens of milliseconds of CPU. Sign-in and set-up are
open to anyone, so their hashing runs on a limiter of its own (not the thread pool
the API key checks use) and at most `queue` requests wait for it; one more gets a
429 with Retry-After at once, never a growing backlog (issue 19, H3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from anyio import CapacityLimiter, to_thread

T = TypeVar("T")

HASHING_WORKERS = 2  # hashes at once: 128 MiB at most
HASHING_QUEUE = 8  # requests waiting for a worker before the next is refused
RETRY_AFTER_SECONDS = 1


class HashingBusyError(Exception):
    """Every worker is busy and the queue is full: answer 429, try again shortly."""


class PasswordHashing:
    """Runs functions that hash passwords; counts live on the event loop, so no lock."""

    def __init__(self, workers: int = HASHING_WORKERS, queue: int = HASHING_QUEUE) -> None:
        self._limiter = CapacityLimiter(workers)
        self._capacity = workers + queue
        self._admitted = 0

    async def run(self, func: Callable[..., T], *args: object) -> T:
        """`func(*args)` in a worker thread; HashingBusyError when the queue is full."""
        if self._admitted >= self._capacity:
            raise HashingBusyError()
        self._admitted += 1
        try:
            return await to_thread.run_sync(func, *args, limiter=self._limiter)
        finally:
            self._admitted -= 1
