"""Background jobs: their states, their row and the retry schedule (store/jobs.py runs it)."""

from __future__ import annotations

from dataclasses import dataclass

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
# A claim holds a job this long; a process killed mid-job leaves it to be claimed again.
LEASE_US = 60 * 1_000_000
_BACKOFF_BASE_US = 5 * 1_000_000
_BACKOFF_MAX_US = 15 * 60 * 1_000_000


@dataclass(frozen=True, slots=True)
class JobRow:
    id: str
    project_id: str
    kind: str
    key: str
    subject: str
    payload: str
    state: str
    attempts: int
    lease_owner: str | None
    lease_until: int | None
    run_after: int
    last_error: str | None
    created_at: int
    updated_at: int
    finished_at: int | None


def backoff_us(attempts: int) -> int:
    """Wait before the next attempt: 5 s, 10 s, 20 s, … doubling, at most 15 minutes."""
    return int(min(_BACKOFF_BASE_US * 2 ** max(attempts - 1, 0), _BACKOFF_MAX_US))
