"""Signed-in users: the signed session cookie, the CSRF token, and the signing secret.

The secret is generated once and kept in the data directory, so sign-ins survive
restarts. CSRF uses a double submit: a random token in an HttpOnly cookie that
every form repeats in a hidden field; a POST without the match is refused (403).
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag.context import context_of
from powerrag.domain.errors import CsrfError
from powerrag.query import ui_users
from powerrag.store.accounts import User
from powerrag.web.state import web_state

SESSION_COOKIE = "powerrag_session"
CSRF_COOKIE = "powerrag_csrf"
CSRF_FIELD = "csrf_token"
SESSION_DAYS = 30


class SignInRequiredError(Exception):
    """Raised by pages that need a user; answered with a redirect to the sign-in page."""


class Cookies:
    """Signs and reads the session cookie with the app's settings."""

    def __init__(self, secret: str, *, secure: bool) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="powerrag-session")
        self.secure = secure

    def set_session(self, response: Response, user_id: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            self._signer.dumps({"u": user_id}),
            max_age=SESSION_DAYS * 86400,
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )

    def clear_session(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=self.secure)

    def user_id(self, request: Request) -> str | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self._signer.loads(raw, max_age=SESSION_DAYS * 86400)
        except BadSignature:
            return None
        return str(data.get("u")) if isinstance(data, dict) and data.get("u") else None

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
    cookies = web_state(request).cookies
    ctx = context_of(request)
    user_id = cookies.user_id(request)
    user = await run_in_threadpool(ui_users.get_user, ctx.store, user_id) if user_id else None
    request.state.user = user
    return user


async def require_user(request: Request) -> User:
    user = await current_user(request)
    if user is None:
        raise SignInRequiredError()
    return user
