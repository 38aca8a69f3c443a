"""Prompt management through the real SDKs (Python 3, 4, 5 and JS 5), one program run each:
create text and chat prompts, get by label and by version, move `production`, compile
variables and placeholders, a fallback left unused because the prompt exists, and the
generation that used a prompt read back with its `promptId`, `promptName`, `promptVersion`.
SQLite only: the store's behaviour on both engines is tests/storage/test_prompts.py's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.support.sdk import JS5, PROGRAMS, PY3, PY4, PY5, Project, Sdk, run_file
from tests.support.server import ServerProcess

pytestmark = pytest.mark.sdk

FIRST = "Answer {{question}} briefly."
SECOND = "Answer {{question}} in detail."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("prompts"), project_id="sdk-prompts")
    process.start()
    yield process
    process.stop()


def _seen(version: int, prompt: str, labels: list[str], config: Any) -> dict[str, Any]:
    return {
        "version": version,
        "prompt": prompt,
        "labels": labels,
        "config": config,
        "fallback": False,
    }


@pytest.mark.parametrize("sdk", [PY3, PY4, PY5, JS5], ids=lambda s: s.name)
def test_prompts_through_the_sdk(sdk: Sdk, server: ServerProcess, tmp_path: Path) -> None:
    prefix = sdk.name.replace(".", "-")
    out = tmp_path / "answers.json"
    project = Project(server.project_id, server.public_key, server.secret_key, server.url)
    program = PROGRAMS / ("py_prompts.py" if sdk.language == "py" else "js_prompts.mjs")
    run_file(sdk, program, project, f"prompts-{prefix}", prefix, str(out))
    got = json.loads(out.read_text(encoding="utf-8"))
    temperature = {"temperature": 0}
    assert got["production"] == _seen(1, FIRST, ["production"], temperature)
    assert got["byVersion"] == _seen(2, SECOND, ["latest", "staging"], {})
    assert got["staging"] == got["byVersion"]
    assert got["moved"] == _seen(2, SECOND, ["latest", "production", "staging"], {})
    assert got["withFallback"] == got["moved"]
    assert got["compiled"] == "Answer Why? briefly."
    assert got["chatCompiled"] == [
        {"role": "system", "content": "You help with billing."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello"},
        {"role": "user", "content": "Why?"},
    ]
    if sdk.language == "py":
        assert got["chatVariables"] == ["question", "topic"]
    name = quote(f"{prefix}/qa/answer", safe="")
    stored = httpx.get(
        f"{server.url}/api/public/v2/prompts/{name}?version=2", auth=server.auth, timeout=30
    )
    assert stored.status_code == 200 and stored.json()["labels"] == [
        "latest",
        "production",
        "staging",
    ]
    observation = httpx.get(
        f"{server.url}/api/public/observations/{got['generationId']}", auth=server.auth, timeout=30
    ).json()
    assert (observation["traceId"], observation["type"]) == (got["traceId"], "GENERATION")
    assert {k: observation[k] for k in ("promptId", "promptName", "promptVersion")} == {
        "promptId": stored.json()["id"],
        "promptName": f"{prefix}/qa/answer",
        "promptVersion": 2,
    }
