"""Hand-built SpanData for mapping tests."""

from __future__ import annotations

from typing import Any

from powerrag.ingest.otlp import Scope, SpanData

T0 = 1_763_900_000_000_000_000  # ns, 2025-11-23


def span(
    attrs: dict[str, Any] | None = None,
    *,
    name: str = "op",
    parent: str | None = None,
    scope: str = "langfuse-sdk",
    resource: dict[str, Any] | None = None,
    status: int = 0,
    message: str = "",
    events: list[tuple[str, int | None, dict[str, Any]]] | None = None,
    span_id: str = "00000000000000a1",
    trace_id: str = "0000000000000000000000000000abcd",
) -> SpanData:
    return SpanData(
        trace_id=trace_id,
        span_id=span_id,
        parent_span_id=parent,
        name=name,
        start_ns=T0,
        end_ns=T0 + 1_500_000_000,
        status_code=status,
        status_message=message,
        attributes=attrs or {},
        resource=resource or {},
        scope=Scope(scope, "1.0.0", {}),
        events=events or [],
    )
