"""An OTLP trace export request, from raw bytes to an IngestBatch."""

from __future__ import annotations

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.records import IngestBatch, IngestWarning
from powerrag.ingest.experiments import experiment_link
from powerrag.ingest.otlp import decode_otlp, decompress
from powerrag.ingest.semconv import SpanRejectedError, map_span
from powerrag.ingest.values import field_with_nul

MAX_INGESTION_VERSION = 4


def parse_ingestion_version(raw: str | None) -> int | None:
    """`x-langfuse-ingestion-version`: an integer ≤ 4, or absent (reference §1.2)."""
    if raw is None or raw.strip() == "":
        return None
    try:
        version = int(raw.strip())
    except ValueError:
        version = MAX_INGESTION_VERSION + 1
    if version > MAX_INGESTION_VERSION or version < 0:
        raise InvalidRequestError(
            f'Unsupported x-langfuse-ingestion-version: "{raw}". Maximum supported: "4".'
        )
    return version


def decode_otlp_request(
    body: bytes,
    *,
    content_type: str | None,
    content_encoding: str | None,
    ingestion_version: int | None,
    max_bytes: int,
) -> IngestBatch:
    """Decode, map and validate every span; unusable spans are rejected one by one."""
    raw = decompress(body, content_encoding, max_bytes)
    decoded = decode_otlp(raw, content_type)
    batch = IngestBatch()
    for bad in decoded.undecodable:
        message = (
            f"span {bad.span_id or '(no id)'} of trace {bad.trace_id or '(no id)'}: {bad.reason}"
        )
        batch.rejected.append(IngestWarning(message, bad.trace_id, bad.span_id))
    for span in decoded.spans:
        try:
            mapped = map_span(span, ingestion_version=ingestion_version)
        except SpanRejectedError as exc:
            batch.rejected.append(IngestWarning(str(exc), span.trace_id, span.span_id))
            continue
        except InvalidRequestError as exc:
            message = f"span {span.span_id} of trace {span.trace_id}: {exc}"
            batch.rejected.append(IngestWarning(message, span.trace_id, span.span_id))
            continue
        nul = field_with_nul(mapped.observation, mapped.trace_update)
        if nul is not None:
            message = f"span {span.span_id} of trace {span.trace_id}: {nul} holds NUL characters"
            batch.rejected.append(IngestWarning(message, span.trace_id, span.span_id))
            continue
        batch.observations.append(mapped.observation)
        link = experiment_link(span)
        if link is not None:
            batch.experiment_links.append(link)
        if mapped.trace_update is not None:
            batch.trace_updates.append(mapped.trace_update)
        batch.warnings.extend(mapped.warnings)
    # Every span of a trace may carry the same refused id (propagate_attributes): name it once.
    batch.warnings = list({w.message: w for w in batch.warnings}.values())
    return batch
