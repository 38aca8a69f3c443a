"""Write endpoints: OTLP traces and logs, batch ingestion and scores. Answers follow commit."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag.admission import Admitted
from powerrag.api.auth import Caller, project_caller, score_caller
from powerrag.api.body import check_json_type, json_body, langfuse_header, read_body
from powerrag.context import Context, context_of
from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.records import IngestBatch, ScoreRecord
from powerrag.domain.timeutil import now_us
from powerrag.ingest.batch import decode_batch
from powerrag.ingest.otlp_logs import decode_otlp_logs_request
from powerrag.ingest.otlp_request import decode_otlp_request, parse_ingestion_version
from powerrag.ingest.scores import score_from_body
from powerrag.responses import json_response
from powerrag.score_configs import check_batch, check_score, checked_scores

router = APIRouter()
log = logging.getLogger("powerrag.api")


@router.post("/api/public/otel/v1/traces")
async def otel_traces(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    version = parse_ingestion_version(langfuse_header(request, "x-langfuse-ingestion-version"))
    async with ctx.pipeline.admission(caller.project_id) as place:
        batch = await _decode_otlp(
            ctx, request, caller, place, decode_otlp_request, ingestion_version=version
        )
        await ctx.pipeline.submit(caller.project_id, batch, deadline=place.deadline)
    ctx.metrics.ingested("otlp", len(batch.observations), len(batch.rejected))
    _log_warnings(caller.project_id, batch)
    messages = [w.message for w in batch.rejected] + [w.message for w in batch.warnings]
    if not messages:
        return json_response({})
    partial_success = {
        "rejectedSpans": str(len(batch.rejected)),
        "errorMessage": "; ".join(messages),
    }
    return json_response({"partialSuccess": partial_success})


def _log_warnings(project_id: str, batch: IngestBatch) -> None:
    """One log line per request for what was dropped from it (a refused session id on
    every span of a trace must not flood the log)."""
    if batch.warnings:
        shown = "; ".join(w.message for w in batch.warnings[:3])
        more = f" (and {len(batch.warnings) - 3} more)" if len(batch.warnings) > 3 else ""
        log.warning("project %s: %s%s", project_id, shown, more)


async def _read(ctx: Context, request: Request, caller: Caller, place: Admitted) -> bytes:
    """The body, within the caller's deadline: public-key callers get the short one,
    as their key is no secret (docs/security.md, slow senders)."""
    settings = ctx.settings
    seconds = (
        settings.public_key_body_read_seconds if caller.scores_only else settings.body_read_seconds
    )
    body = await read_body(request, settings.max_body_bytes, seconds=seconds)
    place.body_read()
    return body


async def _read_json(ctx: Context, request: Request, caller: Caller, place: Admitted) -> Any:
    return json_body(request, await _read(ctx, request, caller, place), ctx.settings.max_body_bytes)


async def _decode_otlp(
    ctx: Context,
    request: Request,
    caller: Caller,
    place: Admitted,
    decoder: Callable[..., IngestBatch],
    **options: Any,
) -> IngestBatch:
    """Read and decode a body; the raw bytes are dropped as soon as the batch exists.

    Decoding runs on the pipeline's decode threads: it keeps the event loop free and
    overlaps with the writer thread's database time (docs/benchmarks.md, the profile).
    """
    body = await _read(ctx, request, caller, place)
    headers = request.headers
    return await ctx.pipeline.decode(
        partial(
            decoder,
            body,
            content_type=headers.get("content-type"),
            content_encoding=headers.get("content-encoding"),
            max_bytes=ctx.settings.max_body_bytes,
            **options,
        )
    )


@router.post("/api/public/otel/v1/logs")
async def otel_logs(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    """GenAI message content sent as log events becomes its span's input and output
    (store/span_contents.py); other log records are counted, not stored."""
    ctx = context_of(request)
    async with ctx.pipeline.admission(caller.project_id) as place:
        batch = await _decode_otlp(ctx, request, caller, place, decode_otlp_logs_request)
        if len(batch):
            await ctx.pipeline.submit(caller.project_id, batch, deadline=place.deadline)
    rejected = len(batch.rejected)
    message = "; ".join(w.message for w in (*batch.rejected, *batch.warnings))
    # OTLP/HTTP answers in the request's encoding; a message with nothing rejected is a
    # warning (https://opentelemetry.io/docs/specs/otlp/#partial-success-1).
    if "protobuf" in (request.headers.get("content-type") or "").lower():
        answer = ExportLogsServiceResponse()
        if message:
            answer.partial_success.rejected_log_records = rejected
            answer.partial_success.error_message = message
        return Response(answer.SerializeToString(), media_type="application/x-protobuf")
    if not message:
        return json_response({})
    partial_success = {"rejectedLogRecords": str(rejected), "errorMessage": message}
    return json_response({"partialSuccess": partial_success})


@router.post("/api/public/otel/v1/metrics")
async def otel_metrics(_: Caller = Depends(project_caller)) -> Response:
    # Langfuse accepts and ignores OTLP metrics; so do we, so exporters stay quiet.
    return json_response({"message": "OK"})


@router.post("/api/public/ingestion")
async def ingestion(request: Request, caller: Caller = Depends(score_caller)) -> Response:
    ctx = context_of(request)
    check_json_type(request)
    async with ctx.pipeline.admission(caller.project_id, public=caller.scores_only) as place:
        doc = await _read_json(ctx, request, caller, place)
        batch = await _configured(ctx, caller, decode_batch(doc, scores_only=caller.scores_only))
        batch.scores = _as_caller_may(caller, batch.scores)
        if len(batch):
            await ctx.pipeline.submit(caller.project_id, batch, deadline=place.deadline)
    ctx.metrics.ingested("ingestion", len(batch.accepted_event_ids), len(batch.rejected_events))
    _log_warnings(caller.project_id, batch)
    errors = [
        {"id": e.id, "status": e.status, "message": e.message, "error": e.error}
        for e in batch.rejected_events
    ]
    successes = [{"id": i, "status": 201} for i in batch.accepted_event_ids]
    body: JSONObject = {"successes": successes, "errors": errors}
    if batch.warnings:
        body["warnings"] = [w.message for w in batch.warnings]
    return json_response(body, 207)


@router.post("/api/public/scores")
async def create_scores(request: Request, caller: Caller = Depends(score_caller)) -> Response:
    ctx = context_of(request)
    check_json_type(request)
    async with ctx.pipeline.admission(caller.project_id, public=caller.scores_only) as place:
        doc = await _read_json(ctx, request, caller, place)
        if isinstance(doc, list):
            return await _score_array(ctx, caller, doc, place.deadline)
        score = score_from_body(doc, default_id=str(uuid.uuid4()), timestamp=now_us())
        if score.config_id:
            score = await run_in_threadpool(check_score, ctx.store, caller.project_id, score)
        batch = IngestBatch(scores=_as_caller_may(caller, [score]))
        await ctx.pipeline.submit(caller.project_id, batch, deadline=place.deadline)
    return json_response({"id": score.id})


async def _score_array(ctx: Context, caller: Caller, items: list[Any], deadline: float) -> Response:
    """Python SDK 5 sends an array and expects 202, or 207 with counts (tests/data/sdk-traffic.md §5)."""
    batch = IngestBatch()
    errors: list[dict[str, str]] = []
    for index, item in enumerate(items):
        try:
            batch.scores.append(
                score_from_body(item, default_id=str(uuid.uuid4()), timestamp=now_us())
            )
        except InvalidRequestError as exc:
            errors.append({"message": f"score {index}: {exc}"})
    if any(s.config_id for s in batch.scores):
        results = await run_in_threadpool(
            checked_scores, ctx.store, caller.project_id, batch.scores
        )
        batch.scores = [r for r in results if isinstance(r, ScoreRecord)]
        errors.extend({"message": str(r)} for r in results if isinstance(r, InvalidRequestError))
    batch.scores = _as_caller_may(caller, batch.scores)
    if batch.scores:
        await ctx.pipeline.submit(caller.project_id, batch, deadline=deadline)
    if errors:
        return json_response(
            {"accepted": len(batch.scores), "rejected": len(errors), "errors": errors}, 207
        )
    return json_response({"message": "Accepted"}, 202)


async def _configured(ctx: Context, caller: Caller, batch: IngestBatch) -> IngestBatch:
    """Scores naming a config checked against it (score_configs.py); others untouched."""
    if not any(s.config_id for s in batch.scores):
        return batch
    return await run_in_threadpool(check_batch, ctx.store, caller.project_id, batch)


def _as_caller_may(caller: Caller, found: list[ScoreRecord]) -> list[ScoreRecord]:
    """A public-key caller's scores only ever add: the key ships in browser bundles, and a
    score id is shown on public pages, so it must not overwrite a team member's score."""
    return [replace(s, create_only=True) for s in found] if caller.scores_only else found
