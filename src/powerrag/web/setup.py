"""Mount the UI on the app: routes, static assets, security headers, live updates."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from powerrag.api.context import Context
from powerrag.web import routes_auth, routes_sessions, routes_settings, routes_traces
from powerrag.web.auth import Cookies
from powerrag.web.hashing import PasswordHashing
from powerrag.web.live import LiveBroker, LiveLimits
from powerrag.web.render import make_environment
from powerrag.web.security import SecurityHeaders
from powerrag.web.throttle import SignInThrottle


def install_web(app: FastAPI, ctx: Context) -> None:
    """Add the UI to an app whose state already holds the Context."""
    app.state.web_env = make_environment()
    app.state.web_cookies = Cookies(secure=ctx.settings.secure_cookies)
    app.state.web_throttle = SignInThrottle()
    app.state.web_hashing = PasswordHashing()
    broker = LiveBroker(LiveLimits.of(ctx.settings))
    ctx.store.changes.subscribe(broker.on_change)
    app.state.web_broker = broker
    static = Path(str(resources.files("powerrag.web").joinpath("static")))
    app.mount("/static", StaticFiles(directory=static), name="static")
    for module in (routes_auth, routes_sessions, routes_traces, routes_settings):
        app.include_router(module.router)
    app.add_middleware(SecurityHeaders)
