"""Signing in and posting forms over the in-process app, as a browser does (cookie + CSRF)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.testclient import TestClient

T = TypeVar("T")

EMAIL, PASSWORD = "admin@example.com", "correct horse battery"
CSRF_COOKIE = "powerrag_csrf"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, account: tuple[str, str]) -> None:
    """Sign in through the form, as a browser does (CSRF cookie + field)."""
    client.cookies.clear()
    page = client.get("/login")
    email, password = account
    answer = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 303, answer.text


def post_form(client: TestClient, path: str, data: dict[str, str]) -> Any:
    """POST a form with the CSRF field a page would carry."""
    return client.post(path, data={**data, "csrf_token": client.cookies[CSRF_COOKIE]})


async def while_started(app: FastAPI, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` while the app's lifespan holds it open (httpx's ASGI transport runs none)."""
    async with app.router.lifespan_context(app):
        return await work()
