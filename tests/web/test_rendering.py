"""Message shapes, safe Markdown, language choice and the live broker, without a server."""

from __future__ import annotations

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor

from powerrag.domain.changes import Change
from powerrag.web.i18n import pick_language
from powerrag.web.live import QUEUE_SIZE, RESYNC, LiveBroker
from powerrag.web.markdown import render_markdown
from powerrag.web.messages import render_value, split_history


def _media(media_id: str) -> str:
    return f"/media/{media_id}"


def _messages(value: object, role: str = "user") -> list[dict[str, object]]:
    view = render_value(json.dumps(value), role, _media)
    assert view["kind"] == "messages", view
    return list(view["messages"])


def test_openai_messages_with_tool_calls_and_tool_results() -> None:
    msgs = _messages(
        [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": [{"type": "text", "text": "weather?"}]},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
        ]
    )
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "tool"]
    assert msgs[1]["text"] == "weather?"
    assert msgs[2]["toolCalls"] == [{"name": "get_weather", "arguments": '{"city":"Paris"}'}]
    assert msgs[3]["text"] == "sunny" and msgs[3]["toolName"] == "call_1"


def test_anthropic_gemini_and_langchain_shapes() -> None:
    anthropic = _messages(
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Let me check."},
                {"type": "tool_use", "name": "search", "input": {"q": "x"}},
            ],
        },
        "assistant",
    )
    assert (
        anthropic[0]["text"] == "Let me check." and anthropic[0]["toolCalls"][0]["name"] == "search"
    )
    gemini = _messages(
        {
            "contents": [
                {
                    "role": "model",
                    "parts": [{"text": "hi"}, {"functionCall": {"name": "f", "args": {}}}],
                }
            ]
        }
    )
    assert gemini[0]["role"] == "assistant" and gemini[0]["toolCalls"][0]["name"] == "f"
    langchain = _messages(
        [
            {"type": "human", "content": "hello"},
            {
                "lc": 1,
                "type": "constructor",
                "id": ["langchain", "schema", "AIMessage"],
                "kwargs": {"content": "hey"},
            },
        ]
    )
    assert [(m["role"], m["text"]) for m in langchain] == [("user", "hello"), ("assistant", "hey")]
    completion = _messages(
        {"choices": [{"message": {"role": "assistant", "content": "done"}}]}, "assistant"
    )
    assert completion[0]["text"] == "done"


def test_plain_strings_single_text_fields_and_other_json() -> None:
    assert _messages("just text")[0]["text"] == "just text"
    assert _messages({"question": "why?"})[0]["text"] == "why?"
    other = render_value(json.dumps({"a": 1, "b": [1, 2]}), "user", _media)
    assert other["kind"] == "json" and '"b"' in other["json"]
    assert render_value(None, "user", _media)["kind"] == "empty"
    assert render_value("not json {", "user", _media)["messages"][0]["text"] == "not json {"


def test_resent_history_folds_away_in_a_turn() -> None:
    view = render_value(
        json.dumps(
            [
                {"role": "system", "content": "s"},
                {"role": "user", "content": "q1"},
                {"role": "assistant", "content": "a1"},
                {"role": "user", "content": "q2"},
            ]
        ),
        "user",
        _media,
    )
    split = split_history(view)
    assert [m["text"] for m in split["messages"]] == ["q2"]
    assert len(split["history"]) == 3


def test_markdown_escapes_everything_before_formatting() -> None:
    html = render_markdown("<img src=x onerror=alert(1)> **bold** [x](javascript:alert(1))")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<strong>bold</strong>" in html and "href" not in html
    code = render_markdown('```\n<script>"x"</script>\n```\n[ok](https://example.com/a?b=1&c=2)')
    assert "<pre><code>&lt;script&gt;" in code
    assert 'href="https://example.com/a?b=1&amp;c=2"' in code


def test_markdown_keeps_the_chat_subset_the_stylesheet_styles() -> None:
    """What `.msg-text` in app.css styles: paragraphs with line breaks, code, headings, lists."""
    text = (
        "# Plan\nfirst line\nsecond *line* with **bold** and `x < y`\n\n"
        "- one\n- two\n\n1. three\n\n> quoted\n\n```python\nprint(1)\n```\n"
        "see [docs](https://example.com/docs)"
    )
    assert render_markdown(text) == (
        "<h4>Plan</h4>\n"
        "<p>first line<br>\nsecond <em>line</em> with <strong>bold</strong> and"
        " <code>x &lt; y</code></p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol>\n<li>three</li>\n</ol>\n"
        "<blockquote>\n<p>quoted</p>\n</blockquote>\n"
        '<pre><code class="language-python">print(1)\n</code></pre>\n'
        '<p>see <a href="https://example.com/docs" rel="nofollow noopener noreferrer"'
        ' target="_blank">docs</a></p>\n'
    )


def test_language_comes_from_the_cookie_then_the_browser() -> None:
    assert pick_language(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh-CN"
    assert pick_language("en", "zh-CN") == "en"
    assert pick_language(None, "fr-FR, en;q=0.5") == "en"
    assert pick_language("xx", None) == "en"


def _change(project_id: str, session_id: str, *trace_ids: str) -> Change:
    pairs = frozenset((session_id, t) for t in trace_ids)
    return Change(project_id, frozenset(trace_ids), frozenset({session_id}), pairs)


def test_the_broker_hands_commits_from_the_writer_thread_to_the_loop() -> None:
    async def scenario() -> tuple[frozenset[str], frozenset[str], bool]:
        broker = LiveBroker()
        mine, other = broker.subscribe("p1", "s1"), broker.subscribe("p2", "s1")
        first = _change("p1", "s1", "t1", "t-score")
        writer = threading.Thread(target=broker.on_change, args=(first,))
        writer.start()
        writer.join()
        _, got = await asyncio.wait_for(mine.queue.get(), 2)
        for i in range(QUEUE_SIZE + 5):  # a subscriber that never reads
            broker.on_change(_change("p1", "s1", f"t{i}"))
        await asyncio.sleep(0.05)
        _, backlog = mine.queue.get_nowait()
        broker.unsubscribe(mine)
        return got, backlog, other.queue.empty()

    # A loop of its own in its own thread: Playwright's sync API may hold this one's.
    with ThreadPoolExecutor(1) as pool:
        got, backlog, other_empty = pool.submit(asyncio.run, scenario()).result()
    assert got == frozenset({"t1", "t-score"})
    assert backlog == frozenset({RESYNC})
    assert other_empty
