"""Mount the UI on the app (routes, static assets, security headers) and run its services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from powerrag.context import Context
from powerrag.web import (
    routes_annotate,
    routes_auth,
    routes_content,
    routes_dashboard,
    routes_datasets,
    routes_evaluation,
    routes_legacy,
    routes_models,
    routes_prompts,
    routes_queues,
    routes_score_configs,
    routes_sessions,
    routes_settings,
    routes_traces,
)
from powerrag.web.auth import Cookies
from powerrag.web.hashing import PasswordHashing
from powerrag.web.live import LiveBroker, LiveLimits
from powerrag.web.render import make_environment
from powerrag.web.security import SecurityHeaders
from powerrag.web.state import WebState
from powerrag.web.throttle import SignInThrottle


def install_web(app: FastAPI) -> None:
    """Add the UI's routes; `web_running` gives them their state when the app starts."""
    static = Path(str(resources.files("powerrag.web").joinpath("static")))
    app.mount("/static", StaticFiles(directory=static), name="static")
    modules = (routes_auth, routes_annotate, routes_content, routes_sessions, routes_traces)
    for module in (
        *modules,
        routes_prompts,
        routes_settings,
        routes_evaluation,
        routes_models,
        routes_dashboard,
        routes_datasets,
        routes_score_configs,
        routes_queues,
        routes_legacy,
    ):
        app.include_router(module.router)
    app.add_middleware(SecurityHeaders)


@asynccontextmanager
async def web_running(app: FastAPI, ctx: Context) -> AsyncIterator[None]:
    """The UI's state for the app's lifetime; live updates stop hearing commits at the end."""
    broker = LiveBroker(LiveLimits.of(ctx.settings))
    app.state.web = WebState(
        env=make_environment(),
        cookies=Cookies(secure=ctx.settings.secure_cookies),
        throttle=SignInThrottle(),
        hashing=PasswordHashing(),
        broker=broker,
    )
    ctx.metrics.sources.live_streams = broker.open_streams
    unsubscribe = ctx.store.changes.subscribe(broker.on_change)
    try:
        yield
    finally:
        unsubscribe()
