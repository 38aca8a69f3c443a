"""The convention by which a trace ends its session from the SDKs as they are.

A trace whose metadata has `powerrag.session.end` set to true (or the string "true"), or
which carries the tag `powerrag.session.end`, asks PowerRAG to end its session at the next
pass of the background worker (docs/evaluation.md). The Langfuse SDKs send trace metadata
as a JSON object (batch events) or as `langfuse.trace.metadata.*` span attributes (OTel),
which arrive as a flat key, a nested object or under `attributes`: all three are read.
"""

from __future__ import annotations

from typing import Any

from powerrag.domain.records import TraceUpdate

END_KEY = "powerrag.session.end"
END_TAG = END_KEY
# A project's own idle timeout in seconds, overriding `session_idle_seconds`: the key of its
# options (`projects.metadata`, project_options.py), and the values it may take.
IDLE_OPTION = "sessionIdleSeconds"
IDLE_SECONDS_RANGE = (10, 90 * 24 * 3600)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _in(metadata: Any) -> bool:
    if not isinstance(metadata, dict):
        return False
    if _truthy(metadata.get(END_KEY)):
        return True
    nested: Any = metadata
    for part in END_KEY.split("."):
        nested = nested.get(part) if isinstance(nested, dict) else None
    return _truthy(nested) or _in(metadata.get("attributes"))


def asks_to_end(update: TraceUpdate) -> bool:
    return END_TAG in update.tags or _in(update.metadata)
