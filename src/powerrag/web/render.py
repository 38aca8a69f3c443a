"""Rendering: one context per page, shown as HTML (Jinja2) or as its JSON twin (?format=json).

`WebRoute` turns domain errors into an HTML error page (or JSON for the twin)
and a missing sign-in into a redirect, so handlers stay a few lines long. Templates
render in worker threads (`PageResponse`), never on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any
from urllib.parse import quote

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar
from fastapi import Request
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, Template, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import Receive, Scope, Send

from powerrag import urls
from powerrag.http_errors import KNOWN, kind_of
from powerrag.responses import json_response
from powerrag.web.auth import SignInRequiredError, csrf_token
from powerrag.web.i18n import LANG_COOKIE, pick_language, translator
from powerrag.web.markdown import page_budget, render_message
from powerrag.web.state import web_state

# Pages rendering at once, per event loop. Their own limiter, not the default thread pool
# that database calls share (API key checks of ingestion among them): slow pages wait for
# each other and never for, or in front of, ingestion. Rendering is CPU-bound Python, so
# under the GIL more threads add no throughput and only take turns from the event loop and
# the writer thread; two keep one slow page from holding up every other.
RENDER_THREADS = 2
_RENDER_LIMITER: RunVar[CapacityLimiter] = RunVar("powerrag_render_limiter")


# The language of the page being rendered: filters run inside macros imported without the
# page's context, so they read it here (set by `_render_page`, as markdown.py's budget).
_PAGE_LANGUAGE: ContextVar[str] = ContextVar("page_language", default="en")
# Duration units per language: one format everywhere (static/content.js formats none).
DURATION_UNITS = {
    "en": {"ms": "{} ms", "s": "{} s", "ms_": "{}m {}s", "hm": "{}h {}m"},
    "zh-CN": {"ms": "{} 毫秒", "s": "{} 秒", "ms_": "{} 分 {} 秒", "hm": "{} 小时 {} 分"},
}


def _number(value: float | int | None) -> str:
    if value is None:
        return "–"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def _cost(value: float | None) -> str:
    if not value:
        return "$0"
    return f"${value:.6f}".rstrip("0").rstrip(".") if value < 1 else f"${value:,.2f}"


def _duration(value: float | None) -> str:
    if value is None:
        return "–"
    units = DURATION_UNITS.get(_PAGE_LANGUAGE.get(), DURATION_UNITS["en"])
    if value < 1:
        return units["ms"].format(f"{value * 1000:.0f}")
    if value < 120:
        return units["s"].format(f"{value:.2f}")
    minutes, secs = divmod(int(value), 60)
    if minutes >= 60:
        return units["hm"].format(minutes // 60, minutes % 60)
    return units["ms_"].format(minutes, secs)


def _time(iso: str | None, short: bool = False) -> Markup:
    """A `<time>` in UTC, labelled so; static/content.js shows it in the browser's zone
    (`short`, for tables: without seconds)."""
    if not iso:
        return Markup("–")
    shown = iso.replace("T", " ").replace("Z", "")[: 16 if short else 19]
    return Markup('<time datetime="{}" title="{}"{}>{} UTC</time>').format(
        iso, iso, Markup(' data-format="short"') if short else "", shown
    )


def _short_time(iso: str | None) -> Markup:
    return _time(iso, short=True)


def make_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("powerrag.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        markdown=render_message,
        num=_number,
        cost=_cost,
        dur=_duration,
        time=_time,
        shorttime=_short_time,
        url=lambda v: quote(str(v), safe=""),
    )
    env.globals["urls"] = urls
    return env


def wants_json(request: Request) -> bool:
    return request.query_params.get("format") == "json"


def language(request: Request) -> str:
    return pick_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def _render_limiter() -> CapacityLimiter:
    try:
        return _RENDER_LIMITER.get()
    except LookupError:
        limiter = CapacityLimiter(RENDER_THREADS)
        _RENDER_LIMITER.set(limiter)
        return limiter


def _render_page(template: Template, context: dict[str, Any]) -> str:
    """Runs in a worker thread; each page has its own Markdown budget and language."""
    token = _PAGE_LANGUAGE.set(str(context.get("lang", "en")))
    try:
        with page_budget():
            return template.render(context)
    finally:
        _PAGE_LANGUAGE.reset(token)


class PageResponse(HTMLResponse):
    """An HTML page whose template is rendered when the response is sent, in a worker thread.

    Rendering trace text can take a CPU for a while; on the event loop it would stall every
    other request (health checks and ingestion included). Deferring it to sending keeps
    `render` synchronous for the routes. The body exists only once sent.
    """

    def __init__(self, template: Template, context: dict[str, Any], status_code: int) -> None:
        super().__init__(None, status_code)
        self._template, self._context = template, context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        page = await to_thread.run_sync(
            _render_page, self._template, self._context, limiter=_render_limiter()
        )
        self.body = self.render(page)
        self.headers["content-length"] = str(len(self.body))
        await super().__call__(scope, receive, send)


def render(
    request: Request, template: str, context: dict[str, Any], *, status: int = 200
) -> Response:
    """The page as HTML, or its JSON twin: the same context without the page chrome."""
    if wants_json(request):
        return json_response(context, status)
    lang = language(request)
    env = web_state(request).env
    query = f"?{request.url.query}" if request.url.query else ""
    page_context = {
        **context,
        "t": translator(lang),
        "lang": lang,
        "csrf": csrf_token(request),
        "user": getattr(request.state, "user", None),
        "request_path": request.url.path,
        # The decoded path quoted again (request.url.path leaves "%" and "#" as they are, so
        # an id holding them would not come back): every id stays whole.
        "request_url": quote(request.scope["path"]) + query,
    }
    response = PageResponse(env.get_template(template), page_context, status)
    new_token = getattr(request.state, "new_csrf", None)
    if new_token:
        cookies = web_state(request).cookies
        cookies.set_csrf(response, new_token)
    return response


def _error_page(request: Request, status: int, title_key: str, message: str) -> Response:
    if wants_json(request):
        return json_response({"message": message, "status": status}, status)
    return render(
        request,
        "error.html",
        {"status": status, "titleKey": title_key, "message": message},
        status=status,
    )


class WebRoute(APIRoute):
    """A UI route: errors become pages, a missing sign-in becomes a redirect."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequiredError:
                if wants_json(request):
                    return json_response({"message": "sign in first", "status": 401}, 401)
                return RedirectResponse(urls.login(request.url.path), status_code=303)
            except KNOWN as exc:
                kind = kind_of(exc)
                message = kind.message or str(exc)
                return _error_page(request, kind.status, kind.title, message)

        return guarded
