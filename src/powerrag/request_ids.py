"""Every HTTP request gets an id: the caller's `X-Request-Id` when it is sane, else a new
one. It is sent back in the answer's `X-Request-Id` header and named by every log line
written while the request is handled (powerrag/logs.py), so a user's report of a failed
request finds its log lines.
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from powerrag.logs import request_id

HEADER = "x-request-id"
# What a proxy or client sends (a UUID, a trace id, a load balancer's token): short and
# printable, so it cannot forge log lines or bloat them.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,127}")


def accepted_id(sent: str | None) -> str:
    """The caller's id if sane, else a new random one."""
    if sent is not None and _SANE.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == HEADER.encode()), None
        )
        rid = accepted_id(sent)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = rid
            await send(message)

        token = request_id.set(rid)
        try:
            await self.app(scope, receive, sending)
        finally:
            request_id.reset(token)
