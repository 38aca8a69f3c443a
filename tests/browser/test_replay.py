"""Session Replay: turns in order, live updates, running turns, playback, annotations, safety."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, Page, expect

from powerrag.demo import SECOND_NS, send_spans, turn_spans
from powerrag.demo_sessions import Step, Turn
from tests.support.browser import BrowserServer
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser


def _replay(page: Page, server: BrowserServer, session_id: str) -> None:
    page.goto(f"{server.url}/project/{PROJECT_ID}/sessions/{session_id}")
    expect(page.locator("#turns > li.turn").first).to_be_visible()


def _turn(question: str, answer: str | None) -> Turn:
    gen = Step(
        "generation", "llm-call", None, answer, 0.4, "gpt-4o-mini", {"input": 9, "output": 5}
    )
    return Turn(question, answer, [gen])


def test_chat_session_123_shows_its_turns_in_order_with_the_model(
    page: Page, server: BrowserServer
) -> None:
    _replay(page, server, "chat-session-123")
    turns = page.locator("#turns > li.turn")
    expect(turns).to_have_count(9)
    starts = turns.evaluate_all("els => els.map(e => Number(e.dataset.start))")
    assert starts == sorted(starts)
    expect(page.locator("#turns .badge.model", has_text="gpt-4o").first).to_be_visible()
    expect(page.locator("#turns")).to_contain_text("What is the capital of France?")
    expect(page.locator("#fig-traces")).to_have_text("9")
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_trace_sent_while_the_replay_is_open_appears_and_runs_until_its_root_arrives(
    page: Page, server: BrowserServer
) -> None:
    session_id = f"live-{time.time_ns()}"
    start = time.time_ns() - 60 * SECOND_NS
    with server.api() as api:
        _, first = turn_spans(session_id, _turn("first question", "first answer"), start)
        send_spans(api, first)
        _replay(page, server, session_id)
        expect(page.locator("#replay")).to_have_attribute("data-live-state", "open")

        trace_id, spans = turn_spans(
            session_id, _turn("second question", "live answer"), start + 30 * SECOND_NS
        )
        send_spans(api, spans[1:])  # the child ends first: the turn is running
        running = page.locator(f"#turn-{trace_id}")
        expect(running).to_have_class("turn running")
        expect(running.locator(".running-badge")).to_be_visible()

        send_spans(api, spans[:1])  # the root arrives: the turn is complete
        expect(running).to_have_class("turn")
        expect(running).to_contain_text("live answer")
    expect(page.locator("#turns > li.turn")).to_have_count(2)
    expect(page.locator("#fig-traces")).to_have_text("2")


def test_bookmark_publish_score_and_comment_persist(
    page: Page, server: BrowserServer, browser: Browser
) -> None:
    session_id = server.demo.session_ids[0]  # type: ignore[union-attr]
    other_id = server.demo.session_ids[2]  # type: ignore[union-attr]
    _replay(page, server, session_id)
    page.click("#bookmark-button")
    expect(page.locator("#bookmark-button")).to_have_attribute("aria-pressed", "true")
    page.click("#publish-button")
    expect(page.locator("#publish-button")).to_have_attribute("aria-pressed", "true")

    page.click("details.annotate summary")
    form = page.locator("details.annotate form.score-form")
    form.locator("input[name=name]").fill("helpfulness")
    form.locator("select[name=data_type]").select_option("CATEGORICAL")
    form.locator("input[name=value]").fill("great")
    form.locator("input[name=comment]").fill("solved on first try")
    with page.expect_navigation():
        form.locator("button").click()
    page.click("details.annotate summary")
    page.locator("details.annotate form.comment-form input[name=content]").fill(
        "Reviewed <b>ok</b>"
    )
    with page.expect_navigation():
        page.locator("details.annotate form.comment-form button").click()

    first_turn = page.locator("#turns > li.turn").first
    first_turn.locator("details.turn-tree summary").click()
    turn_form = first_turn.locator("form.score-form")
    turn_form.locator("input[name=name]").fill("correct")
    turn_form.locator("select[name=data_type]").select_option("BOOLEAN")
    turn_form.locator("input[name=value]").fill("true")
    # The form posts and redirects: reloading mid-navigation detaches the page.
    with page.expect_navigation():
        turn_form.locator("button").click()

    page.reload()
    expect(page.locator("#bookmark-button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#session-scores")).to_contain_text("helpfulness: great")
    expect(page.locator("#comments")).to_contain_text("Reviewed <b>ok</b>")
    expect(page.locator("#turns > li.turn").first).to_contain_text("correct: True")
    page.goto(f"{server.url}/project/{PROJECT_ID}/sessions?bookmarked=1")
    ids = page.locator("#sessions-table tbody tr").evaluate_all(
        "r => r.map(x => x.dataset.session)"
    )
    assert ids == [session_id]

    signed_out = browser.new_context()
    anon = signed_out.new_page()
    anon.goto(f"{server.url}/project/{PROJECT_ID}/sessions/{session_id}")
    expect(anon.locator("#session-title")).to_have_text(session_id)
    expect(anon.locator("#turns > li.turn")).to_have_count(3)
    expect(anon.locator("#bookmark-button")).to_have_count(0)
    anon.goto(f"{server.url}/project/{PROJECT_ID}/sessions/{other_id}")
    expect(anon.locator("#login-form")).to_be_visible()
    anon.goto(f"{server.url}/project/{PROJECT_ID}/sessions")
    expect(anon.locator("#login-form")).to_be_visible()
    signed_out.close()


def test_an_html_output_is_shown_as_text_and_runs_nothing(
    page: Page, server: BrowserServer
) -> None:
    payload = "<img src=x onerror=alert(1)>"
    session_id = f"xss-{time.time_ns()}"
    with server.api() as api:
        trace_id, spans = turn_spans(
            session_id, _turn(payload, payload), time.time_ns() - SECOND_NS
        )
        send_spans(api, spans)
    _replay(page, server, session_id)
    expect(page.locator("#turns .turn-output")).to_contain_text(payload)
    assert page.locator("#turns img").count() == 0
    page.goto(f"{server.url}/project/{PROJECT_ID}/traces/{trace_id}")
    expect(page.locator("#panel")).to_contain_text(payload)
    assert page.locator("main img").count() == 0
    assert page.errors == []  # type: ignore[attr-defined]
