"""The README's Python snippet, verbatim, on each pinned Python SDK against a real server:
its turn has the question as input and the answer as output (what the replay shows)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support.sdk import PY3, PY4, PY5, Sdk, Server, run_program

pytestmark = [pytest.mark.sdk, pytest.mark.one_engine]

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_snippet() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    snippets = [b for b in blocks if "start_as_current_observation" in b]
    assert len(snippets) == 1, "the README has one Python SDK snippet"
    return snippets[0]


@pytest.mark.parametrize("sdk", [PY3, PY4, PY5], ids=lambda s: s.name)
def test_the_readme_snippet_gives_a_turn_with_input_and_output(
    server_for: Callable[[Sdk], Server], sdk: Sdk
) -> None:
    server = server_for(sdk)
    # Its own session: the seed tests read chat-session-123 on the same server.
    source = readme_snippet().replace("chat-session-123", "readme-session")
    run_program(sdk, source, ".py", server.project, "readme")

    answer = httpx.get(
        f"{server.url}/api/public/traces",
        params={"sessionId": "readme-session"},
        auth=server.auth,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    (trace,) = answer.json()["data"]
    assert (trace["name"], trace["userId"]) == ("chat-turn", "user-42")
    assert (trace["input"], trace["output"]) == (
        "How long does a refund take?",
        "5 to 7 business days.",
    )
