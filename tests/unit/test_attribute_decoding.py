"""Trace-level values are JSON-decoded exactly where their sender JSON-encoded them.

Python SDK 5 (ingestion version 4) JSON-encodes every metadata value, strings included;
Python SDK 3/4 and the JS SDKs send metadata strings raw; no SDK encodes the top-level
attributes (src/powerrag/ingest/trace_attrs.py). Each case holds a value whose reading
differs between the two rules, so applying the wrong one to either sender shows.
"""

from __future__ import annotations

from typing import Any

import pytest

from powerrag.domain.records import TraceUpdate
from powerrag.ingest.semconv import map_span
from tests.support.spans import span

TRACE_META = "langfuse.trace.metadata."
OBS_META = "langfuse.observation.metadata."


def _update(attrs: dict[str, Any], version: int | None) -> TraceUpdate:
    update = map_span(span(attrs, name="root"), ingestion_version=version).trace_update
    assert update is not None
    return update


@pytest.mark.parametrize(
    ("prefix", "sent", "version", "expected"),
    [
        # Python SDK 5: metadata {"langfuse_session_id": "chat-1"} arrives JSON-encoded.
        (TRACE_META, '"chat-1"', 4, "chat-1"),
        (OBS_META, '"chat-1"', 4, "chat-1"),
        (TRACE_META, '"会话-1"', 4, "会话-1"),
        # ... an int id (metadata {"langfuse_session_id": 123}) is its digits.
        (TRACE_META, "123", 4, "123"),
        # ... an id that really holds quotes was encoded once more: one decode keeps them.
        (TRACE_META, '"\\"x\\""', 4, '"x"'),
        # ... text that is not JSON (another sender claiming version 4) stays as sent.
        (TRACE_META, "chat-1", 4, "chat-1"),
        # Python SDK 3/4, JS: strings are raw, so quotes sent are part of the id.
        (TRACE_META, '"chat-1"', None, '"chat-1"'),
        (TRACE_META, "1e2", None, "1e2"),
        (OBS_META, '"x"', 3, '"x"'),
    ],
)
def test_metadata_session_id_is_decoded_only_for_the_sdk_that_encodes_it(
    prefix: str, sent: str, version: int | None, expected: str
) -> None:
    update = _update({f"{prefix}langfuse_session_id": sent}, version)
    assert update.session_id == expected


def test_python_sdk_3_native_int_metadata_session_id_is_its_digits() -> None:
    assert _update({f"{TRACE_META}langfuse_session_id": 123}, None).session_id == "123"


@pytest.mark.parametrize(
    ("sent", "version", "expected"),
    [('"user-1"', 4, "user-1"), ('"user-1"', None, '"user-1"'), ("42", 4, "42")],
)
def test_metadata_user_id_follows_the_same_rule(
    sent: str, version: int | None, expected: str
) -> None:
    assert _update({f"{OBS_META}langfuse_user_id": sent}, version).user_id == expected


@pytest.mark.parametrize("version", [None, 4])
@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("session.id", "session_id"),
        ("langfuse.session.id", "session_id"),
        ("user.id", "user_id"),
        ("langfuse.trace.name", "name"),
        ("langfuse.release", "release"),
        ("langfuse.version", "version"),
    ],
)
def test_top_level_attributes_are_raw_for_every_sdk(
    key: str, field: str, version: int | None
) -> None:
    """`propagate_attributes(session_id='"x"')` sends '"x"' raw, in Python SDK 5 too."""
    assert getattr(_update({key: '"x"'}, version), field) == '"x"'


def test_a_top_level_id_wins_over_an_encoded_metadata_id() -> None:
    attrs = {"session.id": "from-attribute", f"{TRACE_META}langfuse_session_id": '"from-meta"'}
    assert _update(attrs, 4).session_id == "from-attribute"


@pytest.mark.parametrize(
    ("sent", "version", "expected"),
    [
        ('["a","b"]', 4, ("a", "b")),
        ('"solo"', 4, ("solo",)),
        ('"a,b"', 4, ("a", "b")),
        ('"solo"', None, ('"solo"',)),
        ('["a","b"]', None, ("a", "b")),
    ],
)
def test_metadata_tags_are_decoded_by_the_same_rule(
    sent: str, version: int | None, expected: tuple[str, ...]
) -> None:
    assert _update({f"{TRACE_META}langfuse_tags": sent}, version).tags == expected


def test_the_decoded_value_is_kept_in_the_trace_metadata() -> None:
    update = _update({f"{TRACE_META}langfuse_session_id": '"chat-1"'}, 4)
    assert update.metadata["langfuse_session_id"] == "chat-1"
