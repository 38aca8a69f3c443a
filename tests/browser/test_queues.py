"""Score configs and annotation queues in Chromium (issue 18, items 3 and 6): configs made
in the settings, a queue of sessions filled from the sessions list and the replay, worked
through (score with the queue's configs, a refused one explained, done, next), and a
config used in the replay's score form.

Its own server: the queues it makes add controls to the lists other browser tests read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import BrowserServer
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("POWERRAG_SCREENSHOTS", "/tmp/powerrag-screenshots"))
SESSIONS = ("queue-s1", "queue-s2", "queue-s3")


def _batch() -> list[dict[str, object]]:
    events: list[dict[str, object]] = []
    for n, session_id in enumerate(SESSIONS):
        stamp = f"2025-11-23T10:0{n}:00.000Z"
        body = {
            "id": f"{session_id}-t",
            "sessionId": session_id,
            "timestamp": stamp,
            "input": [{"role": "user", "content": f"Question {n}: where is my refund?"}],
            "output": {"role": "assistant", "content": f"Refund {n} was sent."},
        }
        events.append({"id": f"e-{n}", "type": "trace-create", "timestamp": stamp, "body": body})
    return events


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserServer]:
    srv = BrowserServer(tmp_path_factory.mktemp("powerrag-queues"), with_user=True)
    srv.start()
    try:
        with srv.api() as api:
            sent = api.post("/api/public/ingestion", json={"batch": _batch()})
            assert sent.status_code == 207 and not sent.json()["errors"], sent.text
        yield srv
    finally:
        srv.stop()


P = f"/project/{PROJECT_ID}"


def _make_configs(page: Page, base: str) -> None:
    page.goto(f"{base}{P}/settings/score-configs")
    form = page.locator("#config-form")
    for name, kind, low, high, categories in (
        ("csat", "NUMERIC", "1", "5", ""),
        ("resolved", "BOOLEAN", "", "", ""),
        ("broken", "CATEGORICAL", "", "", ""),
        ("old-scale", "NUMERIC", "", "", ""),
    ):
        form.locator("input[name=name]").fill(name)
        form.locator("select[name=data_type]").select_option(kind)
        form.locator("input[name=min_value]").fill(low)
        form.locator("input[name=max_value]").fill(high)
        form.locator("input[name=categories]").fill(categories)
        form.locator("button[type=submit]").click()
        if name == "broken":
            expect(page.locator("#config-error")).to_contain_text(
                "a CATEGORICAL config needs at least one category"
            )
    page.locator("tr[data-config=old-scale] button").click()
    expect(page.locator("tr[data-config=old-scale] .badge")).to_have_text("archived")
    rows = page.locator("#score-configs-table tbody tr")
    expect(rows).to_have_count(3)


def test_work_through_a_queue_of_sessions(page: Page, server: BrowserServer) -> None:
    base = server.url
    _make_configs(page, base)

    page.goto(f"{base}{P}/queues")
    form = page.locator("#queue-form")
    expect(form.locator("input[name=config_id]")).to_have_count(
        2
    )  # the archived one is not offered
    form.locator("input[name=name]").fill("refund triage")
    form.locator("label:has-text('csat') input").check()
    form.locator("label:has-text('resolved') input").check()
    form.locator("button[type=submit]").click()
    expect(page.locator("#queue-empty")).to_be_visible()

    # Two sessions ticked in the list, the third from its replay.
    page.goto(f"{base}{P}/sessions")
    for session_id in SESSIONS[:2]:
        page.locator(f"tr[data-session={session_id}] input[name=object_id]").check()
    page.locator("#queue-add-form button").click()
    expect(page).to_have_url(f"{base}{P}/sessions")
    page.goto(f"{base}{P}/sessions/{SESSIONS[2]}")
    page.locator("#queue-add-button").click()
    expect(page.locator("#session-title")).to_have_text(SESSIONS[2])

    page.goto(f"{base}{P}/queues")
    page.locator("tr[data-queue='refund triage'] a").click()
    expect(page.locator("#queue-pending")).to_have_text("3")
    seen = []
    for n in range(3):
        item = page.locator("#queue-item")
        object_id = item.get_attribute("data-object")
        seen.append(object_id)
        n_asked = SESSIONS.index(str(object_id))
        expect(page.locator("#queue-conversation")).to_contain_text(
            f"Question {n_asked}: where is my refund?"
        )
        expect(page.locator("#queue-conversation")).to_contain_text(f"Refund {n_asked} was sent.")
        csat = page.locator("form.queue-score[data-config=csat]")
        if n == 0:
            csat.locator("input[name=value]").evaluate("e => e.removeAttribute('max')")
            csat.locator("input[name=value]").fill("7")
            csat.locator("button").click()
            expect(
                page.locator("form.queue-score[data-config=csat] [data-annotation-error]")
            ).to_contain_text("value 7 is outside [1, 5]")
            # The refused value stays in its field, to be corrected.
            expect(
                page.locator("form.queue-score[data-config=csat] input[name=value]")
            ).to_have_value("7")
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "queue-refused.png"), full_page=True)
        page.locator("form.queue-score[data-config=csat] input[name=value]").fill(str(n + 3))
        page.locator("form.queue-score[data-config=csat] button").click()
        expect(page.locator("#queue-scores")).to_contain_text(f"csat: {float(n + 3)}")
        page.locator("form.queue-score[data-config=resolved] select").select_option("true")
        page.locator("form.queue-score[data-config=resolved] button").click()
        expect(page.locator("#queue-scores")).to_contain_text("resolved: true")
        if n == 1:
            page.screenshot(path=str(SHOTS / "queue-item.png"), full_page=True)
        page.locator("#queue-done").click()
    expect(page.locator("#queue-empty")).to_be_visible()
    expect(page.locator("#queue-completed")).to_have_text("3")
    # In the order added: the list's ticks newest first (s2, s1), then the replay's.
    order = [SESSIONS[1], SESSIONS[0], SESSIONS[2]]
    assert seen == order

    with server.api() as api:
        queue = api.get("/api/public/annotation-queues").json()["data"][0]
        items = api.get(f"/api/public/annotation-queues/{queue['id']}/items").json()["data"]
        assert [(i["objectId"], i["status"]) for i in items] == [(s, "COMPLETED") for s in order]
        scores = api.get("/api/public/v2/scores", params={"queueId": queue["id"]}).json()["data"]
        assert sorted((s["sessionId"], s["name"], s["value"]) for s in scores) == sorted(
            [(s, "csat", float(n + 3)) for n, s in enumerate(order)]
            + [(s, "resolved", 1.0) for s in SESSIONS]
        )
        assert {s["source"] for s in scores} == {"ANNOTATION"}


def test_a_config_in_the_replay_score_form(page: Page, server: BrowserServer) -> None:
    page.goto(f"{server.url}{P}/sessions/{SESSIONS[0]}")
    form = page.locator("#session-scores + ul + form.score-form")
    form.locator("select[name=config_id]").select_option(label="csat (1.0…5.0)")
    form.locator("input[name=value]").fill("9")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-annotation-error]")).to_contain_text("value 9 is outside [1, 5]")
    form = page.locator("#session-scores + ul + form.score-form")
    form.locator("input[name=value]").fill("2")
    form.locator("button[type=submit]").click()
    expect(page.locator("#session-scores")).to_contain_text("csat")
    with server.api() as api:
        scores = api.get(
            "/api/public/v2/scores", params={"sessionId": SESSIONS[0], "name": "csat"}
        ).json()["data"]
    from_replay = [s for s in scores if s["queueId"] is None]
    assert [(s["value"], s["configId"] is not None) for s in from_replay] == [(2.0, True)]
