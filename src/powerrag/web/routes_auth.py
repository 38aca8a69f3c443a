"""Sign-in, first-admin creation, sign-out, the language switch and the home redirect."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from powerrag.context import context_of
from powerrag.domain.errors import InvalidRequestError
from powerrag.query import ui_users
from powerrag.web.auth import check_csrf, require_user
from powerrag.web.i18n import LANG_COOKIE, LANGUAGES
from powerrag.web.render import WebRoute, render
from powerrag.web.state import web_state

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths: an open redirect would let a link sign people in elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/")
async def home(request: Request) -> Response:
    user = await require_user(request)
    projects = await run_in_threadpool(ui_users.list_projects, context_of(request).store, user)
    if not projects:
        return RedirectResponse("/settings", status_code=303)
    return RedirectResponse(f"/project/{quote(projects[0].id, safe='')}/sessions", status_code=303)


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    has_users = await run_in_threadpool(ui_users.has_users, context_of(request).store)
    return render(request, "login.html", {"setup": not has_users, "next": _safe_next(next)})


def _signed_in(request: Request, user_id: str, target: str) -> Response:
    response = RedirectResponse(_safe_next(target), status_code=303)
    cookies = web_state(request).cookies
    cookies.set_session(response, user_id)
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await check_csrf(request)
    email, address = form.get("email", ""), request.client.host if request.client else ""
    throttle = web_state(request).throttle
    context = {"setup": False, "next": _safe_next(form.get("next")), "error": "wrong_login"}
    wait = throttle.retry_after(address, email)
    if wait:
        context["error"] = "too_many_attempts"
        response = render(request, "login.html", context, status=429)
        response.headers["Retry-After"] = str(wait)
        return response
    user = await run_in_threadpool(
        ui_users.sign_in, context_of(request).store, email, form.get("password", "")
    )
    if user is None:
        throttle.failed(address, email)
        return render(request, "login.html", context, status=401)
    throttle.succeeded(address, email)
    return _signed_in(request, user.id, form.get("next", "/"))


@router.post("/setup")
async def setup(request: Request) -> Response:
    form = await check_csrf(request)
    try:
        user = await run_in_threadpool(
            ui_users.create_first_admin,
            context_of(request).store,
            form.get("email", ""),
            form.get("name", ""),
            form.get("password", ""),
        )
    except InvalidRequestError as exc:
        context = {"setup": True, "next": "/", "errorText": str(exc)}
        return render(request, "login.html", context, status=400)
    return _signed_in(request, user.id, "/")


@router.post("/logout")
async def logout(request: Request) -> Response:
    await check_csrf(request)
    response = RedirectResponse("/login", status_code=303)
    cookies = web_state(request).cookies
    cookies.clear_session(response)
    return response


@router.get("/lang/{language}")
async def switch_language(request: Request, language: str, next: str = "/") -> Response:
    """A link, not a form: changing the display language changes no data."""
    if language not in LANGUAGES:
        raise InvalidRequestError(f"language is one of {', '.join(LANGUAGES)}")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response
