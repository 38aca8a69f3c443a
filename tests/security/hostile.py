"""Traces of hostile text and a signed-in client to look at them, for the rendering tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi.testclient import TestClient

from powerrag.accounts import ensure_user
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store.database import Store
from tests.support.project import AUTH
from tests.support.web import EMAIL, PASSWORD, sign_in


def trace_batch(trace_id: str, session_id: str, texts: list[str]) -> dict[str, Any]:
    """A trace whose input and one generation's input and output hold `texts` as a chat.

    The generation is `<trace_id>-generation`, so the trace page's panel shows it too.
    """
    now = "2025-11-23T10:00:00Z"
    chat = [{"role": ("user", "assistant")[i % 2], "content": t} for i, t in enumerate(texts)]
    trace = {"id": trace_id, "name": "chat", "sessionId": session_id, "input": chat}
    generation = {
        "id": f"{trace_id}-generation",
        "traceId": trace_id,
        "name": "llm",
        "startTime": now,
        "input": chat,
        "output": {"role": "assistant", "content": texts[-1]},
    }
    return {
        "batch": [
            {"id": f"{trace_id}-1", "type": "trace-create", "timestamp": now, "body": trace},
            {
                "id": f"{trace_id}-2",
                "type": "generation-create",
                "timestamp": now,
                "body": generation,
            },
        ]
    }


def ingest(
    client: httpx.Client, batch: dict[str, Any], *, authorization: str | None = AUTH
) -> None:
    """Send a batch: by default with the `store` fixture's key, or None for the client's own."""
    headers = {"authorization": authorization} if authorization else {}
    answer = client.post("/api/public/ingestion", json=batch, headers=headers)
    assert answer.status_code == 207, answer.text
    assert not answer.json()["errors"], answer.text


@contextmanager
def signed_in(store: Store, settings: Settings) -> Iterator[TestClient]:
    """An administrator signed in through the form, over the in-process app."""
    ensure_user(store, EMAIL, "Admin", PASSWORD)
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        sign_in(client, (EMAIL, PASSWORD))
        yield client
