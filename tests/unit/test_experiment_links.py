"""Which spans link a trace to a dataset run (ingest/experiments.py): the item's root span
or the task span the attributes name; never a child span, never a span missing the run,
the dataset or the item."""

from __future__ import annotations

from typing import Any

from powerrag.domain.datasets import ExperimentLink
from powerrag.ingest.experiments import experiment_link
from powerrag.ingest.otlp import Scope, SpanData

P = "langfuse.experiment."
ATTRS = {
    P + "id": "0123456789abcdef",
    P + "name": "nightly",
    P + "dataset.id": "ds-1",
    P + "item.id": "case-1",
    P + "item.root_observation_id": "task",
    P + "metadata": '{"model":"v2"}',
    P + "description": "second model",
}


def _span(span_id: str, parent: str | None, attrs: dict[str, Any]) -> SpanData:
    return SpanData(
        trace_id="t" * 32,
        span_id=span_id,
        parent_span_id=parent,
        name="experiment-item-task",
        start_ns=1_700_000_000_000_000_000,
        end_ns=None,
        status_code=0,
        status_message="",
        attributes=attrs,
        resource={},
        scope=Scope("langfuse-sdk", "5.0.4", {}),
    )


def test_the_task_span_and_the_root_link_and_a_child_does_not() -> None:
    expected = ExperimentLink(
        "0123456789abcdef",
        "nightly",
        "ds-1",
        "case-1",
        "t" * 32,
        "task",
        "second model",
        '{"model":"v2"}',
        1_700_000_000_000_000,
    )
    assert experiment_link(_span("task", "root", ATTRS)) == expected
    assert experiment_link(_span("root", None, ATTRS)) == expected
    assert experiment_link(_span("llm-call", "task", ATTRS)) is None


def test_a_span_without_its_run_dataset_or_item_links_nothing() -> None:
    for missing in ("id", "dataset.id", "item.id"):
        attrs = {k: v for k, v in ATTRS.items() if k != P + missing}
        assert experiment_link(_span("task", "root", attrs)) is None, missing
