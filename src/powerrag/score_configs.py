"""Score configs: create, update (archive), read; and every incoming score checked against
the config it names (domain/score_configs.py), wherever it comes from: a batch, the scores
endpoint, the UI's forms. A score naming no config is not looked up at all."""

from __future__ import annotations

import dataclasses

from sqlalchemy import Connection

from powerrag.domain.errors import InvalidRequestError, NotFoundError
from powerrag.domain.filters import PageRequest
from powerrag.domain.records import EventError, IngestBatch, ScoreRecord
from powerrag.domain.score_configs import (
    ScoreConfig,
    checked_score,
    create_fields,
    updated_fields,
)
from powerrag.query.paging import Paged
from powerrag.store import score_configs as rows
from powerrag.store.database import Store

# The UI offers at most this many configs in a form.
FORM_LIMIT = 100


def create_config(store: Store, project_id: str, doc: object, now: int) -> ScoreConfig:
    fields = create_fields(doc)
    with store.transaction() as conn:
        config_id = rows.insert_config(conn, project_id, fields, now)
        found = rows.get_config(conn, project_id, config_id)
    assert found is not None
    return found


def update_config(
    store: Store, project_id: str, config_id: str, doc: object, now: int
) -> ScoreConfig:
    with store.transaction() as conn:
        config = _get(conn, project_id, config_id)
        rows.update_config(conn, project_id, config_id, updated_fields(config, doc), now)
        found = rows.get_config(conn, project_id, config_id)
    assert found is not None
    return found


def _get(conn: Connection, project_id: str, config_id: str) -> ScoreConfig:
    found = rows.get_config(conn, project_id, config_id)
    if found is None:
        raise NotFoundError(f"score config {config_id!r} not found")
    return found


def get_config(store: Store, project_id: str, config_id: str) -> ScoreConfig:
    with store.connect() as conn:
        return _get(conn, project_id, config_id)


def list_configs(store: Store, project_id: str, page: PageRequest) -> Paged[ScoreConfig]:
    with store.connect() as conn:
        items = rows.list_configs(conn, project_id, page)
        return Paged(items, page, rows.count_configs(conn, project_id))


def active_configs(store: Store, project_id: str) -> list[ScoreConfig]:
    """The configs a form offers: not archived, newest first."""
    with store.connect() as conn:
        return rows.list_configs(conn, project_id, PageRequest(1, FORM_LIMIT), archived=False)


def checked_scores(
    store: Store, project_id: str, scores: list[ScoreRecord]
) -> list[ScoreRecord | InvalidRequestError]:
    """Each score as its config makes it, or the error refusing it (same order)."""
    named = {s.config_id for s in scores if s.config_id}
    if not named:
        return list(scores)
    with store.connect() as conn:
        configs = rows.configs_by_id(conn, project_id, named)
    out: list[ScoreRecord | InvalidRequestError] = []
    for score in scores:
        config = configs.get(score.config_id) if score.config_id else None
        if score.config_id and config is None:
            out.append(
                InvalidRequestError(
                    f"score {score.name!r}: configId {score.config_id!r} is not a score "
                    "config of this project"
                )
            )
            continue
        try:
            out.append(score if config is None else checked_score(config, score))
        except InvalidRequestError as exc:
            out.append(exc)
    return out


def check_score(store: Store, project_id: str, score: ScoreRecord) -> ScoreRecord:
    """One score, as its config makes it; InvalidRequestError when the config refuses it."""
    result = checked_scores(store, project_id, [score])[0]
    if isinstance(result, InvalidRequestError):
        raise result
    return result


def check_batch(store: Store, project_id: str, batch: IngestBatch) -> IngestBatch:
    """The batch with each score its config refuses moved to a 400 for its event."""
    results = checked_scores(store, project_id, batch.scores)
    refused = {
        event_id: result
        for event_id, result in zip(batch.score_event_ids, results, strict=True)
        if isinstance(result, InvalidRequestError)
    }
    if not refused and results == batch.scores:
        return batch
    kept = [
        (event_id, r)
        for event_id, r in zip(batch.score_event_ids, results, strict=True)
        if isinstance(r, ScoreRecord)
    ]
    return dataclasses.replace(
        batch,
        scores=[r for _, r in kept],
        score_event_ids=[event_id for event_id, _ in kept],
        accepted_event_ids=[i for i in batch.accepted_event_ids if i not in refused],
        rejected_events=[
            *batch.rejected_events,
            *(EventError(i, 400, str(exc)) for i, exc in refused.items()),
        ],
    )
