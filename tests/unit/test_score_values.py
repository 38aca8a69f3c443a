"""The score value rules of `powerrag.domain.scores`, one data type at a time (issue 11)."""

from __future__ import annotations

import math

import pytest

from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.scores import is_v1, shown_value, typed_value, value_from_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.5, ("NUMERIC", 0.5, None)),
        (3, ("NUMERIC", 3.0, None)),
        (True, ("NUMERIC", 1.0, None)),
        (False, ("NUMERIC", 0.0, None)),
        ("good", ("CATEGORICAL", 0.0, "good")),
    ],
)
def test_without_a_data_type_a_string_is_categorical_and_anything_else_numeric(
    value: object, expected: tuple[str, float | None, str | None]
) -> None:
    result = typed_value(None, value)
    assert result == expected
    assert type(result[1]) is float


@pytest.mark.parametrize(
    ("data_type", "value", "expected"),
    [
        ("NUMERIC", 2, ("NUMERIC", 2.0, None)),
        ("NUMERIC", -1.25, ("NUMERIC", -1.25, None)),
        ("BOOLEAN", 1, ("BOOLEAN", 1.0, "True")),
        ("BOOLEAN", 0, ("BOOLEAN", 0.0, "False")),
        ("BOOLEAN", True, ("BOOLEAN", 1.0, "True")),
        ("BOOLEAN", False, ("BOOLEAN", 0.0, "False")),
        ("CATEGORICAL", "a b", ("CATEGORICAL", 0.0, "a b")),
        ("TEXT", "x", ("TEXT", None, "x")),
        ("TEXT", "y" * 500, ("TEXT", None, "y" * 500)),
        ("CORRECTION", "", ("CORRECTION", None, "")),
        ("CORRECTION", "z" * 600, ("CORRECTION", None, "z" * 600)),
    ],
)
def test_each_data_type_keeps_its_number_and_label(
    data_type: str, value: object, expected: tuple[str, float | None, str | None]
) -> None:
    assert typed_value(data_type, value) == expected


@pytest.mark.parametrize(
    ("data_type", "value", "message"),
    [
        ("SCALE", 1, "score.dataType must be one of NUMERIC, CATEGORICAL, BOOLEAN, TEXT, "),
        ("NUMERIC", "1", "a NUMERIC score needs a finite number as value, got '1'"),
        ("NUMERIC", math.inf, "a NUMERIC score needs a finite number as value, got inf"),
        ("NUMERIC", math.nan, "a NUMERIC score needs a finite number as value, got nan"),
        ("NUMERIC", None, "a NUMERIC score needs a finite number as value, got None"),
        ("BOOLEAN", 2, "a BOOLEAN score's value must be 0 or 1, got 2"),
        ("BOOLEAN", "true", "a BOOLEAN score's value must be 0 or 1, got 'true'"),
        ("CATEGORICAL", 1, "a CATEGORICAL score needs a string as value, got 1"),
        ("CATEGORICAL", "  ", "a CATEGORICAL score needs a string as value, got '  '"),
        ("TEXT", 1, "a TEXT score needs a string as value, got 1"),
        ("TEXT", "", "a TEXT score's value must have 1 to 500 characters"),
        ("TEXT", "y" * 501, "a TEXT score's value must have 1 to 500 characters"),
        ("CORRECTION", None, "a CORRECTION score needs a string as value, got None"),
    ],
)
def test_a_wrong_value_says_what_is_wrong(data_type: str, value: object, message: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        typed_value(data_type, value)
    assert str(caught.value).startswith(message)


def test_the_data_type_error_names_every_type_and_the_one_given() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        typed_value("SCALE", 1)
    assert str(caught.value) == (
        "score.dataType must be one of NUMERIC, CATEGORICAL, BOOLEAN, TEXT, CORRECTION, got 'SCALE'"
    )


@pytest.mark.parametrize(
    ("data_type", "text", "expected"),
    [
        ("NUMERIC", "2.5", 2.5),
        ("NUMERIC", " -3 ", -3.0),
        ("BOOLEAN", "true", True),
        ("BOOLEAN", "TRUE", True),
        ("BOOLEAN", "1", True),
        ("BOOLEAN", "False", False),
        ("BOOLEAN", "0", False),
        ("CATEGORICAL", "  good ", "good"),
        ("TEXT", " a note\n", "a note"),
    ],
)
def test_a_form_value_becomes_the_json_value_of_its_type(
    data_type: str, text: str, expected: object
) -> None:
    value = value_from_text(data_type, text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("data_type", "text", "message"),
    [
        ("NUMERIC", "two", "a numeric score needs a number, got 'two'"),
        ("BOOLEAN", "yes", "a boolean score is true or false, got 'yes'"),
    ],
)
def test_a_form_value_that_does_not_fit_its_type_is_refused(
    data_type: str, text: str, message: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        value_from_text(data_type, text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("data_type", "value", "label", "expected"),
    [
        ("NUMERIC", 0.5, None, 0.5),
        ("BOOLEAN", 1.0, "True", True),
        ("BOOLEAN", 0.0, "False", False),
        ("BOOLEAN", None, None, None),
        ("CATEGORICAL", 0.0, "good", "good"),
        ("TEXT", None, "note", "note"),
    ],
)
def test_a_stored_value_reads_back_as_its_type(
    data_type: str, value: float | None, label: str | None, expected: object
) -> None:
    shown = shown_value(data_type, value, label)
    assert shown == expected
    assert type(shown) is type(expected)


def test_v1_scores_need_a_trace_and_are_never_corrections() -> None:
    assert is_v1("t1", "NUMERIC") is True
    assert is_v1("t1", "TEXT") is True
    assert is_v1("t1", "CORRECTION") is False
    assert is_v1(None, "NUMERIC") is False
    assert is_v1("", "NUMERIC") is False
