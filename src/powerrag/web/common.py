"""What every project page needs: the context, the signed-in user, the project, the switcher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from powerrag.api.context import Context
from powerrag.domain.errors import NotFoundError
from powerrag.query import ui_users
from powerrag.query.accounts import get_project
from powerrag.store.accounts import Project, User
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


def ctx_of(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


async def project_page(request: Request, project_id: str) -> ProjectPage:
    """The project of the URL for a signed-in user; 404 when it is not one they can see."""
    user = await require_user(request)
    ctx = ctx_of(request)
    projects = await run_in_threadpool(ui_users.list_projects, ctx.store)
    project = next((p for p in projects if p.id == project_id), None)
    if project is None:
        raise NotFoundError("project not found")
    return ProjectPage(ctx, user, project, projects)


async def project_exists(request: Request, project_id: str) -> bool:
    return await run_in_threadpool(get_project, ctx_of(request).store, project_id) is not None
