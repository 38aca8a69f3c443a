"""Project memberships: which UI users may open which project, and in what role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select, update

from powerrag.domain.timeutil import now_us
from powerrag.store.accounts import Project
from powerrag.store.infra.dialect import upsert
from powerrag.store.infra.schema import project_memberships, projects, users

OWNER, MEMBER = "owner", "member"
ROLES = (OWNER, MEMBER)


@dataclass(frozen=True, slots=True)
class Member:
    user_id: str
    email: str
    name: str | None
    role: str
    created_at: int


def role_of(conn: Connection, project_id: str, user_id: str) -> str | None:
    m = project_memberships.c
    query = select(m.role).where(m.project_id == project_id, m.user_id == user_id)
    role = conn.execute(query).scalar_one_or_none()
    return None if role is None else str(role)


def set_membership(conn: Connection, project_id: str, user_id: str, role: str) -> None:
    """Add the user to the project, or change their role when they are in it already."""
    row = {"project_id": project_id, "user_id": user_id, "role": role, "created_at": now_us()}
    upsert(conn, project_memberships, [row], keys=("project_id", "user_id"), keep=("created_at",))


def remove_membership(conn: Connection, project_id: str, user_id: str) -> bool:
    m = project_memberships.c
    result = conn.execute(
        delete(project_memberships).where(m.project_id == project_id, m.user_id == user_id)
    )
    return result.rowcount > 0


def guard_owners(conn: Connection, project_id: str) -> None:
    """Lock the project's row; call it first in a transaction that changes memberships.

    A write that changes nothing, so it works alike on both engines: PostgreSQL holds
    the row lock until commit, SQLite's write lock excludes every other writer and the
    reads after it see the latest commit. Two owners demoting each other at once then
    take turns, and the second finds itself the last owner (issue 19, L7).
    """
    p = projects.c
    conn.execute(update(projects).where(p.id == project_id).values(name=p.name))


def count_owners(conn: Connection, project_id: str) -> int:
    m = project_memberships.c
    query = select(func.count()).where(m.project_id == project_id, m.role == OWNER)
    return int(conn.execute(query).scalar_one())


def list_members(conn: Connection, project_id: str) -> list[Member]:
    """The project's members with their accounts, owners first, then by email."""
    m, u = project_memberships.c, users.c
    query = (
        select(u.id, u.email, u.name, m.role, m.created_at)
        .join_from(project_memberships, users, m.user_id == u.id)
        .where(m.project_id == project_id)
        .order_by((m.role == OWNER).desc(), u.email)
    )
    return [Member(*row) for row in conn.execute(query)]


def projects_of(conn: Connection, user_id: str) -> list[Project]:
    """The projects the user is a member of, in the order `accounts.list_projects` uses."""
    m, p = project_memberships.c, projects.c
    query = (
        select(p.id, p.name, p.created_at, p.retention_days)
        .join_from(projects, project_memberships, m.project_id == p.id)
        .where(m.user_id == user_id)
        .order_by(p.created_at, p.id)
    )
    return [Project(*row) for row in conn.execute(query)]
