"""API authentication: Basic `public:secret` (project access), Bearer public key (scores only)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from powerrag.context import context_of
from powerrag.domain.errors import InvalidRequestError, UnauthorizedError
from powerrag.query.accounts import authenticate_key, authenticate_public_key

HOST_HINT = " Confirm that you've configured the correct host."


@dataclass(frozen=True, slots=True)
class Caller:
    project_id: str
    public_key: str
    scores_only: bool = False


def _basic_credentials(header: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(header.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise UnauthorizedError("Invalid authorization header: not base64." + HOST_HINT) from None
    public_key, sep, secret_key = decoded.partition(":")
    if not sep or not public_key or not secret_key:
        raise UnauthorizedError(
            "Invalid authorization header: expected publicKey:secretKey." + HOST_HINT
        )
    return public_key, secret_key


async def authenticate(request: Request, *, allow_public_key: bool = False) -> Caller:
    """The caller's project; UnauthorizedError when the credentials do not hold."""
    ctx = context_of(request)
    header = request.headers.get("authorization")
    if not header:
        raise UnauthorizedError("No authorization header." + HOST_HINT)
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        public_key, secret_key = _basic_credentials(value)
        key = await run_in_threadpool(authenticate_key, ctx.store, public_key, secret_key)
        if key is None:
            raise UnauthorizedError("Invalid credentials." + HOST_HINT)
        return Caller(key.project_id, key.public_key)
    if scheme.lower() == "bearer" and allow_public_key:
        key = await run_in_threadpool(authenticate_public_key, ctx.store, value.strip())
        if key is None:
            raise UnauthorizedError("Invalid credentials." + HOST_HINT)
        return Caller(key.project_id, key.public_key, scores_only=True)
    raise UnauthorizedError(
        "Invalid authorization header: use Basic auth with your public and secret key." + HOST_HINT
    )


def _no_nul(request: Request) -> None:
    """No stored text holds NUL (PostgreSQL refuses it outright), so an id or filter holding
    one matches nothing: a 400 naming it, never the database's error as a 500."""
    values = [request.scope["path"], *request.query_params.values()]
    if any("\x00" in value for value in values):
        raise InvalidRequestError("Invalid request data: the path or a query parameter holds NUL")


async def project_caller(request: Request) -> Caller:
    """FastAPI dependency: full project access (Basic auth)."""
    caller = await authenticate(request)
    _no_nul(request)
    return caller


async def score_caller(request: Request) -> Caller:
    """FastAPI dependency: Basic auth, or Bearer with the public key for score creation."""
    caller = await authenticate(request, allow_public_key=True)
    _no_nul(request)
    return caller
