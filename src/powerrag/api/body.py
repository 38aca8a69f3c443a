"""Reading request bodies within the configured size limit and deadline (chunked bodies included)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
from fastapi import Request
from starlette.requests import ClientDisconnect

from powerrag.config import Settings
from powerrag.domain.errors import BodyTimeoutError, InvalidRequestError
from powerrag.ingest.otlp import BodyTooLargeError, decompress

log = logging.getLogger("powerrag.api")


class ClientGoneError(InvalidRequestError):
    """The client closed the connection before its body was complete; nobody reads the answer."""


async def read_body(request: Request, max_bytes: int, *, seconds: float) -> bytes:
    """The raw body; 413 as soon as it grows past `max_bytes` (no Content-Length needed).

    BodyTimeoutError when the whole body has not arrived within `seconds` (a total
    deadline, not an idle one: a sender trickling a byte a second never idles).
    ClientGoneError, after one INFO line, when the client disconnects mid-body.
    """
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLargeError(
            f"Request body of {declared} bytes exceeds the limit of {max_bytes}"
        )
    chunks: list[bytes] = []
    try:
        async with asyncio.timeout(seconds):
            await _read_chunks(request, max_bytes, chunks)
    except TimeoutError:
        raise BodyTimeoutError(
            f"The request body did not arrive within {seconds:g} s "
            f"({sum(map(len, chunks))} bytes received)"
        ) from None
    except ClientDisconnect:
        size = sum(map(len, chunks))
        log.info(
            "%s %s: client disconnected after %d body bytes; nothing stored",
            request.method,
            request.url.path,
            size,
        )
        raise ClientGoneError(f"Client disconnected after {size} body bytes") from None
    return b"".join(chunks)


async def _read_chunks(request: Request, max_bytes: int, chunks: list[bytes]) -> None:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLargeError(f"Request body exceeds the limit of {max_bytes} bytes")
        chunks.append(chunk)


async def read_json(request: Request, max_bytes: int, *, seconds: float) -> Any:
    """A JSON body (gzip allowed); 400 naming the problem when it is not JSON."""
    check_json_type(request)
    return json_body(request, await read_body(request, max_bytes, seconds=seconds), max_bytes)


async def read_json_body(request: Request, settings: Settings) -> Any:
    """A JSON body under the server's `max_body_bytes` and `body_read_seconds`."""
    return await read_json(request, settings.max_body_bytes, seconds=settings.body_read_seconds)


def check_json_type(request: Request) -> None:
    """400 before anything is read when the body says it is not JSON."""
    ctype = request.headers.get("content-type", "")
    if ctype and "json" not in ctype.lower():
        raise InvalidRequestError(f"Invalid content type {ctype!r}: send application/json")


def json_body(request: Request, body: bytes, max_bytes: int) -> Any:
    """The JSON document of a body read already (gzip allowed)."""
    raw = decompress(body, request.headers.get("content-encoding"), max_bytes)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequestError(f"Invalid JSON body: {exc}") from None


def langfuse_header(request: Request, name: str) -> str | None:
    """A `x-langfuse-*` header in hyphen or underscore spelling (JS SDK 4 uses underscores)."""
    return request.headers.get(name) or request.headers.get(name.replace("-", "_"))
