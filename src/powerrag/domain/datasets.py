"""Datasets, their items, and the runs (experiments) that execute them, as Langfuse has them.

Values (input, expected output, metadata) are kept as JSON text, as the store keeps them.
A dataset run's id is Langfuse's stable experiment id, so the run an SDK's dataset-run-item
call creates and the run its OpenTelemetry experiment attributes name are the same run
(web/src/features/datasets/server/publicDatasetService.ts, `createStableExperimentId`, and
langfuse-python `_create_experiment_id`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

STATUSES = ("ACTIVE", "ARCHIVED")
# Langfuse's `publicApiIdSchema`: an item id sent by a client is 1 to 255 characters.
MAX_ITEM_ID = 255
MAX_NAME = 255


@dataclass(frozen=True, slots=True)
class Dataset:
    id: str
    project_id: str
    name: str
    description: str | None
    metadata: str | None
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class DatasetItem:
    id: str
    project_id: str
    dataset_id: str
    dataset_name: str
    status: str
    input: str | None
    expected_output: str | None
    metadata: str | None
    source_trace_id: str | None
    source_observation_id: str | None
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class DatasetRun:
    id: str
    project_id: str
    dataset_id: str
    dataset_name: str
    name: str
    description: str | None
    metadata: str | None
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class DatasetRunItem:
    id: str
    project_id: str
    run_id: str
    run_name: str
    dataset_item_id: str
    trace_id: str
    observation_id: str | None
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class ExperimentLink:
    """An SDK's experiment span (Python SDK 5): its run and item, and the trace it ran in."""

    experiment_id: str
    run_name: str
    dataset_id: str
    dataset_item_id: str
    trace_id: str
    observation_id: str | None
    description: str | None
    metadata: str | None
    timestamp: int


def stable_run_id(project_id: str, dataset_id: str, run_name: str) -> str:
    """Langfuse's experiment id: the first 16 hex digits of SHA-256 of the JSON triple."""
    payload = json.dumps(
        ["langfuse-experiment-v1", project_id, dataset_id, run_name],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
