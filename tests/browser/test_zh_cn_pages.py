"""The main pages in a Chinese browser show no English label: every visible text node (and
every placeholder and option) is checked for words of the English catalogue.

User data (trace text, ids, names, models, JSON, code) is left out by the elements the
templates put it in; a few words are the same in both languages (ALLOWED)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from powerrag import urls
from powerrag.web.i18n import MESSAGES
from powerrag.web.render import DURATION_UNITS
from tests.support.browser import BrowserServer, sign_in
from tests.support.project import PROJECT_ID

pytestmark = pytest.mark.browser

# Written alike in Chinese UIs: names, acronyms and the terms Chinese LLM tools keep.
ALLOWED = {
    *("powerrag", "openai", "id", "json", "api", "url", "llm", "sdk", "cli", "utc", "gmt"),
    *("token", "webhook", "slack"),
}
# Where the pages show data rather than labels (trace text, ids, names, models, scores).
USER_DATA = (
    "pre, code, .msg-text, .turn-name, .step-name, .doc-title, .badge.model, .badge.score,"
    " .session-id, .trunc, .obs-name, .gantt-label, #panel-name, #trace-title, #panel-model,"
    " .project-name, .comment-text, .comment .muted, .note, .reasoning, .error-line,"
    " #project-switcher, td, #fig-users, dd.id, .figures dd:not([id^=fig-]), .score-name"
)
# Labels the templates put inside user data (a table cell's status, a type or level badge).
LABELS = ".status, .type, [class*=lvl-], .running-badge, .alert-fired"
# Every text the page shows: text nodes outside user data that take up space, and the
# placeholders and options of its forms. Details are opened first, so what they fold
# away is checked too.
_TEXTS_JS = """([skip, labels]) => {
  for (const d of document.querySelectorAll("details")) d.open = true;
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || el.closest("script, template")) continue;
    if (el.closest(skip) && !el.closest(labels)) continue;
    if (el.getClientRects().length === 0) continue;
    texts.push(node.textContent.trim());
  }
  for (const el of document.querySelectorAll("[placeholder]")) {
    if (!el.closest(skip)) texts.push(el.getAttribute("placeholder"));
  }
  for (const el of document.querySelectorAll("option")) {
    if (!el.closest(skip)) texts.push(el.textContent.trim());
  }
  return texts;
}"""


def english_words() -> set[str]:
    """The words of the English catalogue and units, less those written alike."""
    texts = [*MESSAGES["en"].values(), *DURATION_UNITS["en"].values()]
    words = {w.lower() for text in texts for w in re.findall(r"[A-Za-z]{2,}", text)}
    return words - ALLOWED


def english_in(texts: list[str], words: set[str]) -> list[str]:
    """The texts holding an English word; identifiers (a_b, a-1, a.b, x@y) are not words."""
    found = []
    for text in texts:
        for chunk in text.split():
            if re.search(r"[\d_@/.=:{]", chunk.strip(".,:;!?()…")):
                continue
            if any(w.lower() in words for w in re.findall(r"[A-Za-z]{2,}", chunk)):
                found.append(text)
                break
    return found


@pytest.fixture
def zh_page(browser: Browser, server: BrowserServer) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, server.url)
    yield page
    context.close()


def _pages(page: Page, server: BrowserServer) -> list[str]:
    session_id = server.demo.session_ids[0]  # type: ignore[union-attr]  # retrieval, tool, LLM
    errored = server.demo.session_ids[2]  # type: ignore[union-attr]  # a failed model call
    replay = urls.session(PROJECT_ID, session_id)
    twin = page.request.get(f"{server.url}{replay}?format=json").json()
    turn = twin["turns"][0]
    observation = turn["observations"][-1]["id"]
    return [
        urls.sessions(PROJECT_ID),
        replay,
        urls.session(PROJECT_ID, errored),
        urls.traces(PROJECT_ID),
        f"{urls.trace(PROJECT_ID, turn['id'])}?observation={observation}",
        urls.settings(PROJECT_ID),
        urls.evaluation(PROJECT_ID),
    ]


def test_the_catalogue_check_finds_english() -> None:
    words = english_words()
    assert english_in(["5 tok", "USER", "12 分钟", "gpt-4o-mini", "Token"], words) == [
        "5 tok",
        "USER",
    ]


def test_the_main_pages_in_chinese_show_no_english_label(
    zh_page: Page, server: BrowserServer
) -> None:
    words = english_words()
    found: dict[str, list[str]] = {}
    for path in _pages(zh_page, server):
        zh_page.goto(server.url + path)
        zh_page.wait_for_load_state("networkidle")
        english = english_in(zh_page.evaluate(_TEXTS_JS, [USER_DATA, LABELS]), words)
        if english:
            found[path] = sorted(set(english))
    replay = urls.session(PROJECT_ID, server.demo.session_ids[0])  # type: ignore[union-attr]
    zh_page.goto(server.url + replay)
    zh_page.screenshot(path="/tmp/shots/replay-zh-cn.png", full_page=True)
    assert found == {}, "\n".join(f"{path}: {texts}" for path, texts in found.items())
