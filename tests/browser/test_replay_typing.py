"""A live re-render of a turn (a trace of the session changed) keeps what the reader is
typing in that turn's annotation forms, the edit form they opened and the cursor."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from powerrag import urls
from tests.support.browser import BrowserServer
from tests.support.lifecycle import event, turn
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser
SESSION = "typing-while-live"
TYPED = "half-written note — 写了一半"


def test_typed_annotations_survive_a_live_re_render_of_their_turn(
    page: Page, server: BrowserServer
) -> None:
    with server.api() as api:
        first = turn(SESSION, "typing-t1")
        score = event(
            "score-create",
            {"id": "typing-s1", "traceId": "typing-t1", "name": "earlier", "value": 1},
        )
        assert api.post("/api/public/ingestion", json={"batch": [*first, score]}).status_code == 207
        page.goto(server.url + urls.session(PROJECT_ID, SESSION))
        expect(page.locator("#replay")).to_have_attribute("data-live-state", "open")

        li = page.locator("#turn-typing-t1")
        li.locator("form.comment-form input[name=content]").fill("saved comment")
        li.locator("form.comment-form button[type=submit]").click()
        expect(li.locator(".comment-text")).to_have_text("saved comment")
        expect(page.locator("#replay")).to_have_attribute("data-live-state", "open")
        score_form = li.locator("form.score-form")
        score_form.locator("input[name=name]").fill("helpfulness")
        score_form.locator("select[name=data_type]").select_option("CATEGORICAL")
        score_form.locator("input[name=value]").fill("good")
        li.locator(".comment details.edit summary").click()
        li.locator("form.comment-edit-form textarea").fill("edited, not saved")
        comment = li.locator("form.comment-form input[name=content]")
        comment.fill(TYPED)
        comment.press("ArrowLeft")  # the cursor one character before the end

        # A new turn, and a score an evaluator writes on the turn being annotated: the
        # turn is fetched again and replaced.
        second = turn(SESSION, "typing-t2", start="2025-11-23T10:01:00.000Z")
        scored = event(
            "score-create",
            {"id": "typing-s2", "traceId": "typing-t1", "name": "judge", "value": 0.5},
        )
        sent = api.post("/api/public/ingestion", json={"batch": [*second, scored]})
        assert sent.status_code == 207
    expect(page.locator("#turn-typing-t2")).to_be_visible()
    expect(li.locator(".badge.score", has_text="judge")).to_be_visible()  # re-rendered

    expect(score_form.locator("input[name=name]")).to_have_value("helpfulness")
    expect(score_form.locator("select[name=data_type]")).to_have_value("CATEGORICAL")
    expect(score_form.locator("input[name=value]")).to_have_value("good")
    expect(li.locator(".comment details.edit")).to_have_attribute("open", "")
    edit = li.locator("form.comment-edit-form textarea")
    expect(edit).to_have_value("edited, not saved")
    expect(comment).to_have_value(TYPED)
    expect(comment).to_be_focused()
    assert comment.evaluate("el => el.selectionStart") == len(TYPED) - 1
    page.keyboard.type("!")
    expect(comment).to_have_value(TYPED[:-1] + "!" + TYPED[-1])
    page.screenshot(path="/tmp/shots/replay-typing-kept.png")
    assert page.errors == []  # type: ignore[attr-defined]
