"""Session Replay of RAG sessions: steps inline, the steps toggle, playback at real timing,
pinned moments, keys, and live header figures. Data from the real Langfuse SDK (4.x) and,
where exact timing matters, OTLP sent by tests/support/rag.py."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import BrowserServer
from tests.support.project import PROJECT_ID
from tests.support.rag import SECOND_NS, RagStep, rag_turn, send_session
from tests.support.sdk import PROGRAMS, PY4, Project, run_file

pytestmark = pytest.mark.browser

# Turns at 0 s, 20 s and 40 s; the second waits 11 s on its `search` tool, the third fails.
TURNS = [
    rag_turn(0, "Can I return my headphones?", "Yes, within 30 days."),
    rag_turn(20, "How long does the refund take?", "5-7 business days.", tool_seconds=11),
    rag_turn(40, "And the warranty?", "I cannot check it now.", error="search backend timed out"),
]


def _url(server: BrowserServer, session_id: str, query: str = "") -> str:
    return f"{server.url}/project/{PROJECT_ID}/sessions/{session_id}{query}"


@pytest.fixture(scope="module")
def sdk_session(server: BrowserServer) -> str:
    """Three RAG turns sent by the real SDK (tests/sdk/programs/py_rag_replay.py)."""
    session_id = f"sdk-rag-{time.time_ns()}"
    project = Project(PROJECT_ID, server.public_key, server.secret_key, server.url)
    run_file(PY4, PROGRAMS / "py_rag_replay.py", project, session_id, session_id)
    return session_id


@pytest.fixture(scope="module")
def timed_session(server: BrowserServer) -> tuple[str, list[str]]:
    """The TURNS, an hour ago, with one OpenInference retriever in the first turn."""
    session_id = f"timed-rag-{time.time_ns()}"
    first = TURNS[0]
    oi = RagStep(**{**first.steps[0].__dict__, "name": "oi-retriever", "openinference": True})
    turns = [type(first)(**{**first.__dict__, "steps": [oi, *first.steps[1:]]}), *TURNS[1:]]
    with server.api() as api:
        ids = send_session(api, session_id, turns, time.time_ns() - 3600 * SECOND_NS)
    return session_id, ids


def test_a_rag_turn_shows_documents_and_the_tool_call_without_a_click(
    page: Page, server: BrowserServer, sdk_session: str
) -> None:
    page.goto(_url(server, sdk_session))
    turns = page.locator("#turns > li.turn")
    expect(turns).to_have_count(3, timeout=15_000)
    first = turns.first
    titles = first.locator(".step-retriever .doc-title")
    expect(titles).to_have_text(["Refund policy", "warranty.md", "Refund timing"])
    expect(first.locator(".step-retriever .doc-score")).to_have_text(["0.92", "0.81", "0.47"])
    expect(first.locator(".step-retriever .step-query")).to_contain_text(
        "Can I return my headphones?"
    )
    tool = first.locator(".step-tool")
    expect(tool.locator(".step-name")).to_have_text("lookup_order")
    expect(tool.locator(".step-args")).to_contain_text('"order_id": "A-10023"')
    expect(tool.locator(".step-result")).to_contain_text('"status": "delivered"')
    expect(first.locator(".step-generation .badge.model")).to_have_text("gpt-4o-mini")
    # Time order between the question and the answer.
    kinds = first.locator(".conversation > *").evaluate_all(
        "els => els.map(e => e.className.split(' ')[0])"
    )
    assert kinds == ["turn-input", "steps", "turn-output"]
    steps = first.locator(".step").evaluate_all("els => els.map(e => e.className.split(' ')[1])")
    assert steps == ["step-retriever", "step-tool", "step-generation"]
    # A document opens to its whole text.
    first.locator(".doc > details > summary").nth(1).click()
    expect(first.locator(".doc-content").nth(1)).to_be_visible()
    expect(first.locator(".doc-content").nth(1)).to_have_text(
        "Headphones carry a two-year warranty."
    )
    # The failing tool shows its error where it happened, in the third turn.
    failed = turns.nth(2).locator(".step-tool.step-error")
    expect(failed.locator(".step-error-line")).to_have_text("⚠ warranty service unreachable")
    expect(page.locator("#fig-errors")).to_have_text("1")
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_steps_toggle_hides_them_and_is_remembered(
    page: Page, server: BrowserServer, sdk_session: str
) -> None:
    page.goto(_url(server, sdk_session))
    docs = page.locator("#turns .doc-title").first
    expect(docs).to_be_visible()
    page.uncheck("#show-steps")
    expect(docs).to_be_hidden()
    expect(page.locator("#turns .turn-output").first).to_be_visible()
    page.reload()
    expect(page.locator("#show-steps")).not_to_be_checked()
    expect(page.locator("#turns .doc-title").first).to_be_hidden()
    page.check("#show-steps")
    expect(page.locator("#turns .doc-title").first).to_be_visible()


def test_openinference_documents_and_the_wait_split(
    page: Page, server: BrowserServer, timed_session: tuple[str, list[str]]
) -> None:
    session_id, ids = timed_session
    page.goto(_url(server, session_id))
    first = page.locator(f"#turn-{ids[0]}")
    oi = first.locator(".step-retriever")
    expect(oi.locator(".doc-title")).to_have_text(["Refund policy", "warranty.md", "Refund timing"])
    expect(oi.locator(".doc-score")).to_have_text(["0.92", "0.81", "0.47"])
    second = page.locator(f"#turn-{ids[1]}")
    expect(second.locator(".turn-wait")).to_have_text(
        "User waited 12.70 s: 11.00 s in tool search · 1.00 s model · 300 ms retrieval"
        " · 400 ms other"
    )
    bars = page.locator("#tl-track .tl-turn")
    expect(bars).to_have_count(3)
    assert (bars.nth(1).get_attribute("title") or "").endswith(
        "11.00 s in tool search · 1.00 s model · 300 ms retrieval · 400 ms other"
        " (after 17.30 s of think time)"
    )


def _reveal_order(page: Page) -> None:
    """Record, in the page, the order in which steps and answers appear."""
    page.evaluate(
        """() => {
          window.revealed = [];
          const seen = new Set();
          const look = (record) => {
            for (const el of document.querySelectorAll('.step[data-obs], .turn-output')) {
              const key = el.dataset.obs || ('answer-' + el.closest('li.turn').dataset.trace);
              if (!el.classList.contains('future') && !seen.has(key)) {
                seen.add(key);
                if (record) window.revealed.push(key);
              }
            }
          };
          look(false);  // what is already shown is not revealed by playing
          new MutationObserver(() => look(true)).observe(document.getElementById('turns'), {subtree: true, attributes: true,
            attributeFilter: ['class']});
        }"""
    )


def test_play_reveals_steps_in_order_and_the_clock_shows_time(
    page: Page, server: BrowserServer, timed_session: tuple[str, list[str]]
) -> None:
    session_id, ids = timed_session
    page.goto(_url(server, session_id, "?t=20"))  # the second turn's question, nothing else
    second = page.locator(f"#turn-{ids[1]}")
    expect(page.locator("#play-clock")).to_have_text("0:20 / 0:42")
    expect(second).to_have_class(re.compile(r"\bcurrent\b"))
    expect(second.locator(".turn-input")).to_be_visible()
    expect(second.locator(".step")).to_have_count(3)
    for i in range(3):
        expect(second.locator(".step").nth(i)).to_be_hidden()
    expect(second.locator(".turn-output")).to_be_hidden()
    expect(page.locator(f"#turn-{ids[2]}")).to_be_hidden()

    _reveal_order(page)
    step_ids = second.locator(".step").evaluate_all("els => els.map(e => e.dataset.obs)")
    third_ids = page.locator(f"#turn-{ids[2]} .step").evaluate_all(
        "els => els.map(e => e.dataset.obs)"
    )
    page.select_option("#play-speed", "10")
    started = time.monotonic()
    page.click("#play-button")
    expect(page.locator("#player")).to_have_attribute("data-state", "playing")
    # 12.7 s of turn, a 2 s capped silence, 2.7 s of turn: 1.74 s at 10x.
    expect(page.locator("#player")).to_have_attribute("data-state", "done", timeout=8000)
    elapsed = time.monotonic() - started
    assert 1.2 < elapsed < 6, elapsed
    order = page.evaluate("window.revealed")
    assert order == [*step_ids, f"answer-{ids[1]}", *third_ids, f"answer-{ids[2]}"]
    expect(page.locator("#play-clock")).to_have_text("0:42 / 0:42")
    assert "t=42.7" in page.url


def test_a_pinned_moment_scrolls_to_it_and_the_keys_step_through(
    page: Page, server: BrowserServer, timed_session: tuple[str, list[str]]
) -> None:
    session_id, ids = timed_session
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto(_url(server, session_id, "?t=26.5"))  # the second turn, in its search tool
    second = page.locator(f"#turn-{ids[1]}")
    tool = second.locator(".step-tool")
    expect(tool).to_have_class(re.compile(r"\bin-progress\b"))
    expect(tool).to_be_in_viewport()
    expect(second.locator(".step-generation")).to_be_hidden()
    expect(page.locator("#play-clock")).to_have_text("0:26 / 0:42")

    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")  # the tool ends at 31.5 s: the LLM starts at 31.6 s
    expect(page.locator("#player")).to_have_attribute("data-t", "31.6")
    expect(second.locator(".step-generation")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#player")).to_have_attribute("data-t", "20.5")
    assert "t=20.5" in page.url

    # The scrubber: its start is the session's start, and the page follows.
    page.locator("#scrubber").fill("0")
    expect(page.locator("#play-clock")).to_have_text("0:00 / 0:42")
    expect(second).to_be_hidden()
    expect(page.locator(f"#turn-{ids[0]}")).to_be_in_viewport()
    page.locator("#tl-track .tl-turn").nth(2).click()
    expect(page.locator("#player")).to_have_attribute("data-t", "40.0")
    expect(page.locator(f"#turn-{ids[2]}")).to_be_in_viewport()
    page.locator("#session-title").click()  # a focused button would take the space itself
    page.keyboard.press(" ")
    expect(page.locator("#player")).to_have_attribute("data-state", "playing")
    page.keyboard.press(" ")
    expect(page.locator("#player")).to_have_attribute("data-state", "paused")
    assert page.errors == []  # type: ignore[attr-defined]


def test_an_error_turn_arriving_live_updates_the_header(page: Page, server: BrowserServer) -> None:
    session_id = f"live-rag-{time.time_ns()}"
    t0 = time.time_ns() - 600 * SECOND_NS
    with server.api() as api:
        send_session(api, session_id, TURNS[:1], t0)
        page.goto(_url(server, session_id))
        expect(page.locator("#replay")).to_have_attribute("data-live-state", "open")
        expect(page.locator("#fig-errors")).to_have_text("0")
        expect(page.locator("#fig-duration")).to_have_text("2.70 s")
        expect(page.locator("#play-clock")).to_have_text("0:02 / 0:02")

        late = rag_turn(60, "Is it broken?", "Sorry.", error="search backend timed out")
        [trace_id] = send_session(api, session_id, [late], t0)
    expect(page.locator(f"#turn-{trace_id}")).to_be_visible()
    expect(page.locator("#fig-errors")).to_have_text("1")
    expect(page.locator("#fig-errors")).to_have_class("err")
    expect(page.locator("#fig-duration")).to_have_text("62.70 s")
    expect(page.locator("#fig-traces")).to_have_text("2")
    expect(page.locator("#tl-track .tl-turn")).to_have_count(2)
    expect(page.locator("#play-clock")).to_have_text("1:02 / 1:02")
    assert page.errors == []  # type: ignore[attr-defined]
