"""Errors as Langfuse answers them: `{"message": ..., "error": "<Name>"}` with the status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from powerrag.api.body import BodyTimeoutError
from powerrag.api.responses import json_response
from powerrag.domain.errors import (
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    OverloadedError,
    StorageFullError,
    UnauthorizedError,
)
from powerrag.ingest.otlp import BodyTooLargeError

log = logging.getLogger("powerrag.api")

# Short: OTLP exporters retry only within a ~5 s deadline (tests/data/sdk-traffic.md §7.2).
RETRY_AFTER_SECONDS = "1"


def error_body(status: int, message: str, name: str) -> Response:
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if status in (429, 503) else None
    if status == 408:  # the rest of a body too slow to read is not waited for (RFC 9110 §15.5.9)
        headers = {"Connection": "close"}
    return json_response({"message": message, "error": name}, status, headers)


# Each error PowerRAG raises on purpose, with its status and Langfuse's error name.
# Order matters: a subclass comes before its base (BodyTooLargeError is an InvalidRequestError).
_ERRORS: tuple[tuple[type[Exception], int, str], ...] = (
    (BodyTooLargeError, 413, "PayloadTooLargeError"),
    (BodyTimeoutError, 408, "RequestTimeoutError"),
    (InvalidRequestError, 400, "InvalidRequestError"),
    (NotFoundError, 404, "LangfuseNotFoundError"),
    (UnauthorizedError, 401, "UnauthorizedError"),
    (ForbiddenError, 403, "ForbiddenError"),
    (OverloadedError, 503, "ServiceUnavailableError"),
    (StorageFullError, 503, "StorageFullError"),
)


def install_error_handlers(app: FastAPI) -> None:
    async def known(_: Request, exc: Exception) -> Response:
        status, name = next((s, n) for cls, s, n in _ERRORS if isinstance(exc, cls))
        return error_body(status, str(exc), name)

    for cls, _, _ in _ERRORS:
        app.add_exception_handler(cls, known)

    @app.exception_handler(RequestValidationError)
    async def validation(_: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        )
        return error_body(400, f"Invalid request data: {problems}", "InvalidRequestError")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        names = {404: "LangfuseNotFoundError", 405: "MethodNotAllowedError"}
        return error_body(exc.status_code, str(exc.detail), names.get(exc.status_code, "HttpError"))

    @app.exception_handler(Exception)
    async def internal(_: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return error_body(500, "Internal Server Error", "InternalServerError")
