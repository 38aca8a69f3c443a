"""Alerts: one signed webhook per crossing, retried and logged; refused destinations."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from powerrag import secretbox
from powerrag.domain.timeutil import to_iso
from powerrag.lifecycle import Lifecycle
from powerrag.outbound import Destinations
from powerrag.store import accounts
from powerrag.store.database import Store
from powerrag.store.infra.schema import alerts, instance_secrets
from tests.support.lifecycle import Clock, receiver, turn
from tests.support.project import PROJECT_ID


def _ingest(api: TestClient, events: list[dict[str, Any]]) -> None:
    response = api.post("/api/public/ingestion", json={"batch": events})
    assert response.status_code == 207 and response.json()["errors"] == [], response.text


def _alert(api: TestClient, **fields: Any) -> str:
    body = {"name": "big spender", "metric": "session_cost", "threshold": 1.0, **fields}
    response = api.post("/api/public/alerts", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _deliveries(api: TestClient, alert_id: str) -> list[tuple[Any, ...]]:
    found = api.get(f"/api/public/alerts/{alert_id}/deliveries").json()["data"]
    return [(d["sessionId"], d["state"], d["attempts"], d["lastError"]) for d in found]


def test_crossing_cost_posts_one_signed_webhook(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    with receiver() as hook:
        alert_id = _alert(api, webhookUrl=hook.url, secret="s3cret")
        _ingest(api, turn("chat", "c1", cost=0.625))
        _ingest(api, turn("cheap", "k1", cost=0.25))
        worker.run_once(clock.advance(1))
        assert hook.received == []

        _ingest(api, turn("chat", "c2", cost=0.5))
        worker.run_once(clock.advance(1))
        _ingest(api, turn("chat", "c3", cost=0.5))
        worker.run_once(clock.advance(1))

    assert len(hook.received) == 1
    headers, body = hook.received[0]
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["x-powerrag-signature"] == f"sha256={expected}"
    assert headers["content-type"] == "application/json"
    sent = orjson.loads(body)
    assert sent["alert"] == {
        "id": alert_id,
        "name": "big spender",
        "metric": "session_cost",
        "threshold": 1.0,
        "scoreName": None,
    }
    assert (sent["projectId"], sent["sessionId"], sent["value"]) == (PROJECT_ID, "chat", 1.125)
    assert _deliveries(api, alert_id) == [("chat", "done", 1, None)]
    assert api.get(f"/api/public/alerts/{alert_id}").json()["hasSecret"] is True


def test_a_slack_alert_posts_a_signed_text_message(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    """Slack's incoming webhooks take `{"text": …}`; `<…>` in an id would be a mention."""
    with receiver() as hook:
        alert_id = _alert(api, webhookUrl=hook.url, secret="s3cret", bodyFormat="slack")
        assert api.get(f"/api/public/alerts/{alert_id}").json()["bodyFormat"] == "slack"
        _ingest(api, turn("chat <!here> & co", "c1", cost=1.125))
        fired_at = clock.advance(1)
        worker.run_once(fired_at)
    ((headers, body),) = hook.received
    assert orjson.loads(body) == {
        "text": "PowerRAG alert \u201cbig spender\u201d: session chat &lt;!here&gt; &amp; co of "
        f"project {PROJECT_ID} has session_cost 1.125 (threshold 1) at {to_iso(fired_at)}"
    }
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["x-powerrag-signature"] == f"sha256={expected}"
    assert headers["content-type"] == "application/json"
    assert _deliveries(api, alert_id) == [("chat <!here> & co", "done", 1, None)]


def test_the_body_format_is_json_by_default_and_changed_by_patch(api: TestClient) -> None:
    alert_id = _alert(api, webhookUrl="http://127.0.0.1:9/x")
    assert api.get(f"/api/public/alerts/{alert_id}").json()["bodyFormat"] == "json"
    changed = api.patch(f"/api/public/alerts/{alert_id}", json={"bodyFormat": "slack"})
    assert changed.status_code == 200 and changed.json()["bodyFormat"] == "slack"
    bad = api.patch(f"/api/public/alerts/{alert_id}", json={"bodyFormat": "teams"})
    assert bad.status_code == 400
    assert "bodyFormat must be one of json, slack, got 'teams'" in bad.json()["message"]
    wrong_type = api.post(
        "/api/public/alerts",
        json={
            "name": "n",
            "metric": "loop",
            "threshold": 3,
            "webhookUrl": "http://h/x",
            "bodyFormat": 1,
        },
    )
    assert wrong_type.status_code == 400 and "bodyFormat must be a string" in wrong_type.text


def test_the_signing_secret_is_stored_encrypted_and_shown_masked(
    api: TestClient, worker: Lifecycle, clock: Clock, store: Store
) -> None:
    secret = "a long signing secret 1234"
    with receiver() as hook:
        alert_id = _alert(api, webhookUrl=hook.url, secret=secret)
        shown = api.get(f"/api/public/alerts/{alert_id}").json()
        assert (shown["hasSecret"], shown["displaySecret"]) == (True, "...1234")
        assert secret not in api.get("/api/public/alerts").text
        with store.connect() as conn:
            token = conn.execute(select(alerts.c.secret)).scalar_one()
            master = accounts.peek_instance_secret(conn, secretbox.SECRET_NAME)
        assert master is not None and secret not in token
        assert secretbox.unseal(master, token) == secret.encode()
        _ingest(api, turn("chat", "c1", cost=2.0))
        worker.run_once(clock.advance(1))
        ((headers, body),) = hook.received
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert headers["x-powerrag-signature"] == f"sha256={expected}"

        short = api.patch(f"/api/public/alerts/{alert_id}", json={"secret": "s3cret"}).json()
        assert (short["hasSecret"], short["displaySecret"]) == (True, "...")
        cleared = api.patch(f"/api/public/alerts/{alert_id}", json={"secret": None}).json()
        assert (cleared["hasSecret"], cleared["displaySecret"]) == (False, None)


def test_a_secret_that_cannot_be_decrypted_fails_the_delivery_at_once(
    api: TestClient, worker: Lifecycle, clock: Clock, store: Store
) -> None:
    with receiver() as hook:
        alert_id = _alert(api, webhookUrl=hook.url, secret="a long signing secret 1234")
        with store.transaction() as conn:  # as if restored without its instance secret
            conn.execute(update(instance_secrets).values(value="another instance"))
        _ingest(api, turn("chat", "c1", cost=2.0))
        worker.run_once(clock.advance(1))
    assert hook.received == []
    reason = "the alert's signing secret cannot be decrypted; save it again"
    assert _deliveries(api, alert_id) == [("chat", "failed", 1, reason)]


def test_a_failed_delivery_is_retried_with_backoff_and_logged(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    with receiver() as hook:
        hook.status = 500
        alert_id = _alert(api, webhookUrl=hook.url, metric="session_turns", threshold=1)
        _ingest(api, turn("chat", "c1") + turn("chat", "c2"))
        worker.run_once(clock.advance(1))
        error = f"HTTP 500 from 127.0.0.1:{hook.port}"
        assert _deliveries(api, alert_id) == [("chat", "pending", 1, error)]

        worker.run_once(clock.advance(4))  # the first backoff is 5 s
        assert len(hook.received) == 1
        hook.status = 204
        worker.run_once(clock.advance(1))
        assert len(hook.received) == 2
        assert _deliveries(api, alert_id) == [("chat", "done", 2, error)]
        assert hook.received[0][1] == hook.received[1][1]  # the same body, resent


def test_a_receiver_that_stays_down_fails_the_delivery_after_the_last_attempt(
    api: TestClient, worker: Lifecycle, clock: Clock
) -> None:
    with receiver() as hook:
        down = hook.url  # nothing listens there once the receiver is closed
    alert_id = _alert(api, webhookUrl=down, metric="session_errors", threshold=0)
    _ingest(api, turn("chat", "c1", level="ERROR"))
    for wait in (1, 5, 10, 20, 40):
        worker.run_once(clock.advance(wait))
    ((session, state, attempts, error),) = _deliveries(api, alert_id)
    assert (session, state, attempts) == ("chat", "failed", 5)
    assert error.startswith("ConnectError")


@pytest.mark.parametrize("how", ["direct", "redirect"])
def test_link_local_destinations_are_refused(
    api: TestClient, worker: Lifecycle, clock: Clock, how: str
) -> None:
    metadata_service = "http://169.254.169.254/latest/meta-data"
    with receiver() as hook:
        hook.location = metadata_service
        url = metadata_service if how == "direct" else hook.url
        alert_id = _alert(api, webhookUrl=url, metric="session_turns", threshold=0)
        _ingest(api, turn("chat", "c1"))
        worker.run_once(clock.advance(1))
    reason = "169.254.169.254 resolves to 169.254.169.254, a link-local address, which is refused"
    assert _deliveries(api, alert_id) == [("chat", "failed", 1, reason)]
    assert len(hook.received) == (0 if how == "direct" else 1)


def test_destination_policy() -> None:
    default = Destinations("public,private,loopback")
    assert [default.refusal(f"http://{h}/x") for h in ("127.0.0.1", "10.1.2.3", "[::1]")] == [
        None
    ] * 3
    assert "link-local" in (default.refusal("http://[fe80::1]/x") or "")
    public_only = Destinations("public")
    assert public_only.refusal("http://127.0.0.1/x") == (
        "127.0.0.1 resolves to 127.0.0.1, a loopback address, not in outbound_allowed"
    )
    assert public_only.refusal("http://192.168.1.1/x") is not None
    assert Destinations("169.254.0.0/16").refusal("http://169.254.169.254/x") is None
    assert default.refusal("ftp://127.0.0.1/x") == "'ftp://127.0.0.1/x' is not an http(s) URL"


def test_bad_alerts_are_refused_with_the_reason(api: TestClient) -> None:
    base = {"name": "a", "metric": "session_cost", "threshold": 1, "webhookUrl": "http://h/x"}
    cases = [
        ({**base, "metric": "vibes"}, "metric must be one of session_cost"),
        ({**base, "metric": "score_below"}, "a score_below alert needs scoreName"),
        ({**base, "scoreName": "q"}, "scoreName is only for score_below alerts"),
        ({**base, "webhookUrl": "file:///etc/passwd"}, "webhookUrl must be an http(s) URL"),
        ({**base, "threshold": -2}, "threshold must not be negative"),
        ({**base, "name": ""}, "name must have 1 to 200 characters"),
        ({k: v for k, v in base.items() if k != "webhookUrl"}, "webhookUrl is required"),
    ]
    for body, message in cases:
        response = api.post("/api/public/alerts", json=body)
        assert response.status_code == 400, body
        assert message in response.text, response.text
    missing = api.patch("/api/public/alerts/nope", json={"threshold": 2})
    assert missing.status_code == 404


def test_alerts_are_changed_and_deleted(api: TestClient) -> None:
    alert_id = _alert(api, webhookUrl="http://127.0.0.1:9/x")
    changed = api.patch(f"/api/public/alerts/{alert_id}", json={"threshold": 5, "enabled": False})
    assert (changed.json()["threshold"], changed.json()["enabled"]) == (5.0, False)
    assert api.delete(f"/api/public/alerts/{alert_id}").status_code == 200
    assert api.get(f"/api/public/alerts/{alert_id}").status_code == 404
    assert api.get("/api/public/alerts").json() == {"data": []}
