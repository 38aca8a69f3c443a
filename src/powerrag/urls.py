"""Where each UI page lives: every `/project/…` path is built here, with ids quoted.

Ids are free text (a session id may hold "/" or Chinese), so each path segment is
percent-encoded whole.
"""

from __future__ import annotations

from urllib.parse import quote


def _segment(value: str) -> str:
    return quote(value, safe="")


def project(project_id: str) -> str:
    return f"/project/{_segment(project_id)}"


def sessions(project_id: str) -> str:
    return f"{project(project_id)}/sessions"


def session(project_id: str, session_id: str) -> str:
    return f"{sessions(project_id)}/{_segment(session_id)}"


def traces(project_id: str) -> str:
    return f"{project(project_id)}/traces"


def trace(project_id: str, trace_id: str) -> str:
    return f"{traces(project_id)}/{_segment(trace_id)}"


def settings(project_id: str) -> str:
    return f"{project(project_id)}/settings"
