"""Content events whose span never comes are deleted after PENDING_HOURS, by the
project's next logs request; content whose span is stored stays with it."""

from __future__ import annotations

from sqlalchemy import select

from powerrag.domain.records import IngestBatch
from powerrag.domain.timeutil import now_us
from powerrag.ingest.otlp_logs import decode_otlp_logs_request
from powerrag.ingest.otlp_request import decode_otlp_request
from powerrag.store import span_contents
from powerrag.store.database import Store
from powerrag.store.infra.schema import span_content_events
from tests.support.genai_logs import chat_events, chat_span_body, protobuf_logs_body
from tests.support.project import PROJECT_ID

LIMIT = 1 << 20
HOUR_US = 3_600_000_000
PENDING, MATCHED, LATE = "a2" * 8, "b2" * 8, "c2" * 8


def _logs(span_id: str) -> IngestBatch:
    body = protobuf_logs_body(chat_events("f1" * 16, span_id))
    return decode_otlp_logs_request(
        body, content_type="application/x-protobuf", content_encoding=None, max_bytes=LIMIT
    )


def _span(span_id: str) -> IngestBatch:
    return decode_otlp_request(
        chat_span_body("f1" * 16, span_id),
        content_type="application/json",
        content_encoding=None,
        ingestion_version=None,
        max_bytes=LIMIT,
    )


def _spans_with_events(store: Store) -> dict[str, int]:
    found: dict[str, int] = {}
    with store.connect() as conn:
        for (span_id,) in conn.execute(select(span_content_events.c.observation_id)):
            found[span_id] = found.get(span_id, 0) + 1
    return found


def test_unmatched_content_is_deleted_after_a_day(store: Store) -> None:
    store.write_batches([(PROJECT_ID, _logs(PENDING)), (PROJECT_ID, _logs(MATCHED))])
    store.write_batches([(PROJECT_ID, _span(MATCHED))])
    start = now_us()
    assert span_contents.PENDING_HOURS == 24
    with store.transaction() as conn:
        assert span_contents.prune(conn, PROJECT_ID, start + 23 * HOUR_US) == 0
    assert _spans_with_events(store) == {PENDING: 6, MATCHED: 6}
    # The next logs request after the limit deletes what waited that long, not its own.
    with store.transaction() as conn:
        late = _logs(LATE).span_contents
        span_contents.write_events(conn, PROJECT_ID, late, start + 25 * HOUR_US)
    assert _spans_with_events(store) == {MATCHED: 6, LATE: 6}
