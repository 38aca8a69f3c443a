"""The app's GET routes, found in `app.routes`, and which one answers a URL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.routing import Route, compile_path

# GET routes the goldens leave out on purpose, and why.
EXEMPT = {
    "/api/docs": "FastAPI's Swagger UI page: its HTML follows the FastAPI version, not our data",
    "/docs/oauth2-redirect": "FastAPI's OAuth2 helper page for the Swagger UI",
}


def _walk(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """Every route as (path, methods), in dispatch order; newer FastAPI nests included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _walk(inner.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, Route):
            yield prefix + route.path, set(route.methods or ())


def get_routes(app: Any) -> list[str]:
    """The path templates of every GET route (API and UI); static files are a Mount, not one."""
    return [path for path, methods in _walk(app.routes) if "GET" in methods]


def route_of(app: Any, url: str) -> str:
    """The template of the GET route that answers `url`: the first that matches, as Starlette."""
    path = unquote(urlsplit(url).path)
    for template in get_routes(app):
        regex, _, _ = compile_path(template)
        if regex.match(path):
            return template
    raise AssertionError(f"no GET route answers {url}")
