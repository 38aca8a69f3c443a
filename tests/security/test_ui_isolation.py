"""A UI user of project A can neither read, change nor delete project B (issue 6 §5).

Web routes are enumerated from `app.routes`, so a page added later is covered
without editing this file. A signed-in owner of A calls every GET and POST with
B's project id and B's ids, with A's project id and B's ids, and with A's own
session and trace but B's ids in the rest (id guessing). No answer may hold B's
content, B's rows must be exactly as they were, and B's pages answer 404 to A's
user exactly as a missing project does, while B's member gets them (200).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from powerrag import urls
from powerrag.accounts import ensure_user
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store import accounts
from powerrag.store.database import Store
from powerrag.store.infra.schema import comments, users
from powerrag.store.memberships import OWNER, set_membership
from tests.support.isolation import (
    A_ID,
    A_KEYS,
    B_ID,
    B_KEYS,
    B_MARKERS,
    B_PROMPT,
    B_RULE,
    B_SESSION,
    World,
    basic_auth,
    fill_path,
    walk_routes,
)
from tests.support.web import CSRF_COOKIE, post_form, sign_in

ADMIN = ("admin@example.com", "admin password 1")
ALICE = ("alice@a.example", "alice password 1")  # owner of A
BOB = ("bob@b.example", "bob password 1")  # owner of B
A_SESSION, A_TRACE, A_OBSERVATION = "a-session-1", "a-trace-1", "a-span-1"
B_PROJECT_NAME = "b-secret-project-name"
B_COMMENT = "b-secret-ui-comment"
MARKERS = (*B_MARKERS, B_PROJECT_NAME, B_COMMENT)


def _a_batch() -> dict[str, Any]:
    """Project A's own trace, in its own session (sent with A's key)."""
    now = "2025-11-23T10:00:00Z"
    return {
        "batch": [
            {
                "id": "a-event-1",
                "type": "trace-create",
                "timestamp": now,
                "body": {"id": A_TRACE, "name": "a-trace", "sessionId": A_SESSION},
            },
            {
                "id": "a-event-2",
                "type": "span-create",
                "timestamp": now,
                "body": {"id": A_OBSERVATION, "traceId": A_TRACE, "startTime": now},
            },
        ]
    }


@dataclass
class Ui:
    """Two projects on one real database, an owner for each, and B's UI-made rows."""

    client: TestClient
    store: Store
    world: World
    b_key_id: str
    bob_id: str

    def b_ids(self) -> dict[str, str]:
        w = self.world
        return {
            "project_id": B_ID,
            "session_id": B_SESSION,
            "rest": f"{B_SESSION}/flags",  # an old form address (web/routes_legacy.py)
            "trace_id": w.trace_id,
            "observation_id": w.observation_id,
            "media_id": w.media_id,
            "field": "input",
            "score_id": w.score_id,
            "comment_id": self.b_comment_id(),
            "key_id": self.b_key_id,
            "user_id": self.bob_id,
            "language": "en",
            "kind": "rules",
            "item_id": B_RULE,
            "name": B_PROMPT.replace("/", "%2F"),
            "dataset_id": w.dataset_id,
            "model_id": B_RULE,
            "config_id": B_RULE,
            "queue_id": B_RULE,
        }

    def b_comment_id(self) -> str:
        """Bob's comment on B's session (made through the UI by the fixture)."""
        with self.store.connect() as conn:
            mine = (comments.c.project_id == B_ID) & (comments.c.id != B_RULE)
            found = conn.execute(select(comments.c.id).where(mine))
            return str(found.scalar_one())

    def bob_row(self) -> list[tuple[Any, ...]]:
        with self.store.connect() as conn:
            return [tuple(r) for r in conn.execute(select(users).where(users.c.id == self.bob_id))]


@pytest.fixture
def ui(store: Store, tmp_path: Path) -> Iterator[Ui]:
    ensure_user(store, ADMIN[0], "Admin", ADMIN[1])  # the first account: admin
    alice = ensure_user(store, ALICE[0], "Alice", ALICE[1])
    bob = ensure_user(store, BOB[0], "Bob", BOB[1])
    with store.transaction() as conn:
        accounts.create_project(conn, "Project A", A_ID)
        accounts.create_api_key(conn, A_ID, public_key=A_KEYS[0], secret_key=A_KEYS[1])
        accounts.create_project(conn, B_PROJECT_NAME, B_ID)
        b_key, _ = accounts.create_api_key(conn, B_ID, public_key=B_KEYS[0], secret_key=B_KEYS[1])
        set_membership(conn, A_ID, alice.id, OWNER)
        set_membership(conn, B_ID, bob.id, OWNER)
    app = create_app(Settings(data_dir=tmp_path), store=store)
    with TestClient(app, follow_redirects=False) as client:
        world = World(client, store)
        world.fill_b()
        answer = client.post(
            "/api/public/ingestion", json=_a_batch(), headers={"authorization": basic_auth(A_KEYS)}
        )
        assert answer.status_code == 207 and not answer.json()["errors"], answer.text
        sign_in(client, BOB)
        path = urls.session_comments(B_ID, B_SESSION)
        assert post_form(client, path, {"content": B_COMMENT}).status_code == 303
        sign_in(client, ALICE)
        yield Ui(client, store, world, b_key.id, bob.id)


def _web_routes(client: TestClient) -> list[tuple[str, str]]:
    routes: list[tuple[str, str]] = []
    for path, methods in walk_routes(client.app.routes):  # type: ignore[attr-defined]
        if not path.startswith("/api/") and not path.startswith("/docs"):
            routes.extend((m, path) for m in sorted(methods) if m != "HEAD")
    return routes


def _form(ui: Ui) -> dict[str, str]:
    """A form naming B's things in every field a page might read."""
    return {
        "trace_id": ui.world.trace_id,
        "flag": "public",
        "value": "1",
        "content": "a-was-here",
        "name": "a-was-here",
        "data_type": "NUMERIC",
        "note": "a-was-here",
        "email": "nobody@a.example",
        "password": "a-was-here-123",
        "role": "member",
        "back": "list",
        "config_id": B_RULE,
        "queue_id": B_RULE,
        "object_id": B_SESSION,
        "object_type": "SESSION",
    }


def _query(template: str, ids: dict[str, str]) -> dict[str, str]:
    """The ids a replay part or a trace's part takes in its query string (powerrag/urls.py)."""
    if "/trace/" in template:
        part = {"observation": ids["observation_id"]} if template.endswith("/observation") else {}
        return {"trace": ids["trace_id"], "field": ids["field"], **part}
    if "/replay/" not in template:
        return {}
    query = {"session": ids["session_id"]}
    if "/scores/" in template:
        query["score"] = ids["score_id"]
    if "/comments/" in template:
        query["comment"] = ids["comment_id"]
    return query


def _call(ui: Ui, method: str, template: str, ids: dict[str, str]) -> list[Any]:
    path = fill_path(template, ids)
    query = _query(template, ids)
    if method != "GET":
        form = {**_form(ui), "csrf_token": ui.client.cookies[CSRF_COOKIE]}
        answer = ui.client.request(method, path, params=query, data=form)
        if template.startswith("/logout"):
            sign_in(ui.client, ALICE)
        return [answer]
    params = {"observation": ui.world.observation_id, "id": ui.world.trace_id, **query}
    if (
        template.endswith("/events")
        and ids["project_id"] == A_ID
        and ids["session_id"] == A_SESSION
    ):
        return []  # A's own live stream: it never ends, and holds only A's session by design
    return [
        ui.client.get(path, params=params),
        ui.client.get(path, params={**params, "format": "json"}),
    ]


def _variants(ui: Ui) -> list[dict[str, str]]:
    b = ui.b_ids()
    return [
        b,
        {**b, "project_id": A_ID},
        {**b, "project_id": A_ID, "session_id": A_SESSION, "trace_id": A_TRACE},
    ]


def test_every_web_route_keeps_project_b_out_of_reach_of_a_user(ui: Ui) -> None:
    before, bob_before = ui.world.snapshot_b(), ui.bob_row()
    routes = _web_routes(ui.client)
    assert ("GET", "/project/{project_id}/traces/{trace_id:path}") in routes
    assert ("POST", "/project/{project_id}/settings/members/{user_id}/remove") in routes
    for ids in _variants(ui):
        for method, template in routes:
            for answer in _call(ui, method, template, ids):
                where = (method, template, ids["project_id"], answer.status_code)
                assert answer.status_code < 500, (*where, answer.text)
                leaked = [m for m in MARKERS if m in answer.text]
                assert not leaked, f"{where}: A's user got B's {leaked}"
                if ids["project_id"] == B_ID and "{project_id}" in template:
                    assert answer.status_code == 404, where
    assert ui.world.snapshot_b() == before
    assert ui.bob_row() == bob_before


def test_pages_of_b_are_404_for_a_user_like_a_missing_project_and_200_for_b(ui: Ui) -> None:
    pages = [
        fill_path(p, ui.b_ids()) + (f"?{urlencode(q)}" if (q := _query(p, ui.b_ids())) else "")
        for m, p in _web_routes(ui.client)
        if m == "GET" and "{project_id}" in p and not p.endswith("/events")
    ]
    for path in pages:
        refused = ui.client.get(path)
        missing = ui.client.get(path.replace(f"/project/{B_ID}/", "/project/no-such-project/"))
        assert refused.status_code == missing.status_code == 404, path
        # Word for word the answer for a project that does not exist: nothing to probe.
        assert refused.text == missing.text.replace("no-such-project", B_ID), path
    sign_in(ui.client, BOB)
    for path in pages:
        assert ui.client.get(path).status_code == 200, path
    session = ui.client.get(f"/project/{B_ID}/sessions/{B_SESSION}").text
    assert "b-secret-prompt" in session and B_COMMENT in session  # the markers are detectable


OTHER_SESSION, OTHER_TRACE, OTHER_MARKER = "b-session-2", "b-trace-2", "b-other-session-secret"


def _publish_b_session(ui: Ui) -> None:
    """B's session 1 published by its owner; B also has a private session 2."""
    batch = _a_batch()
    batch["batch"][0]["body"] = {
        "id": OTHER_TRACE,
        "name": OTHER_MARKER,
        "sessionId": OTHER_SESSION,
    }
    batch["batch"][1]["body"] = {"id": "b-span-2", "traceId": OTHER_TRACE, "input": OTHER_MARKER}
    answer = ui.client.post(
        "/api/public/ingestion", json=batch, headers={"authorization": basic_auth(B_KEYS)}
    )
    assert answer.status_code == 207 and not answer.json()["errors"], answer.text
    sign_in(ui.client, BOB)
    flags = urls.session_flags(B_ID, B_SESSION)
    assert post_form(ui.client, flags, {"flag": "public", "value": "1"}).status_code == 303


def _only_that_session(ui: Ui, refused_status: int) -> None:
    base = f"/project/{B_ID}/sessions/{B_SESSION}"
    page = ui.client.get(base)
    assert page.status_code == 200
    assert "b-secret-prompt" in page.text
    assert B_COMMENT not in page.text  # the team's comments are not published (issue 19 L1)
    assert B_PROJECT_NAME not in page.text and OTHER_MARKER not in page.text
    assert "<form" not in page.text.split("</header>")[1]  # read-only: no write forms
    # No trace page is linked: only the turns' whole values, through this session's link.
    links = [
        unescape(u) for u in re.findall(rf'href="(/project/{B_ID}/traces?[/?][^"]*)"', page.text)
    ]
    whole = f"/project/{B_ID}/trace/content?"
    assert links and all(u.startswith(whole) and f"&session={B_SESSION}" in u for u in links)
    turns = ui.client.get(
        urls.session_turns(B_ID, B_SESSION) + f"&id={ui.world.trace_id}&id={OTHER_TRACE}"
    )
    assert turns.status_code == 200 and "b-secret-prompt" in turns.text
    assert OTHER_MARKER not in turns.text  # a trace of another session is not a turn of this one
    for refused in (
        f"/project/{B_ID}/sessions",
        f"/project/{B_ID}/sessions/{OTHER_SESSION}",
        urls.session_turns(B_ID, OTHER_SESSION),
        f"/project/{B_ID}/traces",
        f"/project/{B_ID}/traces/{ui.world.trace_id}",
        f"/project/{B_ID}/traces/{OTHER_TRACE}",
        urls.observation_panel(B_ID, ui.world.trace_id) + f"&observation={ui.world.observation_id}",
        urls.observation_content(B_ID, ui.world.trace_id, ui.world.observation_id, "input"),
        f"/project/{B_ID}/settings",
    ):
        answer = ui.client.get(refused)
        assert answer.status_code == refused_status, refused
        assert OTHER_MARKER not in answer.text and "b-secret-prompt" not in answer.text


def test_a_public_session_shows_only_that_session_to_an_anonymous_visitor(ui: Ui) -> None:
    _publish_b_session(ui)
    ui.client.cookies.clear()
    _only_that_session(ui, 303)  # signed out: everything else asks to sign in
    before = ui.world.snapshot_b()
    for action in (urls.session_flags, urls.session_comments, urls.session_scores):
        answer = ui.client.post(action(B_ID, B_SESSION), data={"content": "x", "flag": "public"})
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert ui.world.snapshot_b() == before


def test_a_public_session_of_b_shows_only_that_session_to_a_non_member(ui: Ui) -> None:
    _publish_b_session(ui)
    sign_in(ui.client, ALICE)
    _only_that_session(ui, 404)
    before = ui.world.snapshot_b()
    for action, data in (
        (urls.session_flags, {"flag": "public", "value": "0"}),
        (urls.session_comments, {"content": "a-was-here"}),
        (urls.session_scores, {"name": "q", "data_type": "NUMERIC", "value": "1"}),
    ):
        answer = post_form(ui.client, action(B_ID, B_SESSION), data)
        assert answer.status_code == 404, action
    assert ui.world.snapshot_b() == before
