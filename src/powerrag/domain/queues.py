"""Annotation queues: sessions, traces and observations waiting for a person's scores.

The shapes are Langfuse's (AnnotationQueue, AnnotationQueueItem in its openapi.yml).
"""

from __future__ import annotations

from dataclasses import dataclass

QUEUE_OBJECT_TYPES = ("TRACE", "OBSERVATION", "SESSION")
ITEM_STATUSES = ("PENDING", "COMPLETED")
MAX_QUEUE_NAME = 200


@dataclass(frozen=True, slots=True)
class AnnotationQueue:
    id: str
    project_id: str
    name: str
    description: str | None
    score_config_ids: tuple[str, ...]
    created_at: int
    updated_at: int
    # Items by status, filled where a list shows them (the UI's queue list).
    pending: int = 0
    completed: int = 0


@dataclass(frozen=True, slots=True)
class QueueItem:
    id: str
    project_id: str
    queue_id: str
    object_id: str
    object_type: str
    status: str
    completed_at: int | None
    created_at: int
    updated_at: int
