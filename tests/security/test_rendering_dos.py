"""Trace text cannot stall or crash the pages that show it (issue 19, H1 and M1).

End users of the instrumented bots write the messages, so every test here feeds the
renderer or the running app hostile text: inputs that made the old hand-written renderer
quadratic (runs of "[", "**a ", backticks), the NUL-digits-NUL text that crashed its
placeholder lookup, and a trace full of full-length adversarial messages.
"""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from powerrag import urls
from powerrag.config import Settings
from powerrag.store.database import Store
from powerrag.web.markdown import PAGE_MARKDOWN_CHARS, render_markdown
from powerrag.web.messages import MAX_TEXT
from powerrag.web.render import RENDER_THREADS
from tests.security.hostile import ingest, signed_in, trace_batch
from tests.support.project import PROJECT_ID
from tests.support.server import ServerProcess
from tests.support.web import EMAIL, PASSWORD, csrf_of

# Inputs that are slow for some Markdown parser or other; each makes about n characters.
ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "open brackets": lambda n: "[" * n,
    "open brackets, one a line": lambda n: "[\n" * (n // 2),
    "nested brackets": lambda n: "[" * (n // 2) + "a" + "]" * (n // 2),
    "unclosed links": lambda n: "[a](" * (n // 4),
    "unclosed bold": lambda n: "**a " * (n // 4),
    "mixed emphasis": lambda n: "*a _" * (n // 4),
    "stars and underscores": lambda n: "_*" * (n // 2),
    "a run of backticks": lambda n: "`" * n,
    "runs of three backticks": lambda n: "```" * (n // 3),
    "backtick runs of growing length": lambda n: " ".join(
        "`" * (i % 60 + 1) for i in range(n // 32)
    ),
    "unmatched backticks": lambda n: "`a" * (n // 2),
    "angle brackets": lambda n: "<" * n,
    "unclosed tags": lambda n: "<a " * (n // 3),
    "unclosed autolinks": lambda n: "<http://" * (n // 8),
    "backslashes": lambda n: "\\" * n,
    "entities": lambda n: "&#" * (n // 2),
    "nested quotes and lists": lambda n: "".join("> " * (i % 25) + "- a\n" for i in range(n // 30)),
    "NUL digits NUL": lambda n: "\x009\x00" * (n // 3),
}
MIN_SECONDS = 0.03  # smallest timing compared: below it, noise outweighs the signal
MAX_SIZE = 256_000  # characters; 13 full-length messages
LINEAR_RATIO = 10.0  # 4× the input takes ~4× the time if linear, 16× if quadratic
PAGE_SECONDS = 15.0  # generous for a busy machine; the old renderer took 17–35 s
NUL_TEXT = "before \x009\x00 and \x0012\x00 after"


def _seconds(text: str) -> float:
    start = time.perf_counter()
    render_markdown(text)
    return time.perf_counter() - start


def _best_times(*texts: str, runs: int = 3) -> list[float]:
    """The fastest of `runs` renders of each text, taken in turns so load hits all alike.

    The collector is off while timing: its passes depend on how many objects are alive,
    not on the parser.
    """
    best = [float("inf")] * len(texts)
    gc.collect()
    gc.disable()
    try:
        for _ in range(runs):
            best = [min(b, _seconds(t)) for b, t in zip(best, texts, strict=True)]
    finally:
        gc.enable()
    return best


@pytest.mark.parametrize("make", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_adversarial_markdown_renders_in_linear_time(make: Callable[[int], str]) -> None:
    """Four times the input takes about four times as long, never sixteen."""
    n = 2_000
    while _best_times(make(n), runs=1)[0] < MIN_SECONDS and n < MAX_SIZE:
        n *= 2
    small, large = _best_times(make(n), make(4 * n))
    if small < MIN_SECONDS:  # fast even at MAX_SIZE: too fast to time, and to matter
        assert large < 1.0, (n, small, large)
    else:
        assert large / small < LINEAR_RATIO, (n, small, large)


@pytest.mark.parametrize("name", ["open brackets", "unclosed bold", "a run of backticks"])
def test_a_page_budget_of_hostile_markdown_renders_in_seconds(name: str) -> None:
    """A whole page's budget as one message: about a second here, half a minute if quadratic."""
    text = ADVERSARIAL[name](PAGE_MARKDOWN_CHARS)
    start = time.perf_counter()
    render_markdown(text)
    assert time.perf_counter() - start < PAGE_SECONDS


def test_link_references_do_not_multiply_the_output() -> None:
    """One long reference definition used many times would make the output quadratic."""
    text = f"[a]: https://example.com/{'x' * 10_000}\n\n" + "[a]" * 3_000
    assert len(render_markdown(text)) < 10 * len(text)


@pytest.fixture
def ui(store: Store, settings: Settings) -> Iterator[TestClient]:
    with signed_in(store, settings) as client:
        yield client


def test_nul_digits_nul_renders_on_every_page_that_shows_it(ui: TestClient) -> None:
    """M1: the text crashed the old renderer, so the pages answered 500 until deleted."""
    ingest(ui, trace_batch("nul-trace", "nul-session", [NUL_TEXT, NUL_TEXT]))
    base = f"/project/{PROJECT_ID}"
    pages = (
        f"{base}/sessions/nul-session",
        urls.session_turns(PROJECT_ID, "nul-session"),
        f"{base}/traces/nul-trace",
        urls.observation_panel(PROJECT_ID, "nul-trace") + "&observation=nul-trace-generation",
    )
    for path in pages:
        answer = ui.get(path)
        assert answer.status_code == 200, (path, answer.text[-2000:])
        assert "before" in answer.text and "after" in answer.text, path
        assert "\x00" not in answer.text, path


def test_a_page_renders_at_most_its_budget_of_markdown(ui: TestClient) -> None:
    """Messages past the page's budget are escaped plain text, never parsed as Markdown."""
    hostile = "<script>alert(1)</script> **a " + "[" * MAX_TEXT
    texts = [hostile[:MAX_TEXT]] * 12
    ingest(ui, trace_batch("big-trace", "big-session", texts))
    answer = ui.get(f"/project/{PROJECT_ID}/sessions/big-session")
    assert answer.status_code == 200
    shown = len(re.findall(r'class="msg-text md[ "]', answer.text))
    plain = answer.text.count('<p class="md-plain">')
    assert shown >= len(texts)
    assert (shown - plain) * MAX_TEXT <= PAGE_MARKDOWN_CHARS
    assert plain >= shown - PAGE_MARKDOWN_CHARS // MAX_TEXT
    assert "<script>" not in answer.text.split("</header>", 1)[-1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **a [[[" in answer.text


HEALTH_LIMIT_S = 2.0  # one health answer; a blocked event loop made it 18.8 s
INGEST_LIMIT_S = 10.0  # one small batch, committed (fsync) while pages render
SLOW_PAGES = 2 * RENDER_THREADS  # the burst takes at least two rounds of rendering


def _publish(server: ServerProcess, session_id: str) -> None:
    """Sign in through the form as the server's first user and make the session public."""
    with httpx.Client(base_url=server.url, timeout=60.0) as member:
        token = csrf_of(member.get("/login").text)
        form = {"email": EMAIL, "password": PASSWORD, "csrf_token": token}
        assert member.post("/login", data=form).status_code == 303
        path = f"/project/{server.project_id}/sessions/{session_id}"
        token = csrf_of(member.get(path).text)
        form = {"flag": "public", "value": "1", "csrf_token": token}
        flags = urls.session_flags(server.project_id, session_id)
        assert member.post(flags, data=form).status_code == 303


def _get(url: str) -> tuple[int, float]:
    start = time.monotonic()
    with httpx.Client(timeout=300.0) as visitor:
        status = visitor.get(url).status_code
    return status, time.monotonic() - start


def test_health_and_ingestion_answer_while_hostile_pages_render(tmp_path: Path) -> None:
    """H1: anonymous visitors load a published session of hostile messages, many at once.

    Pages render in worker threads, so the event loop keeps answering health checks and
    ingestion throughout the burst (the old renderer held it for the whole page).
    """
    server = ServerProcess(tmp_path / "data", user=(EMAIL, PASSWORD))
    server.start()
    try:
        with httpx.Client(base_url=server.url, auth=server.auth, timeout=60.0) as api:
            texts = [("**a " * MAX_TEXT)[:MAX_TEXT], "[" * MAX_TEXT] * 5
            ingest(api, trace_batch("slow-trace", "slow-session", texts), authorization=None)
            _publish(server, "slow-session")
            page = f"{server.url}/project/{server.project_id}/sessions/slow-session"
            status, alone = _get(page)
            assert status == 200
            health: list[float] = []
            ingestion: list[float] = []
            with ThreadPoolExecutor(SLOW_PAGES) as pool:
                pages = [pool.submit(_get, page) for _ in range(SLOW_PAGES)]
                while not all(p.done() for p in pages):
                    start = time.monotonic()
                    assert api.get("/api/public/health").status_code == 200
                    health.append(time.monotonic() - start)
                    start = time.monotonic()
                    live = trace_batch(f"live-{len(ingestion)}", "live", ["hello"])
                    ingest(api, live, authorization=None)
                    ingestion.append(time.monotonic() - start)
            assert [p.result()[0] for p in pages] == [200] * SLOW_PAGES
    finally:
        server.stop()
    assert len(health) >= 3, "the pages rendered too fast to overlap any health check"
    # On the event loop, a health check waits for the page being rendered: about `alone`.
    assert max(health) < min(HEALTH_LIMIT_S, alone / 2), (health, alone)
    assert max(ingestion) < INGEST_LIMIT_S, (ingestion, alone)
