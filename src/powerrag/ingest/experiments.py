"""Python SDK 5's experiment spans: which dataset run and item a trace executed.

Langfuse v4 SDKs no longer call `POST /api/public/dataset-run-items`; `run_experiment`
puts the run and item on the item's spans as `langfuse.experiment.*` attributes
(langfuse-python `_client/attributes.py`, `LangfuseOtelSpanAttributes.EXPERIMENT_*`), and
the server links them on ingestion. Only the item's root span (the task span the
attributes name, or the trace's root) links, so a child span adds nothing.
"""

from __future__ import annotations

from powerrag.domain.datasets import ExperimentLink
from powerrag.ingest.otlp import SpanData
from powerrag.ingest.values import as_str, to_json_text

_P = "langfuse.experiment."


def experiment_link(span: SpanData) -> ExperimentLink | None:
    attrs = span.attributes
    experiment_id = as_str(attrs.get(_P + "id"))
    dataset_id = as_str(attrs.get(_P + "dataset.id"))
    item_id = as_str(attrs.get(_P + "item.id"))
    if not experiment_id or not dataset_id or not item_id:
        return None
    root = as_str(attrs.get(_P + "item.root_observation_id"))
    if span.span_id != root and span.parent_span_id is not None:
        return None
    return ExperimentLink(
        experiment_id=experiment_id,
        run_name=as_str(attrs.get(_P + "name")) or experiment_id,
        dataset_id=dataset_id,
        dataset_item_id=item_id,
        trace_id=span.trace_id,
        observation_id=root or span.span_id,
        description=as_str(attrs.get(_P + "description")),
        metadata=to_json_text(attrs.get(_P + "metadata")),
        timestamp=(span.start_ns or 0) // 1000,
    )
