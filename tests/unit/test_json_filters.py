"""The JSON `filter` parameter's refusals: each names the condition and what was wrong."""

from __future__ import annotations

import pytest

from powerrag.api.json_filters import score_json_filter, trace_json_filter
from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.filters import ScoreFilter, TimeRange, TraceFilter

REFUSED = [
    ("{}", "filter must be a JSON array of conditions"),
    ("[1", "filter must be a JSON array of conditions, got '[1'"),
    (
        '[{"type": "regex", "column": "name", "operator": "=", "value": "x"}]',
        "filter[0]: type must be one of",
    ),
    (
        '[{"type": "string", "column": "name", "operator": "is", "value": "x"}]',
        "filter[0]: operator for string must be one of =, contains",
    ),
    (
        '[{"type": "string", "column": "name", "operator": "=", "value": 3}]',
        "filter[0]: value must be a string",
    ),
    (
        '[{"type": "datetime", "column": "timestamp", "operator": ">", "value": "yesterday"}]',
        "filter[0]: value is not an ISO 8601 datetime: 'yesterday'",
    ),
    (
        '[{"type": "stringObject", "column": "metadata", "operator": "=", "value": "x"}]',
        "filter[0]: type stringObject needs a string key",
    ),
    (
        '[{"type": "string", "column": "name", "operator": "=", "value": "a"},'
        ' {"type": "stringObject", "column": "metadata", "key": "k", "operator": "=", "value": "x"}]',
        "filter[1] (stringObject 'metadata' '='): column 'metadata' is not supported on traces; supported: id, name,",
    ),
    (
        '[{"type": "string", "column": "name", "operator": "starts with", "value": "a"}]',
        "filter[0] (string 'name' 'starts with'): string 'starts with' is not supported on column 'name'; supported: string =",
    ),
    (
        '[{"type": "string", "column": "name", "operator": "=", "value": "a"},'
        ' {"type": "string", "column": "Name", "operator": "=", "value": "b"}]',
        "filter[1] (string 'Name' '='): another condition already constrains 'Name'",
    ),
]


@pytest.mark.parametrize(("raw", "message"), REFUSED)
def test_refusals_name_the_condition(raw: str, message: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        trace_json_filter(TraceFilter(), raw)
    assert str(caught.value).startswith(message)


def test_absent_or_empty_filter_keeps_the_plain_parameters() -> None:
    plain = TraceFilter(name="chat", timestamp=TimeRange(1, 2))
    assert trace_json_filter(plain, None) == plain
    assert trace_json_filter(plain, "[]") == plain


def test_a_json_time_bound_replaces_the_plain_range() -> None:
    plain = TraceFilter(timestamp=TimeRange(5, 50))
    raw = '[{"type": "datetime", "column": "timestamp", "operator": ">", "value": "1970-01-01T00:00:00.000010Z"}]'
    assert trace_json_filter(plain, raw).timestamp == TimeRange(11, None)


def test_score_value_comparison() -> None:
    raw = '[{"type": "number", "column": "value", "operator": "<=", "value": 3}]'
    assert score_json_filter(ScoreFilter(), raw).value == ("<=", 3.0)
