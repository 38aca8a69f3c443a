"""Sign-in throttling: an attempt is counted before its password is checked.

Each attempt takes a place, before any hashing, under three keys over a sliding
window: the (address, email) pair, the email from every address (guessing one
account from many addresses), and the address over every email (one address
trying many accounts). When any key is full the attempt is refused with the wait;
so N concurrent guesses at one account get at most the limit evaluated (issue 19,
H3). A success gives back its places and clears its pair; an attempt never checked
(hashing was busy) gives back its places. The address is the TCP peer unless the
peer is a proxy named in `--forwarded-allow-ips` (M5). State lives in the process
(each replica counts its own) and is bounded, so a flood of addresses cannot grow it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

MAX_FAILURES_PER_ACCOUNT = 5  # per address and email in the window
MAX_FAILURES_PER_EMAIL = 20  # per email over every address in the window
MAX_FAILURES_PER_ADDRESS = 20  # per address over every email in the window
WINDOW_SECONDS = 300.0
MAX_KEYS = 10_000

Key = tuple[str, ...]


class TooManyAttemptsError(Exception):
    """Refused before any check; `retry_after` is the wait in whole seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Attempt:
    """A counted sign-in attempt, handed back on success or when it was never checked."""

    keys: tuple[Key, Key, Key]
    at: float


class SignInThrottle:
    """Counts sign-in attempts per pair, email and address; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._attempts: dict[Key, deque[float]] = {}

    @staticmethod
    def _limits(address: str, email: str) -> tuple[tuple[Key, int], ...]:
        email = email.strip().lower()
        return (
            (("pair", address, email), MAX_FAILURES_PER_ACCOUNT),
            (("email", email), MAX_FAILURES_PER_EMAIL),
            (("address", address), MAX_FAILURES_PER_ADDRESS),
        )

    def _recent(self, key: Key, now: float) -> deque[float]:
        times = self._attempts.get(key, deque())
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
        return times

    def reserve(self, address: str, email: str) -> Attempt:
        """Count an attempt as failed until told otherwise; TooManyAttemptsError if full."""
        now = self._clock()
        limits = self._limits(address, email)
        with self._lock:
            if len(self._attempts) >= MAX_KEYS:
                self._prune(now)
            wait = 0.0
            for key, limit in limits:
                times = self._recent(key, now)
                if len(times) >= limit:
                    wait = max(wait, times[len(times) - limit] + WINDOW_SECONDS - now)
            if wait > 0:
                raise TooManyAttemptsError(int(wait) + 1)
            for key, _ in limits:
                times = self._recent(key, now)
                times.append(now)
                self._attempts[key] = times
        return Attempt((limits[0][0], limits[1][0], limits[2][0]), now)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the pair starts afresh and the attempt is given back."""
        with self._lock:
            self._attempts.pop(attempt.keys[0], None)
            self._give_back(attempt, attempt.keys[1:])

    def cancel(self, attempt: Attempt) -> None:
        """The password was never checked (hashing busy): the attempt does not count."""
        with self._lock:
            self._give_back(attempt, attempt.keys)

    def _give_back(self, attempt: Attempt, keys: tuple[Key, ...]) -> None:
        for key in keys:
            times = self._attempts.get(key)
            if times is not None and attempt.at in times:
                times.remove(attempt.at)

    def _prune(self, now: float) -> None:
        for key in list(self._attempts):
            if not self._recent(key, now):
                del self._attempts[key]
        while len(self._attempts) >= MAX_KEYS:  # still full: forget the oldest entries
            self._attempts.pop(next(iter(self._attempts)))
