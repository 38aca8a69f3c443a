"""The user document's SDK snippets against a real server: verbatim on the SDK versions they were
written for (langfuse 3.15.0, @langfuse/tracing 4.6.1), ported on the newer ones; read back."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.recorded import DATA
from tests.support.sdk import (
    JS4,
    JS5,
    PROGRAMS,
    PY3,
    PY4,
    PY5,
    Sdk,
    Server,
    read_back,
    run_file,
    run_program,
)
from tests.support.sdk_views import SEED_FIELDS, observations_view, session_traces

pytestmark = pytest.mark.sdk

DOCUMENT = DATA / "seed" / "000_3f1d73d3a1fc1959.txt"
BLOCKS = Path(__file__).resolve().parent / "seed"
QUESTION = {"query": "What is the capital of France?"}


def obs(
    type_: str,
    *,
    parent: str | None = None,
    model: str | None = None,
    input_: Any = None,
    output: Any = None,
) -> dict[str, Any]:
    """One expected observation row (SEED_FIELDS)."""
    return {"type": type_, "parent": parent, "model": model, "input": input_, "output": output}


# {session id: {trace name: {observation name: fields}}}
PYTHON_EXPECTED = {
    "your-session-id": {
        "process_request": {
            "process_request": obs(
                "SPAN", input_={"args": [], "kwargs": {}}, output="request processed"
            ),
        },
        "another-operation": {"another-operation": obs("SPAN")},
    },
    "chat-session-123": {
        "process-chat-message": {
            "process-chat-message": obs("SPAN"),
            "generate-response": obs("GENERATION", parent="process-chat-message", model="gpt-4o"),
        },
    },
}
TS_EXPECTED = {
    "session-123": {
        "context-manager": {"context-manager": obs("SPAN", input_=QUESTION)},
        "observe-wrapper": {
            "observe-wrapper": obs("SPAN", input_="API", output={"data": "some data from API"}),
        },
        "manual-observation": {"manual-observation": obs("SPAN", input_=QUESTION, output="Paris")},
    },
}


def document_blocks() -> dict[str, str]:
    """{block file name: code} for each fenced Python/TypeScript block of the document."""
    text = DOCUMENT.read_text(encoding="utf-8")
    blocks: dict[str, str] = {}
    counts = {"python": 0, "typescript": 0}
    for language, code in re.findall(r"```(python|typescript)\n(.*?)```", text, re.S):
        counts[language] += 1
        name = (
            f"py_block{counts[language]}.py"
            if language == "python"
            else f"ts_block{counts[language]}.ts"
        )
        blocks[name] = code
    return blocks


def test_block_files_are_the_documents_blocks_verbatim() -> None:
    blocks = document_blocks()
    assert sorted(blocks) == sorted(p.name for p in BLOCKS.glob("*_block*"))
    for name, code in blocks.items():
        assert (BLOCKS / name).read_text(encoding="utf-8") == code, name


def run_verbatim_blocks(sdk: Sdk, server: Server) -> None:
    """Each block in its own process: fixed prelude + the block unchanged + fixed epilogue."""
    prefix, suffix = ("py", ".py") if sdk.language == "py" else ("ts", ".ts")
    prelude = (PROGRAMS / f"{prefix}_prelude{suffix}").read_text(encoding="utf-8")
    epilogue = (PROGRAMS / f"{prefix}_epilogue{suffix}").read_text(encoding="utf-8")
    for block in sorted(BLOCKS.glob(f"{prefix}_block*{suffix}")):
        source = prelude + "\n" + block.read_text(encoding="utf-8") + "\n" + epilogue
        run_program(sdk, source, suffix, server.project, f"seed-{block.stem}")


def run_ported(sdk: Sdk, server: Server) -> None:
    program = "py_seed_ported.py" if sdk.language == "py" else "ts_seed_ported.ts"
    run_file(sdk, PROGRAMS / program, server.project, "seed-ported")


CASES = [
    pytest.param(PY3, run_verbatim_blocks, PYTHON_EXPECTED, id="py-3.15.0-verbatim"),
    pytest.param(PY4, run_ported, PYTHON_EXPECTED, id="py-4.18.0-ported"),
    pytest.param(PY5, run_ported, PYTHON_EXPECTED, id="py-5.0.4-ported"),
    pytest.param(JS4, run_verbatim_blocks, TS_EXPECTED, id="js-4.6.1-verbatim"),
    pytest.param(JS5, run_ported, TS_EXPECTED, id="js-5.11.1-ported"),
]


@pytest.mark.parametrize(("sdk", "run", "expected"), CASES)
def test_document_snippets_create_their_sessions(
    server_for: Callable[[Sdk], Server],
    sdk: Sdk,
    run: Callable[[Sdk, Server], None],
    expected: dict[str, dict[str, dict[str, Any]]],
) -> None:
    server = server_for(sdk)
    run(sdk, server)
    readback = read_back(sdk, server.project, sorted(expected))
    got = {
        session_id: {
            name: observations_view(trace, SEED_FIELDS)
            for name, trace in session_traces(readback, session_id).items()
        }
        for session_id in expected
    }
    assert got == expected
