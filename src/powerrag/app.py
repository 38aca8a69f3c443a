"""The composition root: `create_app(settings)` wires store, pipeline, API and UI.

Building the app does no I/O. Its lifespan opens the store (unless one is passed
in, which the caller then owns), starts the pipeline, the search indexer, the session
lifecycle worker, the retention job and the UI's live updates, and stops them in reverse
order.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from powerrag import __version__, reconciler
from powerrag.api import (
    annotation_queues,
    automations,
    comments,
    datasets,
    evaluation,
    ingestion,
    media,
    metrics,
    models,
    projects,
    prometheus,
    prompts,
    reads,
    score_configs,
)
from powerrag.api.errors import install_error_handlers
from powerrag.api.ingest_metrics import IngestMetrics
from powerrag.api.openapi import openapi_document
from powerrag.config import Settings
from powerrag.context import Context
from powerrag.domain.retention import check_days
from powerrag.domain.timeutil import now_us
from powerrag.lifecycle import Lifecycle
from powerrag.logs import check_format
from powerrag.metrics import Metrics
from powerrag.pipeline import Pipeline
from powerrag.request_ids import RequestIds
from powerrag.retention import Retention
from powerrag.search_indexer import SearchIndexer
from powerrag.store.database import Store
from powerrag.web.setup import install_web, web_running


def open_store(settings: Settings) -> Store:
    """The store the settings name, migrated when `auto_migrate` allows it."""
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Store.open(
        settings.resolved_database_url,
        pool_size=settings.db_pool_size,
        migrate_on_start=settings.auto_migrate,
        clickhouse_url=settings.clickhouse_url,
        retention_days=settings.retention_days,
    )


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def create_app(
    settings: Settings, *, store: Store | None = None, clock: Callable[[], int] = now_us
) -> FastAPI:
    """Build the ASGI app; the store is opened by the lifespan unless one is passed in."""
    check_days(settings.retention_days, "POWERRAG_RETENTION_DAYS")
    check_format(settings.log_format)
    counters = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            opened = store if store is not None else open_store(settings)
            if store is None:
                stack.callback(opened.close)
            indexer = SearchIndexer(opened)
            pipeline = Pipeline(
                opened,
                max_pending=settings.max_pending_requests,
                wait_seconds=settings.queue_wait_seconds,
                group_max=settings.group_commit_max,
                on_commit=indexer.notify,
                metrics=counters,
                clock=clock,
            )
            pipeline.start()
            stack.callback(pipeline.stop)
            indexer.start(busy=pipeline.busy)
            stack.callback(indexer.stop)
            counters.sources.store = opened
            counters.sources.queue_depth = pipeline.queue_depth
            counters.sources.admitted = pipeline.admitted
            ctx = Context(
                settings=settings,
                store=opened,
                pipeline=pipeline,
                indexer=indexer,
                clock=clock,
                metrics=counters,
            )
            app.state.ctx = ctx
            if settings.lifecycle_interval_seconds > 0:
                worker = Lifecycle(opened, settings, clock)
                task = asyncio.create_task(worker.run_forever(settings.lifecycle_interval_seconds))
                stack.push_async_callback(_stop, task)
            if settings.retention_interval_seconds > 0:
                retention = Retention(
                    opened, settings, clock, busy=pipeline.busy, on_deleted=counters.retention_step
                )
                job = asyncio.create_task(
                    retention.run_forever(settings.retention_interval_seconds)
                )
                stack.push_async_callback(_stop, job)
            if settings.clickhouse_url and settings.reconcile_interval_seconds > 0:
                reconciling = asyncio.create_task(
                    reconciler.run_forever(opened, settings.reconcile_interval_seconds)
                )
                stack.push_async_callback(_stop, reconciling)
            await stack.enter_async_context(web_running(app, ctx))
            yield

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
    install_error_handlers(app)
    app.include_router(ingestion.router)
    app.include_router(media.router)
    app.include_router(projects.router)
    app.include_router(reads.router)
    app.include_router(automations.router)
    app.include_router(evaluation.router)
    app.include_router(prompts.router)
    app.include_router(datasets.router)
    app.include_router(models.router)
    app.include_router(metrics.router)
    app.include_router(prometheus.router)
    app.include_router(score_configs.router)
    app.include_router(comments.router)
    app.include_router(annotation_queues.router)
    install_web(app)
    app.add_middleware(IngestMetrics, metrics=counters)
    # Outermost, so every log line of the request, from any layer, names it.
    app.add_middleware(RequestIds)
    return app
