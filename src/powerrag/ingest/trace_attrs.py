"""Trace-level attribute values (session and user ids, tags) decoded as each SDK encodes them.

Python SDK 5 (the one sender of `x-langfuse-ingestion-version: 4`) JSON-encodes every
metadata value, strings included (`_serialize_metadata_value` in langfuse 5.0.4,
`langfuse/_client/attributes.py`): metadata `langfuse_session_id = "chat-1"` arrives as
the attribute text `"chat-1"` with its quotes. Python SDK 3/4 send metadata strings raw and
ints natively, the JS SDKs strings raw and other values as JSON text, and no SDK encodes the
top-level attributes (`session.id`, `user.id`, `langfuse.trace.name`, `langfuse.version`,
`langfuse.release`, `langfuse.environment`): `propagate_attributes` sends them raw
(tests/data/sdk-traffic.md §4.2). So a value is JSON-decoded exactly when it is a metadata
value from an ingestion-version-4 sender; `123` or `"x"` from any other sender, or in a
top-level attribute, is the text it is.
"""

from __future__ import annotations

from typing import Any

from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.records import MAX_SESSION_ID, REFUSED_SESSION_KEY
from powerrag.ingest.values import as_str, parse_json_maybe

METADATA_PREFIXES = ("langfuse.observation.metadata.", "langfuse.trace.metadata.")


def attribute_value(attrs: JSONObject, key: str, json_values: bool) -> Any:
    """The value of `key`, JSON-decoded when its sender JSON-encoded it."""
    value = attrs.get(key)
    if json_values and isinstance(value, str) and key.startswith(METADATA_PREFIXES):
        return parse_json_maybe(value)
    return value


def first_text(attrs: JSONObject, keys: tuple[str, ...], json_values: bool) -> str | None:
    """The first non-empty value of `keys`, decoded; non-strings become their JSON text."""
    for key in keys:
        value = as_str(attribute_value(attrs, key, json_values))
        if value:
            return value
    return None


def refused_session_message(trace_id: str, session_id: str) -> str:
    """The warning for a session id too long to keep; the id itself may be huge, so it is
    named by its length and kept whole in the trace's metadata."""
    return (
        f"session id dropped from trace {trace_id}: {len(session_id)} characters, longer than "
        f"{MAX_SESSION_ID}; kept in the trace's metadata as {REFUSED_SESSION_KEY}"
    )
