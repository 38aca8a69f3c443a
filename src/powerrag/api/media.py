"""`/api/public/media`: Langfuse's media API, with this server as the blob store.

`POST` registers media and answers an upload URL on this server (null when the project
holds the bytes already); the SDK `PUT`s the bytes there, then `PATCH`es the result
(tests/data/sdk-traffic.md §6). `GET` answers a download URL. Both URLs carry a signed,
expiring token instead of API keys, as the presigned URLs of Langfuse's object store do.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from powerrag import media as service
from powerrag import urls
from powerrag.api.auth import Caller, project_caller
from powerrag.api.body import read_body, read_json_body
from powerrag.api.serializers import media_record as media_json
from powerrag.context import Context, context_of
from powerrag.domain.errors import NotFoundError
from powerrag.domain.media import DOWNLOAD, UPLOAD, file_name
from powerrag.domain.rows import MediaRow
from powerrag.ingest.media import media_request, upload_report
from powerrag.query.media import media_content, media_record
from powerrag.responses import file_response, json_response

router = APIRouter()


def _url(request: Request, media_id: str, action: str, token: str) -> str:
    """An absolute URL on this server as the caller reached it (`urls.absolute`)."""
    return urls.absolute(request, f"/api/public/media/{media_id}/{action}?token={token}")


async def _record(ctx: Context, project_id: str, media_id: str) -> MediaRow:
    row = await run_in_threadpool(media_record, ctx.store, project_id, media_id)
    if row is None:
        raise NotFoundError("Media asset not found")
    return row


async def _signed_for(ctx: Context, token: str, action: str, media_id: str) -> str:
    """The project a signed URL was made for (ForbiddenError when forged or expired)."""
    return await run_in_threadpool(service.verify, ctx.store, token, action, media_id, ctx.clock())


@router.post("/api/public/media", operation_id="media_getUploadUrl")
async def get_upload_url(request: Request, caller: Caller = Depends(project_caller)) -> Response:
    ctx = context_of(request)
    settings = ctx.settings
    doc = await read_json_body(request, settings)
    req = media_request(doc, max_bytes=settings.media_max_bytes)
    now = ctx.clock()
    held = await run_in_threadpool(service.register_media, ctx.store, caller.project_id, req, now)
    upload_url = None
    if not held:
        token, _ = await run_in_threadpool(
            service.sign, ctx.store, UPLOAD, caller.project_id, req.media_id, now
        )
        upload_url = _url(request, req.media_id, UPLOAD, token)
    return json_response({"mediaId": req.media_id, "uploadUrl": upload_url})


@router.get("/api/public/media/{media_id}", operation_id="media_get")
async def get_media(
    media_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    row = await _record(ctx, caller.project_id, media_id)
    if not row.held:
        if row.upload_http_status not in (None, 200, 201):
            raise NotFoundError(
                f"Media upload failed with status {row.upload_http_status}: "
                f"{row.upload_http_error or ''}"
            )
        raise NotFoundError("Media not yet uploaded")
    token, expires = await run_in_threadpool(
        service.sign, ctx.store, DOWNLOAD, caller.project_id, media_id, ctx.clock()
    )
    return json_response(media_json(row, _url(request, media_id, DOWNLOAD, token), expires))


@router.patch("/api/public/media/{media_id}", operation_id="media_patch")
async def patch_media(
    media_id: str, request: Request, caller: Caller = Depends(project_caller)
) -> Response:
    ctx = context_of(request)
    report = upload_report(await read_json_body(request, ctx.settings))
    await run_in_threadpool(service.record_upload, ctx.store, caller.project_id, media_id, report)
    return Response(status_code=204)


@router.put("/api/public/media/{media_id}/upload", operation_id="powerrag_media_upload")
async def upload(media_id: str, request: Request, token: str = "") -> Response:
    """The bytes, checked against the registration: type, length, then SHA-256."""
    ctx = context_of(request)
    project_id = await _signed_for(ctx, token, UPLOAD, media_id)
    row = await _record(ctx, project_id, media_id)
    headers = request.headers
    service.check_upload_headers(
        row,
        headers.get("content-type"),
        headers.get("x-amz-checksum-sha256"),
        headers.get("content-length"),
    )
    body = await read_body(request, row.content_length, seconds=ctx.settings.body_read_seconds)
    await run_in_threadpool(service.store_upload, ctx.store, row, body, ctx.clock())
    return Response(status_code=200)


@router.get("/api/public/media/{media_id}/download", operation_id="powerrag_media_download")
async def download(media_id: str, request: Request, token: str = "") -> Response:
    ctx = context_of(request)
    project_id = await _signed_for(ctx, token, DOWNLOAD, media_id)
    found = await run_in_threadpool(media_content, ctx.store, project_id, media_id)
    if found is None:
        raise NotFoundError("Media asset not found")
    return file_response(found.content, found.content_type, file_name(media_id, found.content_type))
