"""When an observation's data was sent, so a late, older version never overwrites newer data.

Issue 19, L6: batch events merge into a stored observation field by field in time
order, as trace fields follow their updates (domain/merge.py), and a resent OTLP span
replaces the stored one only if it is not older. Rows stored before migration 0003
have no times: the next version of each replaces it, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from powerrag.domain.records import ObservationRecord

# The upsert's condition: a stored observation is replaced only by a version at least as new.
NOT_OLDER = "observations.event_time IS NULL OR observations.event_time <= excluded.event_time"
_BASE = "*"  # key of `field_times` for the time of every field it does not name


@dataclass(frozen=True, slots=True)
class Stamped:
    """An observation with the event time of each of its fields.

    An OTLP span arrives whole: every field has the span's time (its end, else its
    start), and a resent span replaces the stored one only if it is not older.
    Batch events set some fields each; `fields` keeps the time of each field an event
    set, and `base` the time of the fields no event named (a span written whole).
    """

    record: ObservationRecord
    base: int | None = None
    fields: dict[str, int] = field(default_factory=dict)

    @classmethod
    def whole(cls, record: ObservationRecord) -> Stamped:
        return cls(record, base=record.end_time or record.start_time)

    @classmethod
    def of_row(cls, record: ObservationRecord, row: Any) -> Stamped:
        if row["field_times"] is None:
            return cls(record, base=row["event_time"])
        times = orjson.loads(row["field_times"])
        return cls(record, base=times.pop(_BASE, None), fields=times)

    @property
    def event_time(self) -> int | None:
        """The newest time of any field: what a whole span is compared with."""
        times = [t for t in (self.base, *self.fields.values()) if t is not None]
        return max(times) if times else None

    def field_times_text(self) -> str | None:
        if not self.fields:
            return None  # a span written whole: every field has `event_time`
        base = {_BASE: self.base} if self.base is not None else {}
        return orjson.dumps({**self.fields, **base}).decode()

    def patched(self, values: dict[str, Any], timestamp: int) -> Stamped:
        """Apply the values that no newer event has set."""
        newer = {}
        for name, value in values.items():
            stored = self.fields.get(name, self.base)
            if stored is None or timestamp >= stored:
                newer[name] = value
        fields = {**self.fields, **dict.fromkeys(newer, timestamp)}
        return Stamped(replace(self.record, **newer), self.base, fields)


def newest_by_id(items: list[Stamped]) -> list[Stamped]:
    """One version per id: the newest, the later one on a tie (a resend)."""
    by_id: dict[str, Stamped] = {}
    for item in items:
        kept = by_id.get(item.record.id)
        if kept is None or (item.event_time or 0) >= (kept.event_time or 0):
            by_id[item.record.id] = item
    return list(by_id.values())
