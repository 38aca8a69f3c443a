"""Trace merge rules: order-independent, later non-empty values win."""

from __future__ import annotations

import itertools

from powerrag.domain.merge import merge_trace
from powerrag.domain.records import TraceUpdate


def _updates() -> list[TraceUpdate]:
    return [
        TraceUpdate(
            "t", "a", 100, is_root=True, name="root", tags=("x",), metadata={"k": {"a": 1}}
        ),
        TraceUpdate("t", "b", 200, session_id="s-1", tags=("y",), metadata={"k": {"b": 2}}),
        TraceUpdate("t", "c", 300, name="renamed", public=True, user_id="u"),
        TraceUpdate("t", "d", 400, public=False, version="v2"),
    ]


def test_merge_is_independent_of_arrival_order() -> None:
    results = {repr(merge_trace(list(p))) for p in itertools.permutations(_updates())}
    assert len(results) == 1


def test_merge_rules() -> None:
    merged = merge_trace(_updates())
    assert merged.timestamp == 100
    assert merged.name == "renamed"
    assert merged.session_id == "s-1" and merged.user_id == "u" and merged.version == "v2"
    assert merged.public is True  # once public, a later span without the flag does not unpublish
    assert merged.tags == ["x", "y"]
    assert merged.metadata == {"k": {"a": 1, "b": 2}}


def test_resending_an_update_changes_nothing() -> None:
    updates = _updates()
    assert repr(merge_trace(updates)) == repr(merge_trace(updates + updates[:2]))
