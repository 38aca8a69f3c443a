"""The SDK convention to end a session: a trace with metadata `powerrag.session.end` "true"
(sent by the pinned Python SDKs as they are) ends its session at the worker's next pass,
long before its idle timeout (docs/evaluation.md)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from powerrag.config import Settings
from powerrag.lifecycle import Lifecycle
from powerrag.store.database import Store
from tests.support.lifecycle import Clock
from tests.support.sdk import PY3, PY5, Project, Sdk, run_program
from tests.support.server import ServerProcess

pytestmark = pytest.mark.sdk

PROGRAM = """
from langfuse import get_client, propagate_attributes

langfuse = get_client()
for n, last in ((1, False), (2, True)):
    metadata = {"powerrag.session.end": "true"} if last else {}
    with langfuse.start_as_current_observation(name=f"turn-{n}", input=f"question {n}") as turn:
        with propagate_attributes(session_id="ending-session", metadata=metadata):
            turn.update(output=f"answer {n}")
with langfuse.start_as_current_observation(name="other", input="q") as turn:
    with propagate_attributes(session_id="open-session"):
        turn.update(output="a")
langfuse.flush()
"""


@pytest.mark.parametrize("sdk", [PY3, PY5], ids=lambda s: s.name)
def test_a_trace_marked_powerrag_session_end_ends_its_session(sdk: Sdk, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    project_id = "end-" + sdk.name.replace(".", "-")
    # No background worker in the server: the test runs the pass itself, on its own clock.
    server = ServerProcess(data_dir, project_id=project_id, lifecycle_interval_seconds="0")
    server.start()
    try:
        project = Project(project_id, server.public_key, server.secret_key, server.url)
        run_program(sdk, PROGRAM, ".py", project, "session-end")
        store = Store.open(f"sqlite:///{data_dir / 'powerrag.db'}", migrate_on_start=False)
        try:
            settings = Settings(data_dir=data_dir, session_idle_seconds=1800)
            done = Lifecycle(store, settings, Clock()).run_once()
        finally:
            store.close()
        assert done.ended == 1
        status = {}
        for session_id in ("ending-session", "open-session"):
            answer = httpx.get(
                f"{server.url}/api/public/sessions/{session_id}", auth=server.auth, timeout=30
            )
            assert answer.status_code == 200, answer.text
            status[session_id] = answer.json()["status"]
        assert status == {"ending-session": "ended", "open-session": "active"}
    finally:
        server.stop()
