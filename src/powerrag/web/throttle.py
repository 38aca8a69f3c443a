"""Sign-in throttling: too many failed attempts from one address wait before trying again.

Failures are counted per client address and per (address, email) over a sliding
window; a success clears its pair. State lives in the process (each replica
counts its own) and is bounded in size, so a flood of addresses cannot grow it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES_PER_ACCOUNT = 5  # per address and email in the window
MAX_FAILURES_PER_ADDRESS = 20  # per address over every email in the window
WINDOW_SECONDS = 300.0
MAX_KEYS = 10_000


class SignInThrottle:
    """Counts failed sign-ins; `retry_after` says how long a caller must wait, or 0."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def _keys(self, address: str, email: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return (address, email.strip().lower()), (address, "")

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
        return times

    def retry_after(self, address: str, email: str) -> int:
        """Seconds until this address may try this email again (0: it may now)."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            account, everything = self._keys(address, email)
            for key, limit in (
                (account, MAX_FAILURES_PER_ACCOUNT),
                (everything, MAX_FAILURES_PER_ADDRESS),
            ):
                times = self._recent(key, now)
                if len(times) >= limit:
                    wait = max(wait, times[len(times) - limit] + WINDOW_SECONDS - now)
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, address: str, email: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) >= MAX_KEYS:
                self._prune(now)
            for key in self._keys(address, email):
                times = self._recent(key, now)
                times.append(now)
                self._failures[key] = times

    def succeeded(self, address: str, email: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(address, email)[0], None)

    def _prune(self, now: float) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
        while len(self._failures) >= MAX_KEYS:  # still full: forget the oldest entries
            self._failures.pop(next(iter(self._failures)))
