"""Where each UI page lives: every `/project/…` path is built here, with ids quoted.

Ids are free text (a session id may hold "/" or Chinese), so each path segment is
percent-encoded whole.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from starlette.requests import HTTPConnection


def _segment(value: str) -> str:
    return quote(value, safe="")


def project(project_id: str) -> str:
    return f"/project/{_segment(project_id)}"


def sessions(project_id: str) -> str:
    return f"{project(project_id)}/sessions"


def session(project_id: str, session_id: str) -> str:
    return f"{sessions(project_id)}/{_segment(session_id)}"


def _replay_part(project_id: str, part: str, session_id: str, **ids: str) -> str:
    """A part of a session's replay: its turns, figures, live events and forms.

    The session id travels in the query string, never in the path: a path holding it would
    make an id ending in "/figures" read as the figures of another session. Old
    `…/sessions/{id}/{part}` addresses still work where no session has the whole id
    (web/routes_legacy.py).
    """
    query = urlencode({"session": session_id, **ids}, safe="", quote_via=quote)
    return f"{project(project_id)}/replay/{part}?{query}"


def session_turns(project_id: str, session_id: str) -> str:
    """A page of turns (add `offset`) or the named ones (add `ids`), as HTML or JSON."""
    return _replay_part(project_id, "turns", session_id)


def session_figures(project_id: str, session_id: str) -> str:
    return _replay_part(project_id, "figures", session_id)


def session_events(project_id: str, session_id: str) -> str:
    return _replay_part(project_id, "events", session_id)


def session_flags(project_id: str, session_id: str) -> str:
    return _replay_part(project_id, "flags", session_id)


def session_scores(project_id: str, session_id: str) -> str:
    return _replay_part(project_id, "scores", session_id)


def session_comments(project_id: str, session_id: str) -> str:
    return _replay_part(project_id, "comments", session_id)


def score_action(project_id: str, session_id: str, score_id: str, action: str) -> str:
    """Edit or delete (`action`) one score of the session or of its turns."""
    return _replay_part(project_id, f"scores/{action}", session_id, score=score_id)


def comment_action(project_id: str, session_id: str, comment_id: str, action: str) -> str:
    """Edit or delete (`action`) one comment of the session or of its turns."""
    return _replay_part(project_id, f"comments/{action}", session_id, comment=comment_id)


def traces(project_id: str) -> str:
    return f"{project(project_id)}/traces"


def trace(project_id: str, trace_id: str) -> str:
    return f"{traces(project_id)}/{_segment(trace_id)}"


def prompts(project_id: str) -> str:
    return f"{project(project_id)}/prompts"


def prompt(project_id: str, name: str) -> str:
    """A prompt's page; its name's folders (`/`) are encoded inside the one segment."""
    return f"{prompts(project_id)}/{_segment(name)}"


def prompt_version(project_id: str, name: str, version: int) -> str:
    return f"{prompt(project_id, name)}?version={version}"


def prompt_diff(project_id: str, name: str, old: int, new: int) -> str:
    return f"{prompt(project_id, name)}?version={new}&diff={old}"


def new_prompt(project_id: str) -> str:
    return f"{prompts(project_id)}/new"


def prompt_labels(project_id: str, name: str) -> str:
    return f"{prompt(project_id, name)}/labels"


def prompt_versions(project_id: str, name: str) -> str:
    return f"{prompt(project_id, name)}/versions"


def prompt_try(project_id: str, name: str) -> str:
    return f"{prompt(project_id, name)}/try"


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


def project_retention(project_id: str) -> str:
    return f"{settings(project_id)}/retention"


def public_pages(project_id: str) -> str:
    return f"{settings(project_id)}/public"


def session_idle(project_id: str) -> str:
    return f"{settings(project_id)}/session-idle"


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


def models(project_id: str) -> str:
    """The project's own model prices, beside the bundled ones."""
    return f"{settings(project_id)}/models"


def model_action(project_id: str, model_id: str, action: str) -> str:
    """Edit, delete or recost (`action`) one of the project's models."""
    return f"{models(project_id)}/{_segment(model_id)}/{action}"


def dashboard(project_id: str) -> str:
    """Cost, tokens, latency and scores over time, by model, user and session."""
    return f"{project(project_id)}/dashboard"


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


def datasets(project_id: str) -> str:
    return f"{project(project_id)}/datasets"


def dataset(project_id: str, dataset_id: str) -> str:
    return f"{datasets(project_id)}/{_segment(dataset_id)}"


def dataset_item_action(project_id: str, dataset_id: str, item_id: str, action: str) -> str:
    """Edit an item, or set its status (`action`: edit, status)."""
    return f"{dataset(project_id, dataset_id)}/items/{_segment(item_id)}/{action}"


def dataset_compare(project_id: str, dataset_id: str, run_ids: list[str]) -> str:
    runs = "&".join(f"run={_segment(r)}" for r in run_ids)
    return f"{dataset(project_id, dataset_id)}/compare?{runs}"


def dataset_added(project_id: str, session_id: str, dataset_id: str) -> str:
    """The replay again, saying which dataset the turn or session went into."""
    return f"{session(project_id, session_id)}?added={_segment(dataset_id)}"


def dataset_add(project_id: str, source: str) -> str:
    """Add a replay turn (`source` turn) or a whole session (session) to a dataset."""
    return f"{datasets(project_id)}/add-{source}"


def project_section(project_id: str, current_path: str) -> str:
    """Where the project switcher goes: `project_id`'s page of the section (sessions,
    traces, settings) that `current_path` is in, its sessions from anywhere else."""
    parts = current_path.split("/")
    section = parts[3] if len(parts) > 3 and parts[1] == "project" else ""
    return {"traces": traces, "settings": settings}.get(section, sessions)(project_id)


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


def _trace_part(project_id: str, part: str, trace_id: str, **params: str | None) -> str:
    """A part of a trace's page: an observation's panel, a value whole.

    The trace id travels in the query string, as the session id of a replay's parts does: a
    trace id holding "/observations/x" would otherwise name another trace's observation.
    """
    given = {k: v for k, v in params.items() if v is not None}
    query = urlencode({"trace": trace_id, **given}, safe="", quote_via=quote)
    return f"{project(project_id)}/trace/{part}?{query}"


def observation_panel(project_id: str, trace_id: str) -> str:
    """The panel of an observation of the trace (add `observation`)."""
    return _trace_part(project_id, "observation", trace_id)


def trace_content(project_id: str, trace_id: str, field: str, session_id: str | None = None) -> str:
    """A turn's input or output, or a trace's metadata, whole (view raw; add download=1)."""
    return _trace_part(project_id, "content", trace_id, field=field, session=session_id)


def observation_content(project_id: str, trace_id: str, observation_id: str, field: str) -> str:
    return _trace_part(project_id, "content", trace_id, observation=observation_id, field=field)


def absolute(connection: HTTPConnection, path: str) -> str:
    """`path` as an absolute URL on this server as the caller reached it.

    The scheme and client come from a trusted proxy's X-Forwarded-* headers when
    `forwarded_allow_ips` lists it (uvicorn's proxy_headers), the host from Host:
    media upload/download URLs and the public link of a session are built alike.
    """
    return str(connection.base_url).rstrip("/") + path
