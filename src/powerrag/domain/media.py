"""Media the SDKs upload: allowed types, content-addressed ids and signed, expiring URL tokens.

The SDKs replace a base64 item in a traced value by `@@@langfuseMedia:type=…|id=…|source=…@@@`
and upload its bytes through `POST /api/public/media`, a `PUT` to the answered URL and a
`PATCH` with the result (tests/data/sdk-traffic.md §6). The id is derived from the bytes'
SHA-256, and the SDK cancels the upload when the server's id differs from its own
(langfuse-python `_task_manager/media_manager.py`, "Media ID mismatch").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass

from powerrag.domain.errors import ForbiddenError

# Langfuse's MediaContentType (tests/data/openapi.yml, components.schemas.MediaContentType).
CONTENT_TYPES: frozenset[str] = frozenset(
    (
        *("image/png", "image/jpeg", "image/jpg", "image/webp", "image/gif", "image/svg+xml"),
        *("image/tiff", "image/bmp", "image/avif", "image/heic"),
        *("audio/mpeg", "audio/mp3", "audio/wav", "audio/ogg", "audio/oga", "audio/aac"),
        *("audio/mp4", "audio/flac", "audio/opus", "audio/webm"),
        *("video/mp4", "video/webm", "video/ogg", "video/mpeg", "video/quicktime"),
        *("video/x-msvideo", "video/x-matroska"),
        *("text/plain", "text/html", "text/css", "text/csv", "text/markdown", "text/x-python"),
        *("application/javascript", "text/x-typescript", "application/x-yaml"),
        *("application/pdf", "application/msword", "application/vnd.ms-excel"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        *("application/zip", "application/json", "application/xml", "application/octet-stream"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        *("application/rtf", "application/x-ndjson", "application/vnd.apache.parquet"),
        *("application/gzip", "application/x-tar", "application/x-7z-compressed"),
    )
)
# Types a browser would run script in if it rendered them: served as attachments only.
ACTIVE_TYPES = frozenset(
    ("text/html", "image/svg+xml", "application/xml", "application/javascript", "text/css")
)
# The fields a trace's media may come from (GetMediaUploadUrlRequest.field).
TRACE_FIELDS = ("input", "output", "metadata")
MEDIA_ID_LENGTH = 22
_MEDIA_ID = re.compile(r"[A-Za-z0-9_-]{22}")
UPLOAD = "upload"
DOWNLOAD = "download"
URL_SECONDS = 3600  # as Langfuse's presigned upload URLs (web/src/pages/api/public/media)


@dataclass(frozen=True, slots=True)
class MediaRequest:
    """A decoded `POST /api/public/media` body."""

    trace_id: str
    observation_id: str | None
    field: str
    content_type: str
    content_length: int
    sha256: str  # standard base64 of the 32-byte digest, as sent

    @property
    def media_id(self) -> str:
        return media_id_of(self.sha256)


@dataclass(frozen=True, slots=True)
class UploadReport:
    """A decoded `PATCH /api/public/media/{mediaId}` body: the SDK's account of its upload."""

    uploaded_at: int
    status: int
    error: str | None
    time_ms: int | None


def sha256_b64(content: bytes) -> str:
    return base64.b64encode(hashlib.sha256(content).digest()).decode()


def media_id_of(sha256: str) -> str:
    """The first 22 characters (132 bits) of the URL-safe base64 SHA-256."""
    return sha256.replace("+", "-").replace("/", "_")[:MEDIA_ID_LENGTH]


def is_media_id(text: str) -> bool:
    """Whether `text` can be a media id at all (anything else names no media)."""
    return _MEDIA_ID.fullmatch(text) is not None


def is_sha256(text: str) -> bool:
    """Whether `text` is standard base64 of exactly 32 bytes."""
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, purpose: str, project_id: str, media_id: str, expires: int) -> str:
    message = f"{purpose}\n{project_id}\n{media_id}\n{expires}".encode()
    return _b64(hmac.new(key, message, hashlib.sha256).digest())


def sign(key: bytes, purpose: str, project_id: str, media_id: str, expires: int) -> str:
    """A token for one media, one purpose (upload or download), valid until `expires` (s)."""
    signature = _signature(key, purpose, project_id, media_id, expires)
    return f"{_b64(project_id.encode())}.{expires}.{signature}"


def verify(key: bytes, token: str, purpose: str, media_id: str, now_s: int) -> str:
    """The project a token was signed for; ForbiddenError saying why when it does not hold."""
    if not token:
        raise ForbiddenError(f"The media {purpose} URL has no token: use the URL as answered")
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        raise ForbiddenError(f"Invalid media {purpose} token: it is not one this server signed")
    try:
        project_id = _unb64(parts[0]).decode()
    except (binascii.Error, ValueError):
        raise ForbiddenError(
            f"Invalid media {purpose} token: it is not one this server signed"
        ) from None
    expires = int(parts[1])
    expected = _signature(key, purpose, project_id, media_id, expires)
    if not hmac.compare_digest(expected, parts[2]):
        raise ForbiddenError(
            f"Invalid media {purpose} token: its signature does not match this media"
        )
    if now_s >= expires:
        raise ForbiddenError(
            f"The media {purpose} URL has expired; ask for a new one "
            f"({'POST /api/public/media' if purpose == UPLOAD else 'GET /api/public/media/{mediaId}'})"
        )
    return project_id


_EXTENSIONS = {
    "image/svg+xml": "svg",
    "text/plain": "txt",
    "text/markdown": "md",
    "text/x-python": "py",
    "text/x-typescript": "ts",
    "application/javascript": "js",
    "audio/mpeg": "mp3",
    "video/quicktime": "mov",
    "video/x-msvideo": "avi",
    "video/x-matroska": "mkv",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.apache.parquet": "parquet",
    "application/gzip": "gz",
    "application/x-7z-compressed": "7z",
    "application/octet-stream": "bin",
}


def file_name(media_id: str, content_type: str) -> str:
    """`<id>.<extension>` for a download, the extension named after the type."""
    subtype = content_type.partition("/")[2].removeprefix("x-")
    return f"{media_id}.{_EXTENSIONS.get(content_type, subtype)}"
