"""What every project page needs: the context, the signed-in user, the project, the switcher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from powerrag import accounts
from powerrag.accounts import Project, User
from powerrag.context import Context, context_of
from powerrag.domain.errors import ForbiddenError, NotFoundError
from powerrag.web.auth import require_user


@dataclass(frozen=True, slots=True)
class ProjectPage:
    ctx: Context
    user: User
    project: Project
    projects: list[Project]

    def chrome(self) -> dict[str, Any]:
        """The page-chrome part of a context (project switcher)."""
        return {
            "project": {"id": self.project.id, "name": self.project.name},
            "projects": [{"id": p.id, "name": p.name} for p in self.projects],
        }


async def member_page(request: Request, project_id: str) -> ProjectPage | None:
    """The project of the URL if the signed-in user may open it (admin or member), else None."""
    user = await require_user(request)
    ctx = context_of(request)
    projects = await run_in_threadpool(accounts.list_projects, ctx.store, user)
    project = next((p for p in projects if p.id == project_id), None)
    return None if project is None else ProjectPage(ctx, user, project, projects)


async def project_page(request: Request, project_id: str) -> ProjectPage:
    """The project of the URL for a signed-in user; 404 when it is not one they can see.

    A project of which the user is not a member answers exactly like a missing one,
    so project ids cannot be probed (issue 6 §5).
    """
    page = await member_page(request, project_id)
    if page is None:
        raise NotFoundError("project not found")
    return page


async def managed_page(request: Request, project_id: str) -> ProjectPage:
    """`project_page` for changes to keys and members: admins and the project's owners."""
    page = await project_page(request, project_id)
    if not await run_in_threadpool(accounts.can_manage, page.ctx.store, page.user, project_id):
        raise ForbiddenError("only the project's owners and administrators can do this")
    return page


async def search_ready(ctx: Context, project_id: str, text: str | None) -> dict[str, Any]:
    """Before a text search: index the project's traces stored since the last indexing
    (powerrag/search_indexer.py), so a search finds what the SDK stored just before it.
    Gives the page `searchPending`, the traces still not searchable, when searching."""
    if text is None:
        return {}
    backlog = await run_in_threadpool(ctx.indexer.catch_up, project_id)
    return {"searchPending": backlog.traces}
