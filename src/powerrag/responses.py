"""JSON responses rendered with orjson (fast, and datetimes never reach it)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


class FastJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def json_response(
    content: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> FastJSONResponse:
    return FastJSONResponse(content, status_code=status_code, headers=headers)
