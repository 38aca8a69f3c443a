"""Working through an annotation queue in the UI: the item's subject, a score with one of
the queue's score configs (checked as every score is), the scores it already has.

A score given here is an ANNOTATION score of the item's object carrying the config and
queue ids, stored through the ingest pipeline as the replay's annotation scores are.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from powerrag.annotate import annotation_score
from powerrag.domain import transcript
from powerrag.domain.errors import InvalidRequestError
from powerrag.domain.filters import PageRequest, ScoreFilter
from powerrag.domain.queues import AnnotationQueue, QueueItem
from powerrag.domain.records import IngestBatch
from powerrag.domain.rows import ScoreRow
from powerrag.domain.score_configs import ScoreConfig
from powerrag.query import scores as score_reads
from powerrag.query.turns import turns_of
from powerrag.score_configs import check_score
from powerrag.store import score_configs
from powerrag.store.database import Store


@dataclass(frozen=True, slots=True)
class Subject:
    """What a queue item points at: its session, trace and observation, and environment."""

    session_id: str | None
    trace_id: str | None
    observation_id: str | None
    environment: str


def subject_of(store: Store, project_id: str, item: QueueItem) -> Subject:
    with store.reading() as data:
        if item.object_type == "SESSION":
            row = data.get_session(project_id, item.object_id)
            env = row.environment if row else "default"
            return Subject(item.object_id, None, None, env)
        if item.object_type == "TRACE":
            trace = data.get_trace(project_id, item.object_id, with_io=False)
            env = trace.environment if trace else "default"
            return Subject(None, item.object_id, None, env)
        found = data.get_observations(project_id, [item.object_id])
    if not found:
        return Subject(None, None, item.object_id, "default")
    return Subject(None, found[0].trace_id, item.object_id, found[0].environment)


# What the queue page shows of an item's conversation (the judges' de-duplicated transcript).
PREVIEW_MESSAGES = 40
PREVIEW_CHARS = 2000


def conversation_of(store: Store, project_id: str, item: QueueItem) -> list[transcript.Message]:
    """The item's messages in order, each once, clipped: what a reviewer reads to score it."""
    turns = turns_of(store, project_id, item.object_type, item.object_id)
    messages = transcript.conversation(turns)[:PREVIEW_MESSAGES]
    return [transcript.Message(m.role, m.text[:PREVIEW_CHARS]) for m in messages]


def queue_configs(store: Store, project_id: str, queue: AnnotationQueue) -> list[ScoreConfig]:
    """The queue's configs that still take scores, in the queue's order."""
    with store.connect() as conn:
        found = score_configs.configs_by_id(conn, project_id, queue.score_config_ids)
    return [found[i] for i in queue.score_config_ids if i in found and not found[i].is_archived]


def item_scores(store: Store, project_id: str, queue_id: str, subject: Subject) -> list[ScoreRow]:
    """The scores this queue gave the item's object."""
    if subject.observation_id:
        f = ScoreFilter(queue_ids=(queue_id,), observation_ids=(subject.observation_id,))
    elif subject.trace_id:
        f = ScoreFilter(queue_ids=(queue_id,), trace_ids=(subject.trace_id,))
    else:
        f = ScoreFilter(queue_ids=(queue_id,), session_ids=(subject.session_id or "",))
    return score_reads.list_scores(store, project_id, f, PageRequest(1, 100)).items


def config_score(
    store: Store,
    project_id: str,
    config: ScoreConfig,
    subject: Subject,
    *,
    value: str,
    comment: str,
    author: str,
    queue_id: str | None = None,
) -> IngestBatch:
    """A value typed into a form for this config, as an ANNOTATION score checked by it."""
    batch = annotation_score(
        name=config.name,
        # The form's text rules of a category hold for free text too; TEXT is set below.
        data_type="CATEGORICAL" if config.data_type == "TEXT" else config.data_type,
        value=value,
        comment=comment,
        session_id=subject.session_id,
        trace_id=subject.trace_id,
        environment=subject.environment,
        author=author,
    )
    record = dataclasses.replace(
        batch.scores[0],
        data_type=config.data_type,
        value=None if config.data_type == "TEXT" else batch.scores[0].value,
        observation_id=subject.observation_id,
        config_id=config.id,
        queue_id=queue_id,
    )
    return IngestBatch(scores=[check_score(store, project_id, record)])


def queue_score(
    store: Store,
    project_id: str,
    queue: AnnotationQueue,
    item: QueueItem,
    *,
    config_id: str,
    value: str,
    comment: str,
    author: str,
) -> IngestBatch:
    """The score a reviewer gave the item with one of the queue's configs, checked."""
    config = next((c for c in queue_configs(store, project_id, queue) if c.id == config_id), None)
    if config is None:
        raise InvalidRequestError("choose one of the queue's score configs")
    subject = subject_of(store, project_id, item)
    if subject.observation_id and subject.trace_id is None:
        raise InvalidRequestError(f"observation {item.object_id!r} no longer exists")
    return config_score(
        store,
        project_id,
        config,
        subject,
        value=value,
        comment=comment,
        author=author,
        queue_id=queue.id,
    )
