"""Making what an app stored searchable now, without waiting for its search indexer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from powerrag.context import Context
from powerrag.search_indexer import SearchIndexer


def app_indexer(client: TestClient) -> SearchIndexer:
    """The running app's search indexer."""
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    assert isinstance(ctx, Context)
    return ctx.indexer


def index_now(client: TestClient) -> int:
    """Index every trace the app's writer marked, in this thread, through the app's own
    indexer: a batch its background thread has in flight is committed first."""
    return app_indexer(client).drain()
