"""How long a project keeps its traces: its own setting, or the server's default.

A project's `retention_days` is None to follow the server default (`retention_days`
setting), 0 to keep everything, or a number of days: 3 at least, as Langfuse's project
API requires (`retention` of `PUT /api/public/projects/{projectId}`, docs/api.md).
"""

from __future__ import annotations

from powerrag.domain.errors import InvalidRequestError

DAY_US = 86_400 * 1_000_000
MIN_DAYS = 3
# A hundred years: more is a typo, and the cutoff must stay a valid time.
MAX_DAYS = 36_500


def effective_days(project_days: int | None, default_days: int) -> int:
    """The days a project keeps data; 0 keeps everything."""
    return default_days if project_days is None else project_days


def cutoff_us(days: int, now: int) -> int:
    """Data stamped before this time is older than `days` days at `now`."""
    return now - days * DAY_US


def check_days(days: int, what: str = "retention days") -> int:
    """0, or from MIN_DAYS to MAX_DAYS; anything else is an InvalidRequestError naming it."""
    if days != 0 and not MIN_DAYS <= days <= MAX_DAYS:
        raise InvalidRequestError(
            f"{what} must be 0 (keep everything) or from {MIN_DAYS} to {MAX_DAYS}, got {days}"
        )
    return days


def parse_days(text: str) -> int | None:
    """A settings form's value: empty follows the server default, else whole days."""
    text = text.strip()
    if not text:
        return None
    try:
        days = int(text)
    except ValueError:
        raise InvalidRequestError(f"retention days must be a whole number, got {text!r}") from None
    return check_days(days)
