"""Time as integer microseconds since the epoch, and its ISO 8601 forms."""

from __future__ import annotations

from datetime import UTC, datetime

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Timestamps outside these years are refused: they are corrupt, not history.
MIN_TIME_US = int((datetime(1990, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds()) * 1_000_000
MAX_TIME_US = int((datetime(2200, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds()) * 1_000_000


def now_us() -> int:
    """The current time in microseconds."""
    return int(datetime.now(UTC).timestamp() * 1_000_000)


def to_iso(us: int | None) -> str | None:
    """Render microseconds as Langfuse does: UTC with milliseconds and a `Z`."""
    if us is None:
        return None
    dt = datetime.fromtimestamp(us / 1_000_000, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> int:
    """Parse an ISO 8601 datetime (offset or `Z`; naive means UTC) to microseconds.

    Raises ValueError with the offending text when it is not a datetime.
    """
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 datetime: {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def in_range(us: int) -> bool:
    """Whether a timestamp is plausible enough to store."""
    return MIN_TIME_US <= us <= MAX_TIME_US


def duration_seconds(start: int | None, end: int | None) -> float | None:
    """Seconds from `start` to `end` (microseconds); None when either is unknown."""
    if start is None or end is None:
        return None
    return (end - start) / 1_000_000
