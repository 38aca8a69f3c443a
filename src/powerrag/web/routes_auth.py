"""Sign-in, first-admin creation, sign-out, the language switch and the home redirect."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from powerrag import accounts, urls
from powerrag.accounts import SignIn
from powerrag.context import context_of
from powerrag.domain.errors import ForbiddenError, InvalidRequestError
from powerrag.web.auth import Cookies, check_csrf, require_user
from powerrag.web.hashing import RETRY_AFTER_SECONDS, HashingBusyError
from powerrag.web.hosts import known_host
from powerrag.web.i18n import LANG_COOKIE, LANGUAGES
from powerrag.web.render import WebRoute, render
from powerrag.web.state import web_state
from powerrag.web.throttle import TooManyAttemptsError

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths: an open redirect would let a link sign people in elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return urls.HOME


@router.get("/")
async def home(request: Request) -> Response:
    user = await require_user(request)
    projects = await run_in_threadpool(accounts.list_projects, context_of(request).store, user)
    if not projects:
        return RedirectResponse(urls.SETTINGS_HOME, status_code=303)
    return RedirectResponse(urls.sessions(projects[0].id), status_code=303)


@router.get("/login")
async def login_page(request: Request, next: str = urls.HOME) -> Response:
    has_users = await run_in_threadpool(accounts.has_users, context_of(request).store)
    return render(request, "login.html", {"setup": not has_users, "next": _safe_next(next)})


def _signed_in(request: Request, sign_in: SignIn, target: str) -> Response:
    response = RedirectResponse(_safe_next(target), status_code=303)
    cookies = web_state(request).cookies
    cookies.set_session(response, sign_in)
    return response


def _busy(request: Request, context: dict[str, Any], error: str, wait: int) -> Response:
    response = render(request, "login.html", {**context, "error": error}, status=429)
    response.headers["Retry-After"] = str(wait)
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    """Counted before the password is hashed; hashing is bounded (issue 19, H3)."""
    form = await check_csrf(request)
    email, address = form.get("email", ""), request.client.host if request.client else ""
    throttle = web_state(request).throttle
    hashing = web_state(request).hashing
    context = {"setup": False, "next": _safe_next(form.get("next"))}
    try:
        attempt = throttle.reserve(address, email)
    except TooManyAttemptsError as exc:
        return _busy(request, context, "too_many_attempts", exc.retry_after)
    try:
        sign_in = await hashing.run(
            accounts.sign_in, context_of(request).store, email, form.get("password", "")
        )
    except HashingBusyError:
        throttle.cancel(attempt)
        return _busy(request, context, "busy", RETRY_AFTER_SECONDS)
    if sign_in is None:
        return render(request, "login.html", {**context, "error": "wrong_login"}, status=401)
    throttle.succeeded(attempt)
    return _signed_in(request, sign_in, form.get("next", urls.HOME))


def _check_host(request: Request) -> None:
    if not known_host(context_of(request).settings, request.headers.get("host", "")):
        raise ForbiddenError("this address is not one PowerRAG is served at")


@router.get("/setup")
async def setup_page(request: Request, token: str = "") -> Response:
    """The first-admin form, with the one-time token from the link `powerrag serve` prints."""
    if await run_in_threadpool(accounts.has_users, context_of(request).store):
        return RedirectResponse(urls.login(), status_code=303)
    _check_host(request)
    return render(request, "login.html", {"setup": True, "next": urls.HOME, "token": token})


@router.post("/setup")
async def setup(request: Request) -> Response:
    """Create the first administrator: known Host, the set-up token, once (issue 19, M6)."""
    form = await check_csrf(request)
    store = context_of(request).store
    if await run_in_threadpool(accounts.has_users, store):
        context = {"setup": False, "next": urls.HOME, "error": "admin_exists"}
        return render(request, "login.html", context, status=400)
    _check_host(request)
    hashing = web_state(request).hashing
    context = {"setup": True, "next": urls.HOME, "token": form.get("token", "")}
    try:
        sign_in = await hashing.run(
            accounts.create_first_admin,
            store,
            form.get("token", ""),
            form.get("email", ""),
            form.get("name", ""),
            form.get("password", ""),
        )
    except HashingBusyError:
        return _busy(request, context, "busy", RETRY_AFTER_SECONDS)
    except ForbiddenError as exc:
        return render(request, "login.html", {**context, "errorText": str(exc)}, status=403)
    except InvalidRequestError as exc:
        return render(request, "login.html", {**context, "errorText": str(exc)}, status=400)
    return _signed_in(request, sign_in, urls.HOME)


def _signed_out(request: Request) -> Response:
    response = RedirectResponse(urls.login(), status_code=303)
    cookies = web_state(request).cookies
    cookies.clear_session(response)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End this sign-in in the database: a copy of the cookie stops working too (M3)."""
    await check_csrf(request)
    token = Cookies.token(request)
    if token:
        await run_in_threadpool(accounts.sign_out, context_of(request).store, token)
    return _signed_out(request)


@router.post("/logout/everywhere")
async def logout_everywhere(request: Request) -> Response:
    """End every sign-in of this user, in every browser (M3)."""
    user = await require_user(request)
    await check_csrf(request)
    await run_in_threadpool(accounts.sign_out_everywhere, context_of(request).store, user.id)
    return _signed_out(request)


@router.get("/lang/{language}")
async def switch_language(request: Request, language: str, next: str = urls.HOME) -> Response:
    """A link, not a form: changing the display language changes no data."""
    if language not in LANGUAGES:
        raise InvalidRequestError(f"language is one of {', '.join(LANGUAGES)}")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response
