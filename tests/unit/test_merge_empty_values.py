"""A later update's empty string does not erase a trace field (`domain.merge.merge_trace`)."""

from __future__ import annotations

from powerrag.domain.merge import merge_trace
from powerrag.domain.records import TraceUpdate


def test_an_empty_string_keeps_the_earlier_value() -> None:
    merged = merge_trace(
        [
            TraceUpdate("t", "a", 100, name="root", user_id="u", session_id="s"),
            TraceUpdate("t", "b", 200, name="", user_id="", session_id=None),
        ]
    )
    assert (merged.name, merged.user_id, merged.session_id) == ("root", "u", "s")
