"""GenAI content log events kept by the span they name, and made its input and output.

Whichever arrives first, the span's input and output are what `span_io` makes of its
events, where the span did not carry them itself: a span's own input (or output) always
wins, and events only fill what it left empty, field by field. An event for a stored
span updates it at once (`write_events`); an event for a span not yet stored waits here,
and the batch writer fills the span from it when it arrives, in the same transaction
(`fill_rows`). Rows stay while their span does, so the same span sent again without
content gets the same content back; rows whose span has not come within
`PENDING_HOURS` are deleted by the project's next logs request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, exists, select, update

from powerrag.domain.span_content import SpanContentEvent, span_io
from powerrag.store.base import chunked
from powerrag.store.infra.dialect import upsert
from powerrag.store.infra.schema import observations, span_content_events

# Exporters send a span and its log events within seconds of each other; content whose
# span has not come within a day is taken for one that never will (its traces went
# elsewhere, or were dropped) and deleted, so pending rows cannot pile up.
PENDING_HOURS = 24
_HOUR_US = 3_600_000_000

_E = span_content_events.c
_O = observations.c


def write_events(
    conn: Connection, project_id: str, events: Sequence[SpanContentEvent], now: int
) -> None:
    """Store the events (a resent one replaces itself) and update the stored spans they
    name whose input or output came from their events, or is empty."""
    prune(conn, project_id, now)
    ids = sorted({e.span_id for e in events})
    before, after = store_events(conn, project_id, events, now)
    for chunk in chunked(ids):
        query = select(_O.id, _O.trace_id, _O.input, _O.output).where(
            _O.project_id == project_id, _O.id.in_(chunk)
        )
        for span in conn.execute(query).mappings():
            values = changed_io(span, before, after)
            if values:
                conn.execute(
                    update(observations)
                    .where(_O.project_id == project_id, _O.id == span["id"])
                    .values(**values, updated_at=now)
                )


Events = dict[str, list[SpanContentEvent]]


def store_events(
    conn: Connection, project_id: str, events: Sequence[SpanContentEvent], now: int
) -> tuple[Events, Events]:
    """Upsert the events; the stored events of their spans before and after."""
    ids = sorted({e.span_id for e in events})
    before = _events_of(conn, project_id, ids)
    rows = {(e.span_id, e.key): _row(project_id, e, now) for e in events}
    upsert(
        conn,
        span_content_events,
        list(rows.values()),
        keys=("project_id", "observation_id", "event_key"),
        keep=("received_at",),
    )
    return before, _events_of(conn, project_id, ids)


def changed_io(span: Any, before: Events, after: Events) -> dict[str, Any]:
    """The input and output of a stored span that its new events change."""
    old = span_io(_of_trace(before.get(span["id"], []), span["trace_id"]))
    new = span_io(_of_trace(after.get(span["id"], []), span["trace_id"]))
    values: dict[str, Any] = {}
    for index, name in enumerate(("input", "output")):
        # Stored text other than the old events' is the span's own: it stays.
        if span[name] in (None, old[index]) and span[name] != new[index]:
            values[name] = new[index]
    return values


def fill_rows(conn: Connection, project_id: str, rows: list[dict[str, Any]]) -> None:
    """Fill the empty input or output of observation rows about to be written from the
    content events of their spans (the events came first, or the span came again)."""
    empty = [r for r in rows if r["input"] is None or r["output"] is None]
    if not empty:
        return
    found = _events_of(conn, project_id, sorted({r["id"] for r in empty}))
    for row in empty:
        events = _of_trace(found.get(row["id"], []), row["trace_id"])
        if events:
            made = span_io(events)
            row["input"] = made[0] if row["input"] is None else row["input"]
            row["output"] = made[1] if row["output"] is None else row["output"]


def prune(conn: Connection, project_id: str, now: int) -> int:
    """Delete the project's events whose span has not come within PENDING_HOURS."""
    stored = exists().where(_O.project_id == _E.project_id, _O.id == _E.observation_id)
    result = conn.execute(
        delete(span_content_events).where(
            _E.project_id == project_id,
            _E.received_at < now - PENDING_HOURS * _HOUR_US,
            ~stored,
        )
    )
    return result.rowcount or 0


def _of_trace(events: list[SpanContentEvent], trace_id: str) -> list[SpanContentEvent]:
    """An event names its span by trace and span id: one of another trace is not its."""
    return [e for e in events if e.trace_id == trace_id]


def _events_of(
    conn: Connection, project_id: str, span_ids: Sequence[str]
) -> dict[str, list[SpanContentEvent]]:
    found: dict[str, list[SpanContentEvent]] = {}
    for chunk in chunked(span_ids):
        query = select(span_content_events).where(
            _E.project_id == project_id, _E.observation_id.in_(chunk)
        )
        for row in conn.execute(query).mappings():
            found.setdefault(row["observation_id"], []).append(
                SpanContentEvent(
                    trace_id=row["trace_id"],
                    span_id=row["observation_id"],
                    key=row["event_key"],
                    kind=row["kind"],
                    time_ns=row["time_ns"],
                    seq=row["seq"],
                    body=row["body"],
                    choice_index=row["choice_index"],
                )
            )
    return found


def _row(project_id: str, event: SpanContentEvent, now: int) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "observation_id": event.span_id,
        "event_key": event.key,
        "trace_id": event.trace_id,
        "kind": event.kind,
        "time_ns": event.time_ns,
        "seq": event.seq,
        "choice_index": event.choice_index,
        "body": event.body,
        "received_at": now,
    }
