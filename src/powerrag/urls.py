"""Where each UI page lives: every `/project/…` path is built here, with ids quoted.

Ids are free text (a session id may hold "/" or Chinese), so each path segment is
percent-encoded whole.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import HTTPConnection


def _segment(value: str) -> str:
    return quote(value, safe="")


def project(project_id: str) -> str:
    return f"/project/{_segment(project_id)}"


def sessions(project_id: str) -> str:
    return f"{project(project_id)}/sessions"


def session(project_id: str, session_id: str) -> str:
    return f"{sessions(project_id)}/{_segment(session_id)}"


def session_scores(project_id: str, session_id: str) -> str:
    return f"{session(project_id, session_id)}/scores"


def session_comments(project_id: str, session_id: str) -> str:
    return f"{session(project_id, session_id)}/comments"


def score_action(project_id: str, session_id: str, score_id: str, action: str) -> str:
    """Edit or delete (`action`) one score of the session or of its turns."""
    return f"{session_scores(project_id, session_id)}/{_segment(score_id)}/{action}"


def comment_action(project_id: str, session_id: str, comment_id: str, action: str) -> str:
    """Edit or delete (`action`) one comment of the session or of its turns."""
    return f"{session_comments(project_id, session_id)}/{_segment(comment_id)}/{action}"


def traces(project_id: str) -> str:
    return f"{project(project_id)}/traces"


def trace(project_id: str, trace_id: str) -> str:
    return f"{traces(project_id)}/{_segment(trace_id)}"


def settings(project_id: str) -> str:
    return f"{project(project_id)}/settings"


def score_configs(project_id: str) -> str:
    return f"{settings(project_id)}/score-configs"


def score_config_archive(project_id: str, config_id: str) -> str:
    """Archive or restore (a toggle) one score config."""
    return f"{score_configs(project_id)}/{_segment(config_id)}/archive"


def queues(project_id: str) -> str:
    return f"{project(project_id)}/queues"


def queue(project_id: str, queue_id: str, item_id: str | None = None) -> str:
    """A queue's page: its next pending item, or the item named."""
    path = f"{queues(project_id)}/{_segment(queue_id)}"
    return f"{path}?item={quote(item_id, safe='')}" if item_id else path


def queue_add(project_id: str) -> str:
    """Where the sessions list and the replay add objects to a queue chosen in the form."""
    return f"{queues(project_id)}/add"


def queue_item_action(project_id: str, queue_id: str, item_id: str, action: str) -> str:
    """Score (`score`) or mark done (`done`) one item of a queue."""
    return f"{queues(project_id)}/{_segment(queue_id)}/items/{_segment(item_id)}/{action}"


def project_name(project_id: str) -> str:
    return f"{settings(project_id)}/name"


def public_pages(project_id: str) -> str:
    return f"{settings(project_id)}/public"


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


def _via(session_id: str | None) -> str:
    """The published session a public page reached the content through (routes_content.py)."""
    return "" if session_id is None else f"?session={_segment(session_id)}"


def media(project_id: str, media_id: str, session_id: str | None = None) -> str:
    return f"{project(project_id)}/media/{_segment(media_id)}{_via(session_id)}"


def trace_content(project_id: str, trace_id: str, field: str, session_id: str | None = None) -> str:
    """A turn's input or output, or a trace's metadata, whole (view raw; add download=1)."""
    return f"{trace(project_id, trace_id)}/content/{field}{_via(session_id)}"


def observation_content(project_id: str, trace_id: str, observation_id: str, field: str) -> str:
    return f"{trace(project_id, trace_id)}/observations/{_segment(observation_id)}/content/{field}"


def absolute(connection: HTTPConnection, path: str) -> str:
    """`path` as an absolute URL on this server as the caller reached it.

    The scheme and client come from a trusted proxy's X-Forwarded-* headers when
    `forwarded_allow_ips` lists it (uvicorn's proxy_headers), the host from Host:
    media upload/download URLs and the public link of a session are built alike.
    """
    return str(connection.base_url).rstrip("/") + path
