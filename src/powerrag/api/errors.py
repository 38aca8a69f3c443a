"""Errors as Langfuse answers them: `{"message": ..., "error": "<Name>"}` with the status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from powerrag.http_errors import KNOWN, kind_of
from powerrag.responses import json_response

log = logging.getLogger("powerrag.api")

# Short: OTLP exporters retry only within a ~5 s deadline (tests/data/sdk-traffic.md §7.2).
RETRY_AFTER_SECONDS = "1"


# Langfuse's unstable endpoints answer `{"message", "code", "details"}` instead
# (`unstablePublicApiError`); the code by status when the error names none.
UNSTABLE_PREFIX = "/api/public/unstable/"
_CODES = {
    400: "invalid_request",
    401: "authentication_failed",
    403: "access_denied",
    404: "resource_not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "unprocessable_content",
    429: "rate_limited",
}


def error_body(
    status: int,
    message: str,
    name: str,
    request: Request | None = None,
    exc: Exception | None = None,
) -> Response:
    if request is not None:
        # Read by the ingest metrics (api/ingest_metrics.py) as the reason of a refusal.
        request.state.error_name = name
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if status in (429, 503) else None
    if status == 408:  # the rest of a body too slow to read is not waited for (RFC 9110 §15.5.9)
        headers = {"Connection": "close"}
    if request is not None and request.url.path.startswith(UNSTABLE_PREFIX):
        code = getattr(exc, "code", None) or _CODES.get(status, "internal_error")
        body = {"message": message, "code": code, "details": getattr(exc, "details", None)}
        return json_response(body, status, headers)
    return json_response({"message": message, "error": name}, status, headers)


def install_error_handlers(app: FastAPI) -> None:
    async def known(request: Request, exc: Exception) -> Response:
        kind = kind_of(exc)
        return error_body(kind.status, str(exc), kind.name, request, exc)

    for cls in KNOWN:
        app.add_exception_handler(cls, known)

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        )
        return error_body(400, f"Invalid request data: {problems}", "InvalidRequestError", request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        names = {404: "LangfuseNotFoundError", 405: "MethodNotAllowedError"}
        name = names.get(exc.status_code, "HttpError")
        return error_body(exc.status_code, str(exc.detail), name, request)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return error_body(500, "Internal Server Error", "InternalServerError", request)
