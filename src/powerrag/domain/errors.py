"""Errors the layers raise; the API layer turns each into its HTTP answer."""

from __future__ import annotations


class PowerRAGError(Exception):
    """Base of every error PowerRAG raises on purpose.

    `code` and `details` are what Langfuse's unstable endpoints answer besides the message
    (`unstablePublicApiError` in its OpenAPI document); other endpoints leave them out.
    """

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        details: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


class InvalidRequestError(PowerRAGError):
    """The request cannot be used: it says what was wrong (HTTP 400)."""


class NotFoundError(PowerRAGError):
    """The thing asked for does not exist in the caller's project (HTTP 404)."""


class ConflictError(PowerRAGError):
    """The request clashes with what exists, such as a name taken (HTTP 409)."""


class UnprocessableError(PowerRAGError):
    """Well-formed but cannot be carried out, such as a judge with no LLM to run on (HTTP 422)."""


class UnauthorizedError(PowerRAGError):
    """Missing or wrong credentials (HTTP 401)."""


class UnsupportedMediaTypeError(PowerRAGError):
    """A body of another content type than the one announced or allowed (HTTP 415)."""


class ForbiddenError(PowerRAGError):
    """Valid credentials that may not do this (HTTP 403)."""


class OverloadedError(PowerRAGError):
    """The write path is saturated; the sender should retry later (HTTP 503)."""


class StorageFullError(PowerRAGError):
    """The database cannot grow; nothing of the request was stored (HTTP 503)."""


class CsrfError(ForbiddenError):
    """A form arrived without the page's CSRF token, or with another one (HTTP 403)."""


class BodyTimeoutError(PowerRAGError):
    """The body did not arrive within its deadline (HTTP 408, connection closed)."""
