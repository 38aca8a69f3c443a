"""What every request handler may use, opened by the app's lifespan (`powerrag.app`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from powerrag.config import Settings
from powerrag.metrics import Metrics
from powerrag.pipeline import Pipeline
from powerrag.search_indexer import SearchIndexer
from powerrag.store.database import Store


@dataclass(frozen=True, slots=True)
class Context:
    settings: Settings
    store: Store
    pipeline: Pipeline
    indexer: SearchIndexer
    # Microseconds since the epoch; tests pass a fixed clock.
    clock: Callable[[], int]
    metrics: Metrics


def context_of(connection: HTTPConnection) -> Context:
    """The running app's Context (set by the lifespan before the first request)."""
    ctx = connection.app.state.ctx
    if not isinstance(ctx, Context):
        raise RuntimeError("the app has not started: requests need its lifespan to run")
    return ctx
