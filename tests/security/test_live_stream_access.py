"""An open live stream ends once its viewer may no longer watch (issue 19, L3).

Unpublishing a session ends its visitors' streams, removing a member ends theirs:
at the next change of the session, or at the next heartbeat when nothing changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from powerrag import urls
from powerrag.accounts import list_members
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.live import EventStream, events_path, send_turn, signed_in_admin
from tests.support.project import PROJECT_ID
from tests.support.web import EMAIL, PASSWORD, post_form, sign_in

BOB = ("bob@example.com", "bob-password-123")


@pytest.fixture
def admin(store: Store, settings: Settings) -> Iterator[TestClient]:
    yield from signed_in_admin(store, settings)


@pytest.fixture
def admin_quick_heartbeat(store: Store, settings: Settings) -> Iterator[TestClient]:
    yield from signed_in_admin(store, replace(settings, live_heartbeat_seconds=0.05))


def _publish(client: TestClient, session_id: str, public: bool) -> None:
    path = urls.session_flags(PROJECT_ID, session_id)
    answer = post_form(client, path, {"flag": "public", "value": "1" if public else "0"})
    assert answer.status_code == 303, answer.text


def _turns(stream: EventStream) -> list[str]:
    event = stream.next_event()
    assert event is not None and event[0] == "turns", event
    ids: list[str] = json.loads(event[1])["ids"]
    return ids


def _visitor_stream(client: TestClient, session_id: str) -> EventStream:
    send_turn(client, "t1", session_id)
    _publish(client, session_id, True)
    stream = EventStream(client, events_path(session_id), cookies={})
    assert stream.status == 200
    send_turn(client, "t2", session_id)
    assert _turns(stream) == ["t2"]  # a visitor of a public session is told of new turns
    return stream


def test_unpublishing_a_session_ends_its_visitors_streams(admin: TestClient) -> None:
    stream = _visitor_stream(admin, "published")

    _publish(admin, "published", False)
    send_turn(admin, "t3", "published")

    assert stream.next_event() is None  # ended, and t3 was never announced
    assert stream.ended
    stream.close()


def test_a_removed_member_stream_ends(admin: TestClient, store: Store) -> None:
    send_turn(admin, "t1", "private")
    created = post_form(
        admin,
        f"/project/{PROJECT_ID}/settings/members/new",
        {"email": BOB[0], "name": "Bob", "password": BOB[1], "role": "member"},
    )
    assert created.status_code == 303, created.text
    bob_id = next(m.user_id for m in list_members(store, PROJECT_ID) if m.email == BOB[0])
    sign_in(admin, BOB)
    bob_cookies = dict(admin.cookies.items())
    sign_in(admin, (EMAIL, PASSWORD))
    stream = EventStream(admin, events_path("private"), cookies=bob_cookies)
    assert stream.status == 200
    send_turn(admin, "t2", "private")
    assert _turns(stream) == ["t2"]

    removed = post_form(admin, f"/project/{PROJECT_ID}/settings/members/{bob_id}/remove", {})
    assert removed.status_code == 303, removed.text
    send_turn(admin, "t3", "private")

    assert stream.next_event() is None
    stream.close()


def test_the_heartbeat_ends_a_stream_of_a_session_that_no_longer_changes(
    admin_quick_heartbeat: TestClient,
) -> None:
    stream = _visitor_stream(admin_quick_heartbeat, "quiet")

    _publish(admin_quick_heartbeat, "quiet", False)

    assert stream.next_event() is None  # no commit needed: the heartbeat's check ends it
    stream.close()
