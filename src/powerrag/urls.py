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


def api_keys(project_id: str) -> str:
    return f"{settings(project_id)}/keys"


def revoke_key(project_id: str, key_id: str) -> str:
    return f"{api_keys(project_id)}/{_segment(key_id)}/revoke"


def members(project_id: str) -> str:
    return f"{settings(project_id)}/members"


def new_member(project_id: str) -> str:
    return f"{members(project_id)}/new"


def remove_member(project_id: str, user_id: str) -> str:
    return f"{members(project_id)}/{_segment(user_id)}/remove"


def evaluation(project_id: str) -> str:
    """Settings for LLM connections, evaluators, rules, checks and alerts."""
    return f"{settings(project_id)}/evaluation"


def evaluation_create(project_id: str, kind: str) -> str:
    return f"{evaluation(project_id)}/{kind}"


def evaluation_delete(project_id: str, kind: str, item_id: str) -> str:
    return f"{evaluation(project_id)}/{kind}/{_segment(item_id)}/delete"


def evaluation_try(project_id: str) -> str:
    """Run a session rule again over chosen sessions (the replay's "try on this session")."""
    return f"{evaluation(project_id)}/run"


# Pages outside any project: the home redirect, sign-in and out, settings, the language.
HOME = "/"
SETUP = "/setup"
LOGOUT = "/logout"
LOGOUT_EVERYWHERE = "/logout/everywhere"
SETTINGS_HOME = "/settings"
NEW_PROJECT = "/projects"


def login(next_path: str | None = None) -> str:
    """The sign-in page; `next_path` is where it returns to afterwards."""
    return f"/login?next={quote(next_path)}" if next_path else "/login"


def language(code: str, next_url: str) -> str:
    """The link that switches the UI's language, then returns to `next_url`."""
    return f"/lang/{_segment(code)}?next={_segment(next_url)}"
