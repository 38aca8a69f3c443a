"""The composition root: `create_app(settings)` wires store, pipeline, API and UI."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from powerrag import __version__
from powerrag.api import ingestion, projects, reads
from powerrag.api.context import Context
from powerrag.api.errors import install_error_handlers
from powerrag.api.openapi import openapi_document
from powerrag.config import Settings
from powerrag.pipeline import Pipeline
from powerrag.store.database import Store
from powerrag.web.setup import install_web


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    """Build the ASGI app. The store is created from settings unless one is passed in."""
    store = store or Store(
        settings.resolved_database_url,
        pool_size=settings.db_pool_size,
        migrate_on_start=settings.auto_migrate,
    )
    pipeline = Pipeline(
        store,
        max_pending=settings.max_pending_requests,
        wait_seconds=settings.queue_wait_seconds,
        group_max=settings.group_commit_max,
    )
    ctx = Context(settings=settings, store=store, pipeline=pipeline)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pipeline.start()
        try:
            yield
        finally:
            pipeline.stop()

    app = FastAPI(
        title="PowerRAG",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    # Langfuse's operations with their full schemas, not FastAPI's untyped routes; assigning
    # `app.openapi` is FastAPI's documented way to serve a document of one's own. Built on
    # the first request for it (17 ms of parsing that start-up need not pay).
    app.openapi = functools.cache(openapi_document)  # type: ignore[method-assign]
    app.state.ctx = ctx
    install_error_handlers(app)
    app.include_router(ingestion.router)
    app.include_router(projects.router)
    app.include_router(reads.router)
    install_web(app, ctx)
    return app
