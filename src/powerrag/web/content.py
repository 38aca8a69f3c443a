"""Media and whole values in the page views: where each media loads from, and whether its
bytes are there (a reference whose upload never arrived shows a placeholder)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.concurrency import run_in_threadpool

from powerrag import urls
from powerrag.context import Context
from powerrag.query.media import held_media
from powerrag.web.messages import MediaUrl


def media_link(project_id: str, session_id: str | None = None) -> MediaUrl:
    """URLs of the project's media; through a published session's link when `session_id`."""
    return lambda media_id: urls.media(project_id, media_id, session_id)


def _media_items(value: Any) -> Iterator[dict[str, Any]]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            media = item.get("media")
            if isinstance(media, list):
                yield from (m for m in media if isinstance(m, dict) and "held" in m)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


async def mark_held(ctx: Context, project_id: str, *views: Any) -> None:
    """Set each media's `held` from the store, one query for the whole page."""
    items = [m for view in views for m in _media_items(view)]
    if not items:
        return
    held = await run_in_threadpool(held_media, ctx.store, project_id, [m["id"] for m in items])
    for item in items:
        item["held"] = item["id"] in held
