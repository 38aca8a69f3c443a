"""View models of the datasets pages, and the word diff of two runs' outputs.

Values are shown as text: a string as it is, a chat message as its content, anything else
as indented JSON. The comparison diffs each run's output against the first (oldest) run's,
word by word (difflib), so a changed answer reads at a glance; Jinja escapes every piece.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

import orjson

from powerrag.domain import transcript
from powerrag.domain.datasets import DatasetItem
from powerrag.domain.timeutil import duration_seconds, to_iso
from powerrag.query.dataset_views import (
    Comparison,
    DatasetDetail,
    DatasetSummary,
    RunCell,
    RunSummary,
)

_WORDS = re.compile(r"\s+|[^\s]+")


def _value(raw: str | None) -> Any:
    return None if raw is None else orjson.loads(raw)


def as_text(raw: str | None) -> str:
    """A stored JSON value as the text a reader compares."""
    value = _value(raw)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    said = transcript.messages_of(value, "assistant")
    if len(said) == 1 and not isinstance(value, list):
        return said[0].text
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def as_json(raw: str | None) -> str:
    """A stored JSON value as editable JSON text (empty for none)."""
    value = _value(raw)
    return "" if value is None else json.dumps(value, ensure_ascii=False, indent=2)


def diff(base: str, other: str) -> list[dict[str, str]]:
    """`other` against `base` in pieces: {"op": "same" | "added" | "removed", "text"}."""
    a, b = _WORDS.findall(base), _WORDS.findall(other)
    pieces: list[dict[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            pieces.append({"op": "removed", "text": "".join(a[i1:i2])})
        if op in ("insert", "replace"):
            pieces.append({"op": "added", "text": "".join(b[j1:j2])})
        if op == "equal":
            pieces.append({"op": "same", "text": "".join(a[i1:i2])})
    return pieces


def summary_view(found: DatasetSummary) -> dict[str, Any]:
    d = found.dataset
    return {
        "id": d.id,
        "name": d.name,
        "description": d.description,
        "itemCount": found.active_items,
        "runCount": found.runs,
        "createdAt": to_iso(d.created_at),
    }


def item_view(item: DatasetItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "status": item.status,
        "input": as_json(item.input),
        "expectedOutput": as_json(item.expected_output),
        "metadata": as_json(item.metadata),
        "sourceTraceId": item.source_trace_id,
        "updatedAt": to_iso(item.updated_at),
    }


def run_view(found: RunSummary) -> dict[str, Any]:
    r = found.run
    return {
        "id": r.id,
        "name": r.name,
        "description": r.description,
        "itemCount": found.item_count,
        "scores": found.scores,
        "createdAt": to_iso(r.created_at),
    }


def detail_view(found: DatasetDetail) -> dict[str, Any]:
    d = found.dataset
    return {
        "dataset": {"id": d.id, "name": d.name, "description": d.description},
        "items": [item_view(i) for i in found.items],
        "runs": [run_view(r) for r in found.runs],
    }


def _cell_view(cell: RunCell | None, base: str | None) -> dict[str, Any] | None:
    if cell is None:
        return None
    trace = cell.trace
    output = as_text(trace.output) if trace else ""
    scores = {s.name: s.value if s.string_value is None else s.string_value for s in cell.scores}
    return {
        "traceId": cell.link.trace_id,
        "output": output,
        "diff": diff(base, output) if base is not None else None,
        "latencySeconds": duration_seconds(trace.timestamp, trace.end_time) if trace else None,
        "totalCost": trace.total_cost if trace else None,
        "scores": scores,
    }


def comparison_view(found: Comparison) -> dict[str, Any]:
    rows = []
    for compared in found.items:
        first = compared.cells[0]
        base = as_text(first.trace.output) if first and first.trace else None
        cells = [_cell_view(compared.cells[0], None)]
        cells += [_cell_view(c, base) for c in compared.cells[1:]]
        rows.append(
            {
                "item": item_view(compared.item),
                "expected": as_text(compared.item.expected_output),
                "cells": cells,
            }
        )
    d = found.dataset
    return {
        "dataset": {"id": d.id, "name": d.name},
        "runs": [run_view(r) for r in found.runs],
        "rows": rows,
    }
