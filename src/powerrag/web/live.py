"""Live updates: committed changes fanned out to the server-sent-event streams of sessions.

The store's change feed calls `LiveBroker.on_change` after every commit, from the
writer thread or, on PostgreSQL, from the thread that LISTENs to other replicas. A
change names the traces it touched in each session, so only the streams of those
sessions wake, and each learns its own traces without a query (issue 19, M2). Each
stream owns an asyncio queue on the server's event loop, and the handoff crosses
threads with `call_soon_threadsafe`; a stream that falls behind gets a single
"resync" instead of an unbounded backlog.

Streams are capped per client address, per session and per server, and a stream
ends once its viewer may no longer watch (a session unpublished, a member removed):
checked before every delivery and at every heartbeat, one query shared by the
streams of the same viewer and session (issue 19, L3).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response, StreamingResponse

from powerrag.config import Settings
from powerrag.context import context_of
from powerrag.domain.changes import Change
from powerrag.query import live
from powerrag.web.state import web_state

log = logging.getLogger("powerrag.live")

QUEUE_SIZE = 100
RESYNC = "*"
RETRY_AFTER_SECONDS = "10"

Check = Callable[[], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class LiveLimits:
    """How many streams may be open, and how often an idle one re-checks its viewer."""

    per_client: int = 16
    per_session: int = 100
    per_server: int = 1000
    heartbeat_seconds: float = 15.0

    @classmethod
    def of(cls, settings: Settings) -> LiveLimits:
        return cls(
            per_client=settings.live_streams_per_client,
            per_session=settings.live_streams_per_session,
            per_server=settings.live_streams_max,
            heartbeat_seconds=settings.live_heartbeat_seconds,
        )


class StreamRefused(Exception):  # noqa: N818 - an answer, not a failure
    """A cap is reached: the HTTP status and a message saying which."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status

    def response(self) -> Response:
        return JSONResponse(
            {"message": str(self), "status": self.status},
            self.status,
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )


@dataclass(eq=False)
class Subscription:
    """One open stream: whose it is, and the queue of (when heard, trace ids) it reads."""

    project_id: str
    session_id: str
    client: str
    viewer: Hashable
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[tuple[float, frozenset[str]]] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE)
    )

    @property
    def session_key(self) -> tuple[str, str]:
        return (self.project_id, self.session_id)

    def offer(self, heard: float, trace_ids: frozenset[str]) -> None:
        """Runs on the event loop: enqueue, or collapse into a resync when full."""
        try:
            self.queue.put_nowait((heard, trace_ids))
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait((heard, frozenset({RESYNC})))

    async def next(self) -> tuple[float, frozenset[str]]:
        """The next delivery, merged with whatever else is already waiting."""
        heard, ids = await self.queue.get()
        while not self.queue.empty():
            heard, more = self.queue.get_nowait()
            ids |= more
        return heard, ids


@dataclass(slots=True)
class _Checked:
    started: float
    result: asyncio.Future[bool]


class LiveBroker:
    """Who watches which session, the caps, and the thread-safe fan-out of changes."""

    def __init__(
        self, limits: LiveLimits | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or LiveLimits()
        self._clock = clock
        self._lock = threading.Lock()
        self._by_session: dict[tuple[str, str], set[Subscription]] = {}
        self._by_client: Counter[str] = Counter()
        self._count = 0
        self._checks: dict[Hashable, _Checked] = {}

    def open_streams(self) -> int:
        """Streams open on this process (for /metrics)."""
        return self._count

    def subscribe(
        self, project_id: str, session_id: str, *, client: str = "", viewer: Hashable = None
    ) -> Subscription:
        """Open a stream, or raise StreamRefused when a cap is reached."""
        sub = Subscription(project_id, session_id, client, viewer, asyncio.get_running_loop())
        with self._lock:
            self._admit(sub)
            self._by_session.setdefault(sub.session_key, set()).add(sub)
            self._by_client[client] += 1
            self._count += 1
        return sub

    def _admit(self, sub: Subscription) -> None:
        limits = self.limits
        if self._count >= limits.per_server:
            raise StreamRefused(
                503,
                f"this server already holds its {limits.per_server} live streams; "
                "the page still works, reload it for new turns",
            )
        if len(self._by_session.get(sub.session_key, ())) >= limits.per_session:
            raise StreamRefused(
                429, f"this session already has {limits.per_session} live viewers; reload instead"
            )
        if self._by_client[sub.client] >= limits.per_client:
            raise StreamRefused(
                429,
                f"your address already holds {limits.per_client} live streams; "
                "close some Session Replay tabs",
            )

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            watchers = self._by_session.get(sub.session_key)
            if watchers is None or sub not in watchers:
                return
            watchers.discard(sub)
            if not watchers:
                del self._by_session[sub.session_key]
            self._by_client[sub.client] -= 1
            if self._by_client[sub.client] <= 0:
                del self._by_client[sub.client]
            self._count -= 1
            if not any(s.viewer == sub.viewer for s in watchers):
                self._checks.pop(_check_key(sub), None)

    def on_change(self, change: Change) -> None:
        """Change-feed subscriber (writer or listener thread): wake the touched sessions' streams."""
        heard = self._clock()
        with self._lock:
            targets = [
                (sub, trace_ids)
                for session_id, trace_ids in change.traces_by_session().items()
                if trace_ids
                for sub in self._by_session.get((change.project_id, session_id), ())
            ]
        for sub, trace_ids in targets:
            try:
                sub.loop.call_soon_threadsafe(sub.offer, heard, trace_ids)
            except RuntimeError:  # the loop closed under a departing subscriber
                self.unsubscribe(sub)

    async def allowed(self, sub: Subscription, check: Check, *, since: float) -> bool:
        """Whether the viewer may still watch, by a check started at or after `since`.

        Streams of the same viewer and session share the check: a commit seen by a
        thousand anonymous viewers of a public session costs one query, not a thousand.
        A check that fails (the database unreachable) ends the stream; the browser
        reconnects and is let in, or not, like any new request.
        """
        key = _check_key(sub)
        checked = self._checks.get(key)
        if checked is None or checked.started < since or checked.result.get_loop() != sub.loop:
            checked = _Checked(self._clock(), asyncio.ensure_future(check()))
            self._checks[key] = checked
        try:
            return await asyncio.shield(checked.result)
        except Exception as exc:
            log.warning("ended a live stream: its viewer could not be checked (%s)", exc)
            return False

    async def events(self, request: Request, sub: Subscription, check: Check) -> AsyncIterator[str]:
        """The stream's text: `turns` with the ids of its session's changed traces."""
        heartbeat = self.limits.heartbeat_seconds
        try:
            yield "retry: 2000\n\n"
            while not await request.is_disconnected():
                try:
                    heard, changed = await asyncio.wait_for(sub.next(), heartbeat)
                except TimeoutError:
                    if not await self.allowed(sub, check, since=self._clock() - heartbeat):
                        return
                    yield ": keep-alive\n\n"
                    continue
                if not await self.allowed(sub, check, since=heard):
                    return
                if RESYNC in changed:
                    yield "event: resync\ndata: {}\n\n"
                    continue
                yield f"event: turns\ndata: {json.dumps({'ids': sorted(changed)})}\n\n"
        finally:
            self.unsubscribe(sub)


def _check_key(sub: Subscription) -> Hashable:
    return (sub.project_id, sub.session_id, sub.viewer)


def session_stream(
    request: Request, project_id: str, session_id: str, user_id: str | None
) -> Response:
    """The live stream of a Session Replay for a viewer already let in, or why not (429/503)."""
    broker = web_state(request).broker
    store = context_of(request).store
    client = request.client.host if request.client else ""
    try:
        sub = broker.subscribe(project_id, session_id, client=client, viewer=user_id)
    except StreamRefused as refused:
        return refused.response()

    async def check() -> bool:
        return await run_in_threadpool(live.may_watch, store, project_id, session_id, user_id)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    body = broker.events(request, sub, check)
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)
