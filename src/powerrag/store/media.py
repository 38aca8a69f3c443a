"""Media records, their bytes and the traces they were found in (content-addressed per project)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, exists, select, update

from powerrag.domain.media import MediaRequest, UploadReport
from powerrag.domain.rows import MediaContent, MediaLinkRow, MediaRow
from powerrag.store.infra.dialect import upsert
from powerrag.store.infra.schema import media, media_blobs, media_links

_m, _b, _l = media.c, media_blobs.c, media_links.c


def _held() -> Any:
    return (
        exists()
        .where(_b.project_id == _m.project_id, _b.media_id == _m.id)
        .correlate(media)
        .label("held")
    )


def get_media(conn: Connection, project_id: str, media_id: str) -> MediaRow | None:
    query = select(*media.c, _held()).where(_m.project_id == project_id, _m.id == media_id)
    row = conn.execute(query).mappings().first()
    return None if row is None else MediaRow(**row)


def register(conn: Connection, project_id: str, req: MediaRequest, now: int) -> None:
    """Create the record, or, while no bytes are held, take the newly declared type and
    length; held bytes keep the record they were checked against."""
    row = {
        "project_id": project_id,
        "id": req.media_id,
        "sha256": req.sha256,
        "content_type": req.content_type,
        "content_length": req.content_length,
        "created_at": now,
    }
    held = exists().where(_b.project_id == _m.project_id, _b.media_id == _m.id)
    found = conn.execute(
        select(held).where(_m.project_id == project_id, _m.id == req.media_id)
    ).scalar()
    if found is None:
        upsert(conn, media, [row], keys=("project_id", "id"), keep=("created_at",))
    elif not found:
        conn.execute(
            update(media)
            .where(_m.project_id == project_id, _m.id == req.media_id)
            .values(content_type=req.content_type, content_length=req.content_length)
        )


def link(conn: Connection, project_id: str, req: MediaRequest, now: int) -> None:
    """Note that the media is in this trace's (or observation's) field; once is enough."""
    row = {
        "project_id": project_id,
        "trace_id": req.trace_id,
        "observation_id": req.observation_id or "",
        "field": req.field,
        "media_id": req.media_id,
        "created_at": now,
    }
    upsert(
        conn,
        media_links,
        [row],
        keys=tuple(k for k in row if k != "created_at"),
        keep=("created_at",),
    )


def store_bytes(conn: Connection, project_id: str, media_id: str, content: bytes, now: int) -> None:
    """Keep the bytes (a second upload of the same ones changes nothing) and mark them uploaded."""
    row = {"project_id": project_id, "media_id": media_id, "content": content, "created_at": now}
    upsert(
        conn, media_blobs, [row], keys=("project_id", "media_id"), keep=("content", "created_at")
    )
    conn.execute(
        update(media)
        .where(_m.project_id == project_id, _m.id == media_id)
        .values(uploaded_at=now, upload_http_status=200, upload_http_error=None)
    )


def record_upload(conn: Connection, project_id: str, media_id: str, report: UploadReport) -> bool:
    """Store the SDK's report of its upload; False when the project has no such media."""
    result = conn.execute(
        update(media)
        .where(_m.project_id == project_id, _m.id == media_id)
        .values(
            uploaded_at=report.uploaded_at,
            upload_http_status=report.status,
            upload_http_error=report.error,
            upload_time_ms=report.time_ms,
        )
    )
    return bool(result.rowcount)


def content_of(conn: Connection, project_id: str, media_id: str) -> MediaContent | None:
    query = (
        select(_m.id.label("media_id"), _m.content_type, _b.content)
        .select_from(
            media.join(media_blobs, (_b.project_id == _m.project_id) & (_b.media_id == _m.id))
        )
        .where(_m.project_id == project_id, _m.id == media_id)
    )
    row = conn.execute(query).mappings().first()
    return None if row is None else MediaContent(**row)


def links_of_trace(conn: Connection, project_id: str, trace_id: str) -> list[MediaLinkRow]:
    """The media found in a trace, by observation (the trace's own first), field and id."""
    query = (
        select(
            _l.media_id,
            _l.trace_id,
            _l.observation_id,
            _l.field,
            _m.content_type,
            _m.content_length,
            _held(),
        )
        .select_from(
            media_links.join(media, (_m.project_id == _l.project_id) & (_m.id == _l.media_id))
        )
        .where(_l.project_id == project_id, _l.trace_id == trace_id)
        .order_by(_l.observation_id, _l.field, _l.media_id)
    )
    return [
        MediaLinkRow(**{**row, "observation_id": row["observation_id"] or None})
        for row in conn.execute(query).mappings()
    ]


def forget_traces(conn: Connection, project_id: str, trace_ids: Sequence[str]) -> int:
    """Drop the traces' links, then the media no link names any more with its bytes; returns
    how many media went."""
    linked = select(_l.media_id).where(_l.project_id == project_id, _l.trace_id.in_(trace_ids))
    candidates = sorted({str(r[0]) for r in conn.execute(linked.distinct())})
    if not candidates:
        return 0
    conn.execute(delete(media_links).where(_l.project_id == project_id, _l.trace_id.in_(trace_ids)))
    still = select(_l.media_id).where(_l.project_id == project_id, _l.media_id.in_(candidates))
    orphans = sorted(set(candidates) - {str(r[0]) for r in conn.execute(still.distinct())})
    if orphans:
        conn.execute(
            delete(media_blobs).where(_b.project_id == project_id, _b.media_id.in_(orphans))
        )
        conn.execute(delete(media).where(_m.project_id == project_id, _m.id.in_(orphans)))
    return len(orphans)
