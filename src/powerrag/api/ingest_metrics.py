"""Counts every ingest request's answer for /metrics, by endpoint, outcome and reason.

An ASGI middleware, so a request refused before its handler runs (401, 413, 503 at
admission) counts too; the error handlers (api/errors.py) leave the error's name in
the request state as the reason.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from powerrag.metrics import Metrics

ENDPOINTS = {
    "/api/public/otel/v1/traces": "otlp_traces",
    "/api/public/otel/v1/logs": "otlp_logs",
    "/api/public/ingestion": "ingestion",
    "/api/public/scores": "scores",
}


class IngestMetrics:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = None
        if scope["type"] == "http" and scope["method"] == "POST":
            endpoint = ENDPOINTS.get(scope["path"])
        if endpoint is None:
            await self.app(scope, receive, send)
            return
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            reason = scope.get("state", {}).get("error_name")
            self.metrics.answered(endpoint, status, reason)
