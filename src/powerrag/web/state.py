"""What the UI's handlers share, set when the app starts (`web/setup.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

if TYPE_CHECKING:  # the modules below read the state through `web_state`
    from jinja2 import Environment

    from powerrag.web.auth import Cookies
    from powerrag.web.hashing import PasswordHashing
    from powerrag.web.live import LiveBroker
    from powerrag.web.throttle import SignInThrottle


@dataclass(frozen=True, slots=True)
class WebState:
    """Templates, cookies, the sign-in throttle, password hashing and the live-update broker."""

    env: Environment
    cookies: Cookies
    throttle: SignInThrottle
    hashing: PasswordHashing
    broker: LiveBroker


def web_state(connection: HTTPConnection) -> WebState:
    """The running UI's state."""
    state = connection.app.state.web
    if not isinstance(state, WebState):
        raise RuntimeError("the app has not started: requests need its lifespan to run")
    return state
