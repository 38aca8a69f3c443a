"""Microsecond timestamps and their ISO 8601 forms (`powerrag.domain.timeutil`)."""

from __future__ import annotations

import pytest

from powerrag.domain.timeutil import (
    MAX_TIME_US,
    MIN_TIME_US,
    duration_seconds,
    in_range,
    parse_iso,
    to_iso,
)

T = 1_700_000_000_123_456  # 2023-11-14T22:13:20.123456Z


def test_iso_has_milliseconds_and_a_z() -> None:
    assert to_iso(T) == "2023-11-14T22:13:20.123Z"
    assert to_iso(0) == "1970-01-01T00:00:00.000Z"
    assert to_iso(5_000) == "1970-01-01T00:00:00.005Z"
    assert to_iso(None) is None


@pytest.mark.parametrize(
    "text",
    [
        "2023-11-14T22:13:20.123456Z",
        "2023-11-14T22:13:20.123456z",
        " 2023-11-14T22:13:20.123456Z ",
        "2023-11-14T22:13:20.123456+00:00",
        "2023-11-14T23:13:20.123456+01:00",
        "2023-11-14T22:13:20.123456",
    ],
)
def test_parse_reads_offsets_z_and_naive_as_utc(text: str) -> None:
    assert parse_iso(text) == T


def test_parse_names_the_text_it_cannot_read() -> None:
    with pytest.raises(ValueError) as caught:
        parse_iso("yesterday")
    assert str(caught.value) == "not an ISO 8601 datetime: 'yesterday'"


def test_the_plausible_range_is_1990_to_2200_inclusive() -> None:
    assert MIN_TIME_US == parse_iso("1990-01-01T00:00:00Z") == 631_152_000_000_000
    assert MAX_TIME_US == parse_iso("2200-01-01T00:00:00Z") == 7_258_118_400_000_000
    assert in_range(MIN_TIME_US) and in_range(MAX_TIME_US) and in_range(T)
    assert not in_range(MIN_TIME_US - 1)
    assert not in_range(MAX_TIME_US + 1)


def test_a_duration_is_in_seconds_and_unknown_without_both_ends() -> None:
    assert duration_seconds(T, T + 1_500_000) == 1.5
    assert duration_seconds(T + 1_000_000, T) == -1.0
    assert duration_seconds(None, T) is None
    assert duration_seconds(T, None) is None
