"""Log lines as text or JSON, each carrying the id of the request that wrote it.

The request id (`X-Request-Id`, powerrag/request_ids.py) lives in a context variable for
the request's duration; `RequestIdFilter` copies it onto every record, so a line logged
while a request is handled, in its task or a thread it started, names it. In JSON each
line is one object: time, level, logger, message, requestId (when there is one) and the
exception's traceback (when there is one).
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

FORMATS = ("text", "json")
request_id: ContextVar[str | None] = ContextVar("powerrag_request_id", default=None)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        found = getattr(record, "request_id", None)
        if found:
            line["requestId"] = found
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


def check_format(name: str) -> str:
    if name not in FORMATS:
        raise ValueError(f"POWERRAG_LOG_FORMAT: expected text or json, got {name!r}")
    return name


def uvicorn_log_config(log_format: str, level: str) -> dict[str, Any] | None:
    """`uvicorn.run(log_config=...)`: None keeps uvicorn's text lines; `json` sends every
    logger (uvicorn's and PowerRAG's) through one JSON handler on standard error."""
    if check_format(log_format) == "text":
        return None
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": True},
        },
        "root": {"handlers": ["json"], "level": level.upper()},
    }
