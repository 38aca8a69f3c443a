"""Media, whole values, local times and long ids in the browser, with data from the real
Python SDK 5 (tests/sdk/programs/py_media_session.py): it uploads an image, audio and a PDF
through the media API and sends a 100 KB answer; the pages show them."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from powerrag.domain.media import media_id_of, sha256_b64
from tests.support.browser import BrowserServer
from tests.support.media import PNG, PNG_ID
from tests.support.project import PROJECT_ID, PUBLIC_KEY, SECRET_KEY
from tests.support.sdk import PROGRAMS, PY5, Project, run_file

pytestmark = [pytest.mark.browser, pytest.mark.sdk]

# 160 characters: longer than any list column shows.
SESSION = "media-session-" + "x" * 140 + "-end"
OTHER_SESSION = "media-other-session"
PROGRAM = PROGRAMS / "py_media_session.py"
LONG_END = "THE-END-OF-THE-LONG-ANSWER"
PDF_START = b"%PDF-1.1\n"
BASE = f"/project/{PROJECT_ID}"


@dataclass(frozen=True)
class Sent:
    traces: dict[str, str]  # turn name -> trace id


@pytest.fixture(scope="module")
def sent(server: BrowserServer) -> Sent:
    project = Project(PROJECT_ID, PUBLIC_KEY, SECRET_KEY, server.url)
    output = run_file(PY5, PROGRAM, project, "media-session", SESSION, OTHER_SESSION)
    line = next(line for line in output.splitlines() if line.startswith('{"traceIds"'))
    return Sent(json.loads(line)["traceIds"])


def _session_url(server: BrowserServer, session_id: str = SESSION) -> str:
    return f"{server.url}{BASE}/sessions/{quote(session_id, safe='')}"


def _turn(page: Page, trace_id: str) -> object:
    return page.locator(f"#turn-{trace_id}")


def _natural_width(page: Page, selector: str) -> int:
    img = page.locator(selector).first
    img.scroll_into_view_if_needed()
    expect(img).to_be_visible()
    page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=img.element_handle())
    return int(img.evaluate("el => el.naturalWidth"))


def test_the_replay_shows_the_image_the_player_and_the_file(
    page: Page, server: BrowserServer, sent: Sent
) -> None:
    page.goto(_session_url(server))
    vision = f"#turn-{sent.traces['vision']}"
    assert _natural_width(page, f"{vision} img.media-image") == 1
    assert page.locator(f"{vision} img.media-image").get_attribute("src") == (
        f"{BASE}/media/{PNG_ID}"
    )
    # Click to enlarge: a dialog over the page with the same image, closed by Escape.
    page.click(f"{vision} a.media-zoom")
    dialog = page.locator("#media-dialog")
    expect(dialog).to_be_visible()
    assert dialog.locator("img").evaluate("el => el.getBoundingClientRect().width") >= 300
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    files = f"#turn-{sent.traces['files']}"
    audio = page.locator(f"{files} audio.media-audio")
    expect(audio).to_have_count(1)
    assert audio.get_attribute("controls") is not None
    page.wait_for_function("el => el.readyState >= 1", arg=audio.element_handle())
    with page.expect_download() as info:
        page.click(f"{files} a.media-file:visible")
    pdf = info.value
    assert pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as f:
        assert f.read().startswith(PDF_START)

    long_turn = f"#turn-{sent.traces['long']}"
    expect(page.locator(f"{long_turn} .media-missing")).to_have_text("image not uploaded")
    assert "@@@langfuseMedia" not in page.locator(long_turn).inner_text()
    page.screenshot(path="/tmp/shots/replay-media.png", full_page=False)
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_trace_page_shows_the_image_in_the_root_and_the_generation(
    page: Page, server: BrowserServer, sent: Sent
) -> None:
    page.goto(f"{server.url}{BASE}/traces/{sent.traces['vision']}")
    assert _natural_width(page, "#panel-input img.media-image") == 1
    page.click("#obs-tree .obs-link:has-text('llm')")
    expect(page.locator("#panel-name")).to_have_text("llm")
    assert _natural_width(page, "#panel-input img.media-image") == 1
    page.screenshot(path="/tmp/shots/trace-media.png")
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_public_link_shows_its_own_media_and_no_other(
    page: Page, browser: Browser, server: BrowserServer, sent: Sent
) -> None:
    page.goto(_session_url(server))
    page.click("#publish-button")
    expect(page.locator("#publish-button")).to_have_attribute("aria-pressed", "true")
    other_png = page.context.request.get(
        f"{server.url}{BASE}/traces/{sent.traces['other']}?format=json"
    )
    assert other_png.ok
    visitor = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        public = visitor.new_page()
        public.goto(_session_url(server))
        expect(public.locator("#session-title")).to_have_text(SESSION)
        image = f"#turn-{sent.traces['vision']} img.media-image"
        assert _natural_width(public, image) == 1
        src = public.locator(image).get_attribute("src")
        assert src == f"{BASE}/media/{PNG_ID}?session={quote(SESSION, safe='')}"
        # The other session's image, asked for through this session's link: not there.
        other_id = _other_media_id()
        via = f"?session={quote(SESSION, safe='')}"
        assert public.request.get(f"{server.url}{BASE}/media/{other_id}{via}").status == 404
        assert public.request.get(f"{server.url}{BASE}/media/{PNG_ID}{via}").status == 200
        unlinked = public.request.get(f"{server.url}{BASE}/media/{PNG_ID}", max_redirects=0)
        assert unlinked.status == 303  # no session named: sign in first
    finally:
        visitor.close()
        page.click("#publish-button")
        expect(page.locator("#publish-button")).to_have_attribute("aria-pressed", "false")


def _other_media_id() -> str:
    """The id the SDK gives the other session's 2x1 PNG (programs/py_media_session.py)."""
    source = PROGRAM.read_text(encoding="utf-8")
    b64 = re.search(r'^OTHER_PNG = "([^"]+)"', source, re.MULTILINE)
    assert b64 is not None
    return media_id_of(sha256_b64(base64.b64decode(b64.group(1))))


def test_a_100_kb_answer_collapses_and_is_shown_raw_and_downloaded_in_full(
    page: Page, server: BrowserServer, sent: Sent
) -> None:
    page.goto(_session_url(server))
    turn = page.locator(f"#turn-{sent.traces['long']}")
    text = turn.locator(".turn-output .msg-text")
    more = turn.locator(".turn-output button.show-more")
    expect(more).to_have_text("show more")
    collapsed = text.evaluate("el => el.clientHeight")
    assert collapsed < 400
    more.click()
    expect(more).to_have_text("show less")
    assert text.evaluate("el => el.clientHeight") > 10 * collapsed
    # Clipped inline at 20,000 characters; "view raw" has all of it.
    expect(turn.locator(".turn-output .clipped")).to_be_visible()
    raw_link = turn.locator(".turn-output a.view-raw")
    with page.context.expect_page() as opened:
        raw_link.click()
    raw = opened.value
    raw.wait_for_load_state()
    shown = json.loads(raw.locator("body").inner_text())  # the value whole, indented
    assert shown["role"] == "assistant" and shown["content"].endswith(LONG_END)
    assert len(shown["content"]) > 100_000
    raw.close()
    with page.expect_download() as info:
        turn.locator(".turn-output a.download-raw").click()
    download = info.value
    assert download.suggested_filename == f"{sent.traces['long']}-output.json"
    with open(download.path(), encoding="utf-8") as f:
        value = json.load(f)
    assert value["role"] == "assistant" and value["content"].endswith(LONG_END)
    assert len(value["content"]) > 100_000
    page.screenshot(path="/tmp/shots/replay-long.png")


@pytest.fixture
def los_angeles(browser: Browser, page: Page) -> Iterator[BrowserContext]:
    """A browser in Los Angeles, signed in as `page` is."""
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="en-US",
        timezone_id="America/Los_Angeles",
        storage_state=page.context.storage_state(),
    )
    yield ctx
    ctx.close()


def _expected_local(iso: str, *, short: bool, this_year: int | None = None) -> str:
    """How the page shows an instant in Los Angeles (static/content.js; `short` in tables)."""
    local = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(
        ZoneInfo("America/Los_Angeles")
    )
    clock = local.strftime("%I:%M %p" if short else "%I:%M:%S %p")
    year = "" if local.year == (this_year or datetime.now().year) else f", {local.year}"
    return f"{local.strftime('%b')} {local.day}{year}, {clock} {local.tzname()}"


def test_times_are_local_with_the_zone_and_the_year_when_not_this_year(
    los_angeles: BrowserContext, server: BrowserServer, sent: Sent
) -> None:
    page = los_angeles.new_page()
    page.goto(f"{server.url}{BASE}/traces")
    times = page.locator("#traces-table time")
    expect(times.first).to_have_attribute("data-local", "1")
    for cell in times.all()[:5]:
        iso = cell.get_attribute("datetime")
        assert iso is not None
        assert cell.inner_text() == _expected_local(iso, short=True)
    # The recorded fixtures are of 2026 (a year that is this one or a past one) and the SDK's
    # traces of today: this year's times show no year, other years' show theirs.
    page.goto(f"{server.url}{BASE}/traces?session={quote(SESSION, safe='')}")
    today = page.locator("#traces-table time").first
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d\d:\d\d [AP]M P[SD]T", today.inner_text())
    page.goto(f"{server.url}{BASE}/traces/{sent.traces['vision']}")
    shown = page.locator(".figures time").first
    iso = shown.get_attribute("datetime")
    assert iso is not None and shown.inner_text() == _expected_local(iso, short=False)
    # A year later, the same times carry their year.
    later = los_angeles.new_page()
    later.clock.set_fixed_time(datetime(2027, 6, 1, 12, 0))
    later.goto(f"{server.url}{BASE}/traces/{sent.traces['vision']}")
    shown = later.locator(".figures time").first
    expect(shown).to_have_attribute("data-local", "1")
    assert shown.inner_text() == _expected_local(iso, short=False, this_year=2027)
    assert ", 2026, " in shown.inner_text()
    page.screenshot(path="/tmp/shots/trace-la.png")


def test_long_ids_are_truncated_with_the_full_id_on_hover_and_a_copy_button(
    page: Page, server: BrowserServer, sent: Sent
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{server.url}{BASE}/sessions?id=media-session")
    row = page.locator(f"#sessions-table tr[data-session='{SESSION}']")
    link = row.locator("a.trunc")
    assert link.get_attribute("title") == SESSION
    assert link.evaluate("el => el.scrollWidth > el.clientWidth")  # cut, with an ellipsis
    assert link.evaluate("el => el.getBoundingClientRect().width") < 250
    row.locator("button.copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == SESSION
    # Every column, Scores included, is in view at 1280 px: the table does not scroll.
    page.goto(f"{server.url}{BASE}/sessions")
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")
    page.screenshot(path="/tmp/shots/sessions-1280.png")
    page.goto(f"{server.url}{BASE}/traces?session={quote(SESSION, safe='')}")
    session_link = page.locator("#traces-table td a.trunc").nth(1)
    assert session_link.get_attribute("title") == SESSION


def test_no_horizontal_scroll_at_375_px_with_media_long_ids_and_long_answers(
    page: Page, server: BrowserServer, sent: Sent
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    for path in (
        f"sessions/{quote(SESSION, safe='')}",
        f"traces/{sent.traces['vision']}",
        f"traces/{sent.traces['long']}",
        "sessions",
        "traces",
    ):
        page.goto(f"{server.url}{BASE}/{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    page.goto(_session_url(server))
    page.screenshot(path="/tmp/shots/replay-375.png", full_page=False)
    assert PNG  # the image the SDK sent is the fixture's (tests/support/media.py)
