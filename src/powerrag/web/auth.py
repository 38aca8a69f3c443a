"""Signed-in users: the sign-in cookie, the CSRF token.

The sign-in cookie holds a random token whose hash is a row of the database, so a
sign-in survives restarts, is seen by every replica, and can be revoked (issue 19,
M3). CSRF uses a double submit: a random token in an HttpOnly cookie that every
form repeats in a hidden field; a POST without the match is refused (403).
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import accounts
from powerrag.accounts import SignIn, User
from powerrag.context import context_of
from powerrag.domain.errors import CsrfError

SESSION_COOKIE = "powerrag_session"
CSRF_COOKIE = "powerrag_csrf"
CSRF_FIELD = "csrf_token"


class SignInRequiredError(Exception):
    """Raised by pages that need a user; answered with a redirect to the sign-in page."""


class Cookies:
    """Sets and reads the sign-in cookie with the app's settings."""

    def __init__(self, *, secure: bool) -> None:
        self.secure = secure

    def set_session(self, response: Response, sign_in: SignIn) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            sign_in.token,
            max_age=sign_in.max_age,
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )

    def clear_session(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=self.secure)

    @staticmethod
    def token(request: Request) -> str | None:
        """The sign-in token the browser sent, if any (only its hash is stored)."""
        return request.cookies.get(SESSION_COOKIE) or None

    def set_csrf(self, response: Response, token: str) -> None:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="lax", secure=self.secure, path="/"
        )


def csrf_token(request: Request) -> str:
    """This request's CSRF token: the cookie's, or a new one the response will set."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return str(token)


async def check_csrf(request: Request) -> dict[str, str]:
    """The posted form, once its CSRF field matches the cookie; ForbiddenError otherwise."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.cookies.get(CSRF_COOKIE)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfError("the form's security token is missing or stale")
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def current_user(request: Request) -> User | None:
    if hasattr(request.state, "user"):
        user: User | None = request.state.user
        return user
    ctx = context_of(request)
    token = Cookies.token(request)
    user = await run_in_threadpool(accounts.signed_in_user, ctx.store, token) if token else None
    request.state.user = user
    return user


async def require_user(request: Request) -> User:
    user = await current_user(request)
    if user is None:
        raise SignInRequiredError()
    return user
