"""Media read use-cases: a record, its bytes, and the media found in a trace.

The API serves these through signed URLs (api/media.py); the UI may show them from the
same functions.
"""

from __future__ import annotations

from powerrag.domain.media import is_media_id
from powerrag.domain.rows import MediaContent, MediaLinkRow, MediaRow
from powerrag.store import media
from powerrag.store.database import Store


def media_record(store: Store, project_id: str, media_id: str) -> MediaRow | None:
    """The project's media record (uploaded or not); None for another project's id."""
    if not is_media_id(media_id):
        return None
    with store.connect() as conn:
        return media.get_media(conn, project_id, media_id)


def media_content(store: Store, project_id: str, media_id: str) -> MediaContent | None:
    """The bytes and their type; None while they have not been uploaded, or for another
    project's id."""
    if not is_media_id(media_id):
        return None
    with store.connect() as conn:
        return media.content_of(conn, project_id, media_id)


def media_of_trace(store: Store, project_id: str, trace_id: str) -> list[MediaLinkRow]:
    """Every media the SDKs found in the trace and its observations, trace's own first."""
    with store.connect() as conn:
        return media.links_of_trace(conn, project_id, trace_id)
