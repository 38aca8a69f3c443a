"""One table of the errors PowerRAG raises on purpose: HTTP status, Langfuse's name, UI title.

The API answers `{"message", "error": name}`; the UI shows an error page titled by
`title` (a key of `web/i18n.py`). Order matters: a subclass comes before its base.
"""

from __future__ import annotations

from dataclasses import dataclass

from powerrag.domain.errors import (
    BodyTimeoutError,
    ConflictError,
    CsrfError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
    OverloadedError,
    StorageFullError,
    UnauthorizedError,
    UnprocessableError,
    UnsupportedMediaTypeError,
)
from powerrag.ingest.otlp import BodyTooLargeError


@dataclass(frozen=True, slots=True)
class ErrorKind:
    status: int
    name: str
    title: str
    # A translated message the UI shows instead of the error's own text.
    message: str | None = None


ERRORS: tuple[tuple[type[Exception], ErrorKind], ...] = (
    (BodyTooLargeError, ErrorKind(413, "PayloadTooLargeError", "bad_request")),
    (BodyTimeoutError, ErrorKind(408, "RequestTimeoutError", "bad_request")),
    (InvalidRequestError, ErrorKind(400, "InvalidRequestError", "bad_request")),
    (UnsupportedMediaTypeError, ErrorKind(415, "UnsupportedMediaTypeError", "bad_request")),
    (NotFoundError, ErrorKind(404, "LangfuseNotFoundError", "not_found")),
    (ConflictError, ErrorKind(409, "ConflictError", "bad_request")),
    (UnprocessableError, ErrorKind(422, "UnprocessableContentError", "bad_request")),
    (UnauthorizedError, ErrorKind(401, "UnauthorizedError", "forbidden")),
    (CsrfError, ErrorKind(403, "ForbiddenError", "forbidden", "csrf_failed")),
    (ForbiddenError, ErrorKind(403, "ForbiddenError", "forbidden")),
    (OverloadedError, ErrorKind(503, "ServiceUnavailableError", "unavailable")),
    (StorageFullError, ErrorKind(503, "StorageFullError", "unavailable")),
)
KNOWN = tuple(cls for cls, _ in ERRORS)


def kind_of(exc: Exception) -> ErrorKind:
    """The kind of an error raised on purpose (one of `KNOWN`)."""
    return next(kind for cls, kind in ERRORS if isinstance(exc, cls))
