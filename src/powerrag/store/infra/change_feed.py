"""Live-change fan-out: which traces and sessions a commit changed, told to every replica.

SQLite (one process): subscribers are called directly after the commit. PostgreSQL
(several replicas): the writing transaction also sends `NOTIFY powerrag_changes`,
which the database delivers to every listener only if and when it commits; each
replica runs one LISTEN thread that hands other replicas' changes to its subscribers.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, make_url

from powerrag.domain.changes import Change

log = logging.getLogger("powerrag.notify")

CHANNEL = "powerrag_changes"
_PAYLOAD_BYTES = 7000  # PostgreSQL refuses a NOTIFY payload of 8000 bytes or more
_RECONNECT_SECONDS = 1.0
_POLL_SECONDS = 0.5  # how often the LISTEN thread checks for stop


Subscriber = Callable[[Change], None]


class ChangeFeed:
    """In-process fan-out; the base of the PostgreSQL feed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []

    @property
    def wanted(self) -> bool:
        """Whether anyone (here or, on PostgreSQL, on another replica) may listen."""
        return bool(self._subscribers)

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call `subscriber(change)` after each commit (from a writer or listener thread).

        Returns a function that unsubscribes. Subscribers must be quick and thread-safe.
        """
        with self._lock:
            self._subscribers.append(subscriber)
        self._started()

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def announce(self, conn: Connection, changes: Sequence[Change]) -> None:
        """Inside the writing transaction: tell other replicas (nothing to do in-process)."""

    def deliver(self, changes: Iterable[Change]) -> None:
        """After the commit: call this process's subscribers."""
        with self._lock:
            subscribers = list(self._subscribers)
        for change in changes:
            for subscriber in subscribers:
                try:
                    subscriber(change)
                except Exception:
                    log.exception("a change subscriber failed")

    def close(self) -> None:
        """Stop background work; subscribers are kept but no longer called from elsewhere."""

    def _started(self) -> None:
        """Hook for feeds with background work (first subscriber)."""


class PostgresChangeFeed(ChangeFeed):
    """NOTIFY in the writing transaction; a LISTEN thread delivers other replicas' changes."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
        self._origin = uuid.uuid4().hex  # our own notifications were delivered locally
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()

    @property
    def wanted(self) -> bool:
        return True  # other replicas may have subscribers

    def announce(self, conn: Connection, changes: Sequence[Change]) -> None:
        payloads = [p for change in changes for p in self._payloads(change)]
        if payloads:
            conn.exec_driver_sql(
                "SELECT pg_notify(%s, p) FROM unnest(%s::text[]) AS p", (CHANNEL, payloads)
            )

    def _payloads(self, change: Change) -> Iterable[str]:
        """JSON payloads under PostgreSQL's size limit, splitting long id lists."""
        ids: list[tuple[str, Any]] = [("t", i) for i in sorted(change.trace_ids)]
        ids += [("s", i) for i in sorted(change.session_ids)]
        ids += [("st", list(pair)) for pair in sorted(change.session_traces)]
        body: dict[str, Any] = {
            "o": self._origin,
            "p": change.project_id,
            "t": [],
            "s": [],
            "st": [],
        }
        size = len(orjson.dumps(body))
        for kind, value in ids:
            cost = len(orjson.dumps(value)) + 1
            if size + cost > _PAYLOAD_BYTES and (body["t"] or body["s"] or body["st"]):
                yield orjson.dumps(body).decode()
                body = {**body, "t": [], "s": [], "st": []}
                size = len(orjson.dumps(body))
            body[kind].append(value)
            size += cost
        yield orjson.dumps(body).decode()

    def _started(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._listen, name="powerrag-listen", daemon=True
            )
            self._thread.start()

    def _listen(self) -> None:
        import psycopg  # only PostgreSQL deployments pay for importing the driver

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=_POLL_SECONDS):
                            self._receive(note.payload)
            except psycopg.Error as exc:
                # Changes made while disconnected are not replayed: pages reload on resync.
                self.listening.clear()
                log.warning("listening for changes failed (%s); reconnecting", exc)
                self._stop.wait(_RECONNECT_SECONDS)

    def _receive(self, payload: str) -> None:
        try:
            body = orjson.loads(payload)
        except orjson.JSONDecodeError:
            log.warning("ignored a malformed change notification: %.200s", payload)
            return
        if body.get("o") == self._origin:
            return
        pairs = frozenset((s, t) for s, t in body.get("st", ()))
        self.deliver([Change(body["p"], frozenset(body["t"]), frozenset(body["s"]), pairs)])

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def change_feed(url: str) -> ChangeFeed:
    """The feed for a database URL: LISTEN/NOTIFY on PostgreSQL, in-process otherwise."""
    if make_url(url).get_backend_name() == "postgresql":
        return PostgresChangeFeed(url)
    return ChangeFeed()
