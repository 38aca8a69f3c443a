"""Batch ingestion events and score bodies: accepted or refused one by one, with reasons."""

from __future__ import annotations

import pytest

from powerrag.domain.errors import InvalidRequestError
from powerrag.ingest.batch import decode_batch
from powerrag.ingest.scores import score_from_body

TS = "2026-11-23T10:00:00.000Z"


def _event(kind: str, body: dict[str, object], event_id: str = "e1") -> dict[str, object]:
    return {"id": event_id, "type": kind, "timestamp": TS, "body": body}


def test_each_event_is_judged_on_its_own() -> None:
    batch = decode_batch(
        {
            "batch": [
                _event("trace-create", {"id": "t1", "name": "n", "sessionId": "s"}, "ok-1"),
                _event("score-create", {"name": "q", "value": 1, "traceId": "t1"}, "ok-2"),
                _event("nonsense-create", {}, "bad-1"),
                _event("score-create", {"name": "q", "value": 1}, "bad-2"),
                _event(
                    "span-create", {"id": "o1", "traceId": "t1", "startTime": "yesterday"}, "bad-3"
                ),
            ]
        }
    )
    assert batch.accepted_event_ids == ["ok-1", "ok-2"]
    errors = {e.id: e for e in batch.rejected_events}
    assert set(errors) == {"bad-1", "bad-2", "bad-3"}
    assert "unknown event type 'nonsense-create'" in errors["bad-1"].message
    assert "exactly one of traceId" in errors["bad-2"].message
    assert "startTime" in errors["bad-3"].message
    assert all(e.status == 400 for e in errors.values())


def test_updates_are_applied_after_creates() -> None:
    batch = decode_batch(
        {
            "batch": [
                _event("span-update", {"id": "o1", "output": {"a": 1}}, "u"),
                _event("span-create", {"id": "o1", "traceId": "t1", "name": "step"}, "c"),
            ]
        }
    )
    assert [p.fields.get("name") for p in batch.observation_patches] == ["step", None]


def test_public_key_alone_may_only_send_scores() -> None:
    batch = decode_batch(
        {"batch": [_event("trace-create", {"id": "t"}, "t"), _event("sdk-log", {}, "l")]},
        scores_only=True,
    )
    assert [e.status for e in batch.rejected_events] == [401, 401]


def test_batch_shape_is_checked() -> None:
    with pytest.raises(InvalidRequestError, match="batch"):
        decode_batch({"events": []})


@pytest.mark.parametrize(
    ("body", "data_type", "value", "string_value"),
    [
        ({"value": 0.9}, "NUMERIC", 0.9, None),
        ({"value": "good"}, "CATEGORICAL", 0.0, "good"),
        ({"value": 1, "dataType": "BOOLEAN"}, "BOOLEAN", 1.0, "True"),
        ({"value": 0, "dataType": "BOOLEAN"}, "BOOLEAN", 0.0, "False"),
        ({"value": "free text", "dataType": "TEXT"}, "TEXT", None, "free text"),
    ],
)
def test_score_data_types(
    body: dict[str, object], data_type: str, value: float | None, string_value: str | None
) -> None:
    score = score_from_body({"name": "s", "traceId": "t", **body}, default_id="d", timestamp=1)
    assert (score.data_type, score.value, score.string_value) == (data_type, value, string_value)
    assert score.id == "d"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "s", "traceId": "t", "value": 2, "dataType": "BOOLEAN"}, "0 or 1"),
        ({"name": "s", "traceId": "t", "value": "x", "dataType": "NUMERIC"}, "finite number"),
        ({"name": "", "traceId": "t", "value": 1}, "name"),
        ({"name": "s", "observationId": "o", "value": 1}, "exactly one"),
        ({"name": "s", "traceId": "t", "sessionId": "s", "value": 1}, "exactly one"),
    ],
)
def test_score_validation_says_what_is_wrong(body: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        score_from_body(body, default_id="d", timestamp=1)
