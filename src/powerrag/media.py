"""The media writes: register an SDK's media, take its upload, record the SDK's report.

Uploads and downloads go through URLs carrying a token signed with a key kept in the
database (`instance_secrets`), so every replica signs and checks the same way.
"""

from __future__ import annotations

import hmac

from powerrag.domain import media as rules
from powerrag.domain.errors import InvalidRequestError, NotFoundError, UnsupportedMediaTypeError
from powerrag.domain.media import MediaRequest, UploadReport
from powerrag.domain.rows import MediaRow
from powerrag.ingest.otlp import BodyTooLargeError
from powerrag.store import accounts, media
from powerrag.store.database import Store

URL_KEY = "media-url-key"  # instance secret: signs upload and download URLs


def url_key(store: Store) -> bytes:
    """The signing key, created by the first replica that needs it."""
    with store.connect() as conn:
        value = accounts.peek_instance_secret(conn, URL_KEY)
    if value is None:
        with store.transaction() as conn:
            value = accounts.instance_secret(conn, URL_KEY)
    return value.encode()


def sign(
    store: Store, purpose: str, project_id: str, media_id: str, now_us: int
) -> tuple[str, int]:
    """A token for the media's upload or download URL and when it expires (seconds)."""
    expires = now_us // 1_000_000 + rules.URL_SECONDS
    return rules.sign(url_key(store), purpose, project_id, media_id, expires), expires


def verify(store: Store, token: str, purpose: str, media_id: str, now_us: int) -> str:
    """The project a URL token was signed for (ForbiddenError when forged or expired)."""
    return rules.verify(url_key(store), token, purpose, media_id, now_us // 1_000_000)


def register_media(store: Store, project_id: str, req: MediaRequest, now_us: int) -> bool:
    """Record the media and where it was found; True when the project holds its bytes already."""
    with store.transaction() as conn:
        media.register(conn, project_id, req, now_us)
        media.link(conn, project_id, req, now_us)
        row = media.get_media(conn, project_id, req.media_id)
    return row is not None and row.held


def check_upload_headers(
    row: MediaRow, content_type: str | None, checksum: str | None, length: str | None
) -> None:
    """Refuse before reading a body whose headers already contradict the registration."""
    if (content_type or "").split(";")[0].strip().lower() != row.content_type:
        raise UnsupportedMediaTypeError(
            f"Content-Type {content_type!r} differs from the registered contentType "
            f"{row.content_type!r}"
        )
    if checksum is not None and checksum != row.sha256:
        raise InvalidRequestError(
            f"x-amz-checksum-sha256 {checksum!r} differs from the registered sha256Hash "
            f"{row.sha256!r}"
        )
    if length is not None and length.isdigit():
        _check_length(row, int(length), "Content-Length")


def _check_length(row: MediaRow, size: int, what: str) -> None:
    message = f"{what} {size} differs from the registered contentLength {row.content_length}"
    if size > row.content_length:
        raise BodyTooLargeError(message)
    if size < row.content_length:
        raise InvalidRequestError(message)


def store_upload(store: Store, row: MediaRow, content: bytes, now_us: int) -> None:
    """Keep the bytes once they are exactly what was registered; committed on return."""
    _check_length(row, len(content), "The body's length")
    digest = rules.sha256_b64(content)
    if not hmac.compare_digest(digest, row.sha256):
        raise InvalidRequestError(
            f"The body's SHA-256 {digest} differs from the registered sha256Hash {row.sha256}"
        )
    with store.transaction() as conn:
        media.store_bytes(conn, row.project_id, row.id, content, now_us)


def record_upload(store: Store, project_id: str, media_id: str, report: UploadReport) -> None:
    with store.transaction() as conn:
        known = rules.is_media_id(media_id)
        if not known or not media.record_upload(conn, project_id, media_id, report):
            raise NotFoundError(f"Media asset {media_id} not found in this project")
