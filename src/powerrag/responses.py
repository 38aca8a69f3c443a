"""JSON responses rendered with orjson (fast, and datetimes never reach it), and files served
as stored (media bytes, a value whole) by the API and the UI alike."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse, Response

from powerrag.domain.media import ACTIVE_TYPES

# A served file is never a page of this site: no script, no plugin, no framing, and a
# unique origin (sandbox), so an uploaded SVG or HTML file cannot act as PowerRAG.
FILE_CSP = (
    "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox"
)


class FastJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def json_response(
    content: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> FastJSONResponse:
    return FastJSONResponse(content, status_code=status_code, headers=headers)


def file_response(
    content: bytes,
    content_type: str,
    filename: str,
    *,
    attachment: bool = False,
    cache: str = "private, max-age=3600",
) -> Response:
    """The bytes with their exact type, never sniffed; types a browser would run script in
    (HTML, SVG, XML, JavaScript, CSS) always as an attachment."""
    mime = content_type.split(";")[0].strip().lower()
    disposition = "attachment" if attachment or mime in ACTIVE_TYPES else "inline"
    headers = {
        "content-type": content_type,
        "content-disposition": f'{disposition}; filename="{filename}"',
        "x-content-type-options": "nosniff",
        "content-security-policy": FILE_CSP,
        "cache-control": cache,
        "referrer-policy": "no-referrer",
    }
    return Response(content, headers=headers)
