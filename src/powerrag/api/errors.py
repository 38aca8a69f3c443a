"""Errors as Langfuse answers them: `{"message": ..., "error": "<Name>"}` with the status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

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

RETRY_AFTER_SECONDS = "2"


def error_body(status: int, message: str, name: str) -> Response:
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if status in (429, 503) else None
    return json_response({"message": message, "error": name}, status, headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BodyTooLargeError)
    async def too_large(_: Request, exc: BodyTooLargeError) -> Response:
        return error_body(413, str(exc), "PayloadTooLargeError")

    @app.exception_handler(InvalidRequestError)
    async def invalid(_: Request, exc: InvalidRequestError) -> Response:
        return error_body(400, str(exc), "InvalidRequestError")

    @app.exception_handler(NotFoundError)
    async def not_found(_: Request, exc: NotFoundError) -> Response:
        return error_body(404, str(exc), "LangfuseNotFoundError")

    @app.exception_handler(UnauthorizedError)
    async def unauthorized(_: Request, exc: UnauthorizedError) -> Response:
        return error_body(401, str(exc), "UnauthorizedError")

    @app.exception_handler(ForbiddenError)
    async def forbidden(_: Request, exc: ForbiddenError) -> Response:
        return error_body(403, str(exc), "ForbiddenError")

    @app.exception_handler(OverloadedError)
    async def overloaded(_: Request, exc: OverloadedError) -> Response:
        return error_body(503, str(exc), "ServiceUnavailableError")

    @app.exception_handler(StorageFullError)
    async def full(_: Request, exc: StorageFullError) -> Response:
        return error_body(503, str(exc), "StorageFullError")

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
