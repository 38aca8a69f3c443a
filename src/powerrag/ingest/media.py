"""Decoding the media API's bodies (GetMediaUploadUrlRequest, PatchMediaBody) into records.

Every refusal is a 400 naming the field: the SDKs give up on a 4xx instead of retrying
(langfuse-python `_task_manager/media_manager.py`, `_should_give_up`).
"""

from __future__ import annotations

from typing import Any

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.media import CONTENT_TYPES, TRACE_FIELDS, MediaRequest, UploadReport, is_sha256
from powerrag.domain.timeutil import in_range, parse_iso

MAX_ID = 64  # the id columns' width (store/infra/schema.py)


def _object(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise InvalidRequestError("Invalid request data: the body must be a JSON object")
    return doc


def _id(doc: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = doc.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_ID or "\x00" in value:
        raise InvalidRequestError(f"{name} must be a string of 1 to {MAX_ID} characters, no NUL")
    return value


def _trace_id(doc: dict[str, Any]) -> str:
    if doc.get("traceId") is None and doc.get("datasetId") is not None:
        raise InvalidRequestError(
            "PowerRAG keeps no datasets: media must belong to a trace (send traceId)"
        )
    trace_id = _id(doc, "traceId", required=True)
    assert trace_id is not None
    return trace_id


def _content_length(doc: dict[str, Any], max_bytes: int) -> int:
    value = doc.get("contentLength")
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InvalidRequestError(f"contentLength must be a positive integer, got {value!r}")
    if value > max_bytes:
        raise InvalidRequestError(
            f"contentLength {value} exceeds the media size limit of {max_bytes} bytes "
            "(POWERRAG_MEDIA_MAX_BYTES)"
        )
    return value


def media_request(doc: Any, *, max_bytes: int) -> MediaRequest:
    """A `POST /api/public/media` body; media of dataset items is refused (no datasets here)."""
    body = _object(doc)
    content_type = body.get("contentType")
    if content_type not in CONTENT_TYPES:
        raise InvalidRequestError(
            f"contentType {content_type!r} is not a media type Langfuse accepts "
            "(MediaContentType, e.g. image/png)"
        )
    sha256 = body.get("sha256Hash")
    if not isinstance(sha256, str) or not is_sha256(sha256):
        raise InvalidRequestError(
            f"sha256Hash must be the standard base64 of a 32-byte SHA-256, got {sha256!r}"
        )
    field = body.get("field")
    if field not in TRACE_FIELDS:
        raise InvalidRequestError(f"field must be one of {', '.join(TRACE_FIELDS)}, got {field!r}")
    return MediaRequest(
        trace_id=_trace_id(body),
        observation_id=_id(body, "observationId", required=False),
        field=str(field),
        content_type=str(content_type),
        content_length=_content_length(body, max_bytes),
        sha256=sha256,
    )


def _int(body: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidRequestError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return value


def upload_report(doc: Any) -> UploadReport:
    """A `PATCH /api/public/media/{mediaId}` body; a success keeps no error text (as Langfuse)."""
    body = _object(doc)
    raw_time = body.get("uploadedAt")
    try:
        uploaded_at = parse_iso(raw_time) if isinstance(raw_time, str) else None
    except ValueError:
        uploaded_at = None
    if uploaded_at is None or not in_range(uploaded_at):
        raise InvalidRequestError(
            f"uploadedAt must be an ISO 8601 datetime from 1990 to 2200, got {raw_time!r}"
        )
    status = _int(body, "uploadHttpStatus", 100, 599)
    if status is None:
        raise InvalidRequestError("uploadHttpStatus is required")
    error = body.get("uploadHttpError")
    if error is not None and not isinstance(error, str):
        raise InvalidRequestError(f"uploadHttpError must be a string or null, got {error!r}")
    return UploadReport(
        uploaded_at=uploaded_at,
        status=status,
        error=None if status in (200, 201) else error,
        time_ms=_int(body, "uploadTimeMs", 0, 2**31 - 1),
    )
