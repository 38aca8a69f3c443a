"""Sign-in under attack (issue 19): H3 bounded hashing, counted before hashing; M3 revocation;
M5 the address the throttle counts (a real `powerrag serve`, since uvicorn decides it).

Concurrent requests go through the real app in process (httpx's ASGI transport, each
client with its own address), so every request is really in flight at once, and
argon2 is counted (and, where the test needs it, held) at its class: the hashes are
real, the test only watches them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from powerrag import accounts
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from powerrag.web.hashing import HASHING_QUEUE, HASHING_WORKERS
from powerrag.web.throttle import MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS
from tests.support.loops import run_coroutine
from tests.support.server import ServerProcess
from tests.support.web import (
    CSRF_COOKIE,
    EMAIL,
    PASSWORD,
    csrf_of,
    post_form,
    sign_in,
    while_started,
)


class Argon2Watch:
    """Counts argon2 verifications, the most at once, and can hold them until released."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.verified = 0
        self.running = 0
        self.most_at_once = 0
        self.release = threading.Event()
        self.release.set()

    def wrap(self, verify: Callable[..., bool]) -> Callable[..., bool]:
        def watched(hasher: PasswordHasher, *args: Any) -> bool:
            with self.lock:
                self.verified += 1
                self.running += 1
                self.most_at_once = max(self.most_at_once, self.running)
                self.lock.notify_all()
            try:
                assert self.release.wait(60), "the test never released the held hashes"
                return verify(hasher, *args)
            finally:
                with self.lock:
                    self.running -= 1

        return watched

    def wait_running(self, count: int) -> int:
        """Block until `count` verifications are under way (or 60 s); how many are."""
        with self.lock:
            self.lock.wait_for(lambda: self.running >= count, timeout=60)
            return self.running


@pytest.fixture
def argon2_watch(monkeypatch: pytest.MonkeyPatch) -> Argon2Watch:
    watch = Argon2Watch()
    monkeypatch.setattr(PasswordHasher, "verify", watch.wrap(PasswordHasher.verify))
    return watch


@pytest.fixture
def app(store: Store, settings: Settings) -> FastAPI:
    accounts.ensure_user(store, EMAIL, "Admin", PASSWORD)
    return create_app(settings, store=store)


async def _browser(app: FastAPI, address: str) -> tuple[httpx.AsyncClient, str]:
    """A client from `address` that has the sign-in page's CSRF cookie and token."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    client = httpx.AsyncClient(transport=transport, base_url="http://localhost")
    page = await client.get("/login")
    return client, csrf_of(page.text)


async def _sign_in(client: httpx.AsyncClient, csrf: str, email: str, password: str) -> Any:
    data = {"email": email, "password": password, "csrf_token": csrf}
    return await client.post("/login", data=data)


def test_concurrent_guesses_at_one_account_are_counted_before_hashing(
    app: FastAPI, argon2_watch: Argon2Watch
) -> None:
    """H3: 50 guesses at once, the right one among them: at most the limit is ever checked."""

    async def attack() -> list[int]:
        client, csrf = await _browser(app, "203.0.113.7")
        guesses = [f"wrong guess {i}" for i in range(49)] + [PASSWORD]
        answers = await asyncio.gather(*(_sign_in(client, csrf, EMAIL, g) for g in guesses))
        await client.aclose()
        return [a.status_code for a in answers]

    statuses = run_coroutine(while_started(app, attack))

    assert argon2_watch.verified <= MAX_FAILURES_PER_ACCOUNT
    assert len([s for s in statuses if s != 429]) == argon2_watch.verified
    assert statuses.count(429) >= 50 - MAX_FAILURES_PER_ACCOUNT


def test_hashing_runs_two_at_a_time_and_a_full_queue_answers_429(
    app: FastAPI, argon2_watch: Argon2Watch
) -> None:
    """H3: sign-ins from many addresses never queue without bound for the hasher."""
    argon2_watch.release.clear()  # hold every hash until the overflow has been answered
    senders = 30
    admitted = HASHING_WORKERS + HASHING_QUEUE

    async def flood() -> tuple[list[httpx.Response], list[httpx.Response], int]:
        """(the answers that came while hashes were held, every answer, hashes running)."""
        browsers = [await _browser(app, f"198.51.100.{i}") for i in range(senders)]
        tasks = [
            asyncio.ensure_future(_sign_in(c, csrf, f"user{i}@example.com", "wrong password"))
            for i, (c, csrf) in enumerate(browsers)
        ]
        early: list[httpx.Response] = []
        for next_done in asyncio.as_completed(tasks):
            early.append(await next_done)
            if len(early) == senders - admitted:
                break
        running_while_held = await asyncio.to_thread(argon2_watch.wait_running, HASHING_WORKERS)
        argon2_watch.release.set()
        everything = list(await asyncio.gather(*tasks))
        for c, _ in browsers:
            await c.aclose()
        return early, everything, running_while_held

    early, everything, running_while_held = run_coroutine(while_started(app, flood))

    assert [r.status_code for r in early] == [429] * (senders - admitted)
    assert all(int(r.headers["retry-after"]) >= 1 for r in early)
    assert running_while_held == HASHING_WORKERS
    assert argon2_watch.most_at_once == HASHING_WORKERS
    statuses = sorted(r.status_code for r in everything)
    assert statuses == [401] * admitted + [429] * (senders - admitted)
    assert argon2_watch.verified == admitted


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://localhost", follow_redirects=False) as client:
        yield client


def _copy(app: FastAPI, session_cookie: str) -> TestClient:
    """Another browser holding a copy of a sign-in cookie (as an attacker who copied it)."""
    client = TestClient(app, base_url="http://localhost", follow_redirects=False)
    client.cookies.set("powerrag_session", session_cookie)
    return client


def _signed_in(client: TestClient) -> bool:
    """Whether the home page lets the browser in (signed out: sent to the sign-in page)."""
    return not client.get("/").headers["location"].startswith("/login")


def test_signing_out_revokes_the_cookie_even_when_copied(app: FastAPI, browser: TestClient) -> None:
    """M3: logout ends the sign-in in the database, not only in the browser that asked."""
    sign_in(browser, (EMAIL, PASSWORD))
    copied = _copy(app, browser.cookies["powerrag_session"])
    assert _signed_in(copied)

    assert post_form(browser, "/logout", {}).status_code == 303

    assert not _signed_in(copied)


def test_a_password_change_ends_every_sign_in(
    app: FastAPI, browser: TestClient, store: Store
) -> None:
    """M3: after `powerrag user create` sets a new password, old cookies are dead."""
    sign_in(browser, (EMAIL, PASSWORD))
    copied = _copy(app, browser.cookies["powerrag_session"])

    accounts.ensure_user(store, EMAIL, "Admin", "a brand new password")

    assert not _signed_in(copied) and not _signed_in(browser)
    accounts.ensure_user(store, EMAIL, "Admin renamed", "a brand new password")
    sign_in(browser, (EMAIL, "a brand new password"))
    accounts.ensure_user(store, EMAIL, "Admin", "a brand new password")  # same password
    assert _signed_in(browser)


def test_sign_out_everywhere_ends_the_sign_ins_of_other_browsers(
    app: FastAPI, browser: TestClient
) -> None:
    """M3: the settings page's "Sign out everywhere" ends every sign-in of the user."""
    sign_in(browser, (EMAIL, PASSWORD))
    with TestClient(app, base_url="http://localhost", follow_redirects=False) as laptop:
        sign_in(laptop, (EMAIL, PASSWORD))
        page = browser.get("/settings", follow_redirects=True).text
        assert 'id="sign-out-everywhere-form"' in page

        answer = browser.post(
            "/logout/everywhere", data={"csrf_token": browser.cookies[CSRF_COOKIE]}
        )

        assert answer.status_code == 303
        assert not _signed_in(laptop) and not _signed_in(browser)


def _form_sign_in(client: httpx.Client, email: str, password: str, forwarded_for: str) -> int:
    headers = {"x-forwarded-for": forwarded_for}
    page = client.get("/login", headers=headers)
    data = {"email": email, "password": password, "csrf_token": csrf_of(page.text)}
    return client.post("/login", data=data, headers=headers).status_code


def _serve(tmp_path: Path, **settings: str) -> ServerProcess:
    server = ServerProcess(tmp_path / "data", user=(EMAIL, PASSWORD), **settings)
    server.start()
    return server


@pytest.mark.slow
def test_a_local_client_cannot_choose_its_address_with_x_forwarded_for(tmp_path: Path) -> None:
    """M5: by default no proxy is believed, so the throttle counts the real peer."""
    server = _serve(tmp_path)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for i in range(MAX_FAILURES_PER_ADDRESS):
                status = _form_sign_in(client, f"u{i}@example.com", "wrong", f"192.0.2.{i}")
                assert status == 401
            assert _form_sign_in(client, EMAIL, PASSWORD, "192.0.2.200") == 429
    finally:
        server.stop()


@pytest.mark.slow
def test_behind_a_trusted_proxy_each_client_is_counted_on_its_own(tmp_path: Path) -> None:
    """M5: one user's failures behind the proxy do not lock the others out."""
    server = _serve(tmp_path, forwarded_allow_ips="127.0.0.1")
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for i in range(MAX_FAILURES_PER_ADDRESS):
                assert _form_sign_in(client, f"u{i}@example.com", "wrong", "192.0.2.1") == 401
            assert _form_sign_in(client, "fresh@example.com", "wrong", "192.0.2.1") == 429
            assert _form_sign_in(client, EMAIL, PASSWORD, "192.0.2.2") == 303
    finally:
        server.stop()
