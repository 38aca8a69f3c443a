"""Project settings: API keys (the secret shown once) with SDK snippets, members, new projects.

Every member sees the page; changes to the project, its keys and members need an owner
or an admin, and only administrators create accounts (issue 19, M4). Every form answers
with a redirect (POST-redirect-GET): a new key's secret reaches the next page in a
one-time flash cookie (`web/flash.py`), so reloading it creates nothing (issue 12, item 8).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from powerrag import accounts, project_options, urls
from powerrag.accounts import MEMBER, ROLES, ApiKey, Member, User
from powerrag.context import context_of
from powerrag.domain.errors import NotFoundError
from powerrag.domain.jsondoc import JSONObject
from powerrag.domain.timeutil import to_iso
from powerrag.web.auth import check_csrf, require_user
from powerrag.web.common import ProjectPage, managed_page, project_page
from powerrag.web.flash import clear_flash, set_flash, take_flash
from powerrag.web.render import WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _key_view(key: ApiKey) -> JSONObject:
    return {
        "id": key.id,
        "publicKey": key.public_key,
        "displaySecretKey": key.display_secret_key,
        "note": key.note,
        "createdAt": to_iso(key.created_at),
        "revoked": key.revoked_at is not None,
    }


def _member_view(member: Member, admin_ids: set[str]) -> JSONObject:
    return {
        "userId": member.user_id,
        "email": member.email,
        "name": member.name,
        "role": member.role,
        "since": to_iso(member.created_at),
        "isAdmin": member.user_id in admin_ids,
    }


def _admin_view(user: User) -> JSONObject:
    return {"userId": user.id, "email": user.email, "name": user.name, "role": "admin"}


async def _settings_page(request: Request, page: ProjectPage) -> Response:
    store, project_id = page.ctx.store, page.project.id
    keys = await run_in_threadpool(accounts.list_keys, store, project_id)
    members = await run_in_threadpool(accounts.list_members, store, project_id)
    admins = await run_in_threadpool(project_options.administrators, store)
    manage = await run_in_threadpool(accounts.can_manage, store, page.user, project_id)
    shows = await run_in_threadpool(project_options.public_shows_users, store, project_id)
    idle = await run_in_threadpool(project_options.session_idle_seconds, store, project_id)
    path = urls.settings(project_id)
    flash = await take_flash(request, path, page.user.id)
    context = {
        **page.chrome(),
        "keys": [_key_view(k) for k in keys],
        "members": [_member_view(m, {a.id for a in admins}) for m in members],
        # Administrators open every project: listed too, unless they are members already.
        "admins": [_admin_view(a) for a in admins if a.id not in {m.user_id for m in members}],
        "canManage": manage,
        "canCreateAccounts": page.user.is_admin,
        "memberRequested": request.query_params.get("member") == "requested",
        "roles": list(ROLES),
        "created": (flash or {}).get("created"),
        "publicShowsUsers": shows,
        "sessionIdleSeconds": idle,
        "serverIdleSeconds": page.ctx.settings.session_idle_seconds,
        "baseUrl": page.ctx.settings.base_url,
        "retentionDays": page.project.retention_days,
        "retentionDefault": page.ctx.settings.retention_days,
    }
    response = render(request, "settings.html", context)
    # The page may hold a new secret: no cache keeps it, and its flash is used up.
    response.headers["Cache-Control"] = "no-store"
    clear_flash(request, response, path)
    return response


def _back(project_id: str, anchor: str = "", query: str = "") -> RedirectResponse:
    return RedirectResponse(f"{urls.settings(project_id)}{query}{anchor}", 303)


@router.get("/settings")
async def settings_home(request: Request) -> Response:
    user = await require_user(request)
    projects = await run_in_threadpool(accounts.list_projects, context_of(request).store, user)
    if not projects:
        context: JSONObject = {"project": None, "projects": [], "keys": [], "members": []}
        return render(request, "settings.html", context)
    return RedirectResponse(urls.settings(projects[0].id), status_code=303)


@router.get("/project/{project_id}/settings")
async def project_settings(request: Request, project_id: str) -> Response:
    return await _settings_page(request, await project_page(request, project_id))


@router.post("/project/{project_id}/settings/keys")
async def create_key(request: Request, project_id: str) -> Response:
    page = await managed_page(request, project_id)
    form = await check_csrf(request)
    key, secret = await run_in_threadpool(
        accounts.create_key, page.ctx.store, project_id, form.get("note", "").strip()[:500]
    )
    response = _back(project_id, "#api-keys")
    created = {"publicKey": key.public_key, "secretKey": secret}
    path = urls.settings(project_id)
    await set_flash(request, response, path, page.user.id, {"created": created})
    return response


@router.post("/project/{project_id}/settings/name")
async def rename_project(request: Request, project_id: str) -> Response:
    page = await managed_page(request, project_id)
    form = await check_csrf(request)
    await run_in_threadpool(
        project_options.rename_project, page.ctx.store, project_id, form.get("name", "")
    )
    return _back(project_id, "#project")


@router.post("/project/{project_id}/settings/retention")
async def retention(request: Request, project_id: str) -> Response:
    """How long the project keeps data (powerrag/retention.py deletes what is older)."""
    page = await managed_page(request, project_id)
    form = await check_csrf(request)
    await run_in_threadpool(
        project_options.set_retention, page.ctx.store, project_id, form.get("days", "")
    )
    return _back(project_id, "#retention")


@router.post("/project/{project_id}/settings/public")
async def public_pages(request: Request, project_id: str) -> Response:
    """Whether the project's public pages show the end users' ids (off by default)."""
    page = await managed_page(request, project_id)
    form = await check_csrf(request)
    show = form.get("show_users") == "1"
    await run_in_threadpool(
        project_options.set_public_shows_users, page.ctx.store, project_id, show
    )
    return _back(project_id, "#public-pages")


@router.post("/project/{project_id}/settings/session-idle")
async def session_idle(request: Request, project_id: str) -> Response:
    """The project's own session idle timeout; empty goes back to the server's."""
    page = await managed_page(request, project_id)
    form = await check_csrf(request)
    await run_in_threadpool(
        project_options.set_session_idle_seconds,
        page.ctx.store,
        project_id,
        form.get("seconds", ""),
    )
    return _back(project_id, "#session-lifecycle")


@router.post("/project/{project_id}/settings/keys/{key_id}/revoke")
async def revoke_key(request: Request, project_id: str, key_id: str) -> Response:
    page = await managed_page(request, project_id)
    await check_csrf(request)
    if not await run_in_threadpool(accounts.revoke_key, page.ctx.store, key_id, project_id):
        raise NotFoundError("no active key with that id in this project")
    return _back(project_id)


@router.post("/project/{project_id}/settings/members")
async def add_member(request: Request, project_id: str) -> Response:
    """Give an existing account access to this project.

    The answer is the same whether or not the email has an account (issue 19, L9).
    """
    page = await managed_page(request, project_id)
    form = await check_csrf(request)
    await run_in_threadpool(
        accounts.add_member,
        page.ctx.store,
        project_id,
        form.get("email", ""),
        form.get("role", MEMBER),
    )
    return _back(project_id, "#members", "?member=requested")


@router.post("/project/{project_id}/settings/members/new")
async def create_member(request: Request, project_id: str) -> Response:
    """An administrator creates an account (email, name, initial password) in this project."""
    page = await managed_page(request, project_id)
    form = await check_csrf(request)
    await run_in_threadpool(
        accounts.create_account,
        page.ctx.store,
        page.user,
        project_id,
        form.get("email", ""),
        form.get("name", ""),
        form.get("password", ""),
        form.get("role", MEMBER),
    )
    return _back(project_id, "#members")


@router.post("/project/{project_id}/settings/members/{user_id}/remove")
async def remove_member(request: Request, project_id: str, user_id: str) -> Response:
    page = await managed_page(request, project_id)
    await check_csrf(request)
    if not await run_in_threadpool(accounts.remove_member, page.ctx.store, project_id, user_id):
        raise NotFoundError("no member with that id in this project")
    return _back(project_id, "#members")


@router.post("/projects")
async def create_project(request: Request) -> Response:
    """Any signed-in user may create a project; they become its owner."""
    user = await require_user(request)
    form = await check_csrf(request)
    project = await run_in_threadpool(
        accounts.create_project, context_of(request).store, form.get("name", ""), user
    )
    return _back(project.id)
