"""Reading request bodies within the configured size limit (chunked bodies included)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request

from powerrag.domain.errors import InvalidRequestError
from powerrag.ingest.otlp import BodyTooLargeError, decompress


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The raw body; 413 as soon as it grows past `max_bytes` (no Content-Length needed)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLargeError(
            f"Request body of {declared} bytes exceeds the limit of {max_bytes}"
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLargeError(f"Request body exceeds the limit of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, max_bytes: int) -> Any:
    """A JSON body (gzip allowed); 400 naming the problem when it is not JSON."""
    ctype = request.headers.get("content-type", "")
    if ctype and "json" not in ctype.lower():
        raise InvalidRequestError(f"Invalid content type {ctype!r}: send application/json")
    raw = decompress(
        await read_body(request, max_bytes), request.headers.get("content-encoding"), max_bytes
    )
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequestError(f"Invalid JSON body: {exc}") from None


def langfuse_header(request: Request, name: str) -> str | None:
    """A `x-langfuse-*` header in hyphen or underscore spelling (JS SDK 4 uses underscores)."""
    return request.headers.get(name) or request.headers.get(name.replace("-", "_"))
