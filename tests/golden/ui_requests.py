"""The golden requests of the UI: every page's JSON twin (`?format=json`), and its redirects.

A page's JSON twin is its template context (web/render.py), so these pin what every
page shows; the HTML itself carries a fresh CSRF token per browser and is left out.
"""

from __future__ import annotations

from powerrag import urls
from tests.golden.api_requests import AGENT_TRACE, EMBEDDING, MEDIA_TRACE, RICH_ROOT
from tests.golden.recording import Request
from tests.golden.scenario import (
    BOOKMARKED_SESSION,
    COMMENTED_TRACE,
    PUBLIC_SESSION,
    RICH_GENERATION,
    RICH_TRACE,
    SESSIONS,
)
from tests.support.project import PROJECT_ID as PROJECT

TRACES = f"/project/{PROJECT}/traces"
# A trace's parts (urls.py `_trace_part`): the panel of an observation, a value whole.
PANEL = f"/project/{PROJECT}/trace/observation?trace="
WHOLE = f"/project/{PROJECT}/trace/content?trace="
J = "format=json"

AUTH = [
    Request("home", "/"),
    Request("home-signed-out", "/", who="signed-out"),
    Request("login", f"/login?{J}"),
    Request("login-signed-out", f"/login?{J}&next=/project/{PROJECT}/traces", who="signed-out"),
    Request("login-off-site-next", f"/login?{J}&next=//example.com/", who="signed-out"),
    Request("language", "/lang/zh-CN?next=/settings", who="signed-out"),
    Request("language-off-site-next", "/lang/en?next=https://example.com/", who="signed-out"),
    Request("language-unknown", f"/lang/fr?{J}", who="signed-out"),
    Request("setup-after-the-first-admin", f"/setup?{J}&token=stale", who="signed-out"),
    Request("settings-home", "/settings"),
    Request("settings-home-signed-out", f"/settings?{J}", who="signed-out"),
]

_SESSION_SORTS = (
    "id",
    "created",
    "last_activity",
    "duration",
    "traces",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cost",
    "errors",
)
_SESSION_FILTERS = {
    "from": "from=2026-11-23T22:35:00Z",
    "to": "to=2026-11-23T22:34:00Z",
    "from-date": "from=2026-11-23",
    "user": "user=user-42",
    "environment": "environment=default",
    "bookmarked": "bookmarked=1",
    "id": "id=chat",
    "search": "q=Paris",
    "search-phrase": "q=upstream timeout",
    "status-active": "status=active",
    "status-ended": "status=ended",
}
SESSIONS_LIST = [
    Request("list", f"{SESSIONS}?{J}"),
    *[Request(name, f"{SESSIONS}?{J}&{query}") for name, query in _SESSION_FILTERS.items()],
    *[Request(f"sort-{s}-asc", f"{SESSIONS}?{J}&sort={s}&order=asc") for s in _SESSION_SORTS],
    Request("sort-cost-desc", f"{SESSIONS}?{J}&sort=cost"),
    Request("size-25", f"{SESSIONS}?{J}&size=25"),
    Request("page-past-the-end", f"{SESSIONS}?{J}&size=25&page=2"),
    Request("bad-size", f"{SESSIONS}?{J}&size=1"),
    Request("bad-sort", f"{SESSIONS}?{J}&sort=mood"),
    Request("bad-page", f"{SESSIONS}?{J}&page=two"),
    Request("bad-from", f"{SESSIONS}?{J}&from=last-week"),
    Request("bad-status", f"{SESSIONS}?{J}&status=closed"),
    Request("score-average", f"{SESSIONS}?{J}&score=relevance&score_min=0.5&col=quality"),
    Request("score-category", f"{SESSIONS}?{J}&score=quality&score_value=good"),
    Request("bad-score-min", f"{SESSIONS}?{J}&score=relevance&score_min=high"),
    Request("missing-project", f"/project/no-such-project/sessions?{J}"),
    Request("signed-out", f"{SESSIONS}?{J}", who="signed-out"),
    Request("signed-out-html", SESSIONS, who="signed-out"),
]

_BOOKMARKED = f"{SESSIONS}/{BOOKMARKED_SESSION}"


def _turns(session_id: str) -> str:
    return urls.session_turns(PROJECT, session_id)


def _figures(session_id: str) -> str:
    return urls.session_figures(PROJECT, session_id)


def _events(session_id: str) -> str:
    return urls.session_events(PROJECT, session_id)


_PUBLIC = f"{SESSIONS}/{PUBLIC_SESSION}"
REPLAY = [
    Request("replay", f"{_BOOKMARKED}?{J}"),
    Request("replay-public", f"{_PUBLIC}?{J}"),
    Request("replay-your-session-id", f"{SESSIONS}/your-session-id?{J}"),
    Request("replay-missing", f"{SESSIONS}/no-such-session?{J}"),
    Request("turns", f"{_turns(BOOKMARKED_SESSION)}&{J}"),
    Request("turns-offset-2", f"{_turns(BOOKMARKED_SESSION)}&{J}&offset=2"),
    Request(
        "turns-by-id", f"{_turns(BOOKMARKED_SESSION)}&{J}&id={COMMENTED_TRACE}&id={RICH_TRACE}"
    ),
    Request("turns-bad-offset", f"{_turns(BOOKMARKED_SESSION)}&{J}&offset=later"),
    Request("turns-missing", f"{_turns('no-such-session')}&{J}"),
    Request("turns-no-session", f"/project/{PROJECT}/replay/turns?{J}"),
    Request("figures", f"{_figures(BOOKMARKED_SESSION)}&{J}"),
    Request("figures-missing", f"{_figures('no-such-session')}&{J}"),
    # The live stream of a present session never ends: only its refusals are pinned.
    Request("events-missing", f"{_events('no-such-session')}&{J}"),
    Request("events-signed-out", f"{_events(BOOKMARKED_SESSION)}&{J}", who="signed-out"),
    # The old addresses of the parts move on (web/routes_legacy.py).
    Request("legacy-turns", f"{_BOOKMARKED}/turns?{J}&offset=2"),
    Request("legacy-figures", f"{_BOOKMARKED}/figures"),
]

PUBLIC_VIEW = [
    Request("replay", f"{_PUBLIC}?{J}", who="signed-out"),
    Request("turns", f"{_turns(PUBLIC_SESSION)}&{J}&offset=1", who="signed-out"),
    Request("private-session", f"{_BOOKMARKED}?{J}", who="signed-out"),
    Request("private-session-html", _BOOKMARKED, who="signed-out"),
    Request("private-turns", f"{_turns(BOOKMARKED_SESSION)}&{J}", who="signed-out"),
    Request("figures", f"{_figures(PUBLIC_SESSION)}&{J}", who="signed-out"),
    Request("trace-page", f"{TRACES}/{COMMENTED_TRACE}?{J}", who="signed-out"),
]

_TRACE_FILTERS = {
    "name": "name=rich-trace",
    "user": "user=user-42",
    "session": f"session={PUBLIC_SESSION}",
    "tag": "tag=tag-b",
    "environment": "environment=staging",
    "level": "level=ERROR",
    "from": "from=2026-11-23T22:40:50Z",
    "to": "to=2026-11-23T22:33:20Z",
    "search": "q=capital",
}
TRACES_LIST = [
    Request("list", f"{TRACES}?{J}"),
    Request("page-2", f"{TRACES}?{J}&page=2"),
    *[Request(name, f"{TRACES}?{J}&{query}") for name, query in _TRACE_FILTERS.items()],
    Request("bad-page", f"{TRACES}?{J}&page=2.5"),
    Request("bad-to", f"{TRACES}?{J}&to=tomorrow"),
    Request("signed-out", f"{TRACES}?{J}", who="signed-out"),
]

TRACE_PAGE = [
    Request("trace", f"{TRACES}/{RICH_TRACE}?{J}"),
    Request("trace-selected", f"{TRACES}/{RICH_TRACE}?{J}&observation={RICH_GENERATION}"),
    Request("trace-agent", f"{TRACES}/{AGENT_TRACE}?{J}"),
    Request("trace-media", f"{TRACES}/{MEDIA_TRACE}?{J}"),
    Request("trace-commented", f"{TRACES}/{COMMENTED_TRACE}?{J}"),
    Request("trace-missing", f"{TRACES}/no-such-trace?{J}"),
    Request("trace-missing-observation", f"{TRACES}/{RICH_TRACE}?{J}&observation=nope"),
    *[
        Request(f"panel-{name}", f"{PANEL}{trace}&observation={observation}&{J}")
        for name, trace, observation in (
            ("root", RICH_TRACE, RICH_ROOT),
            ("generation", RICH_TRACE, RICH_GENERATION),
            ("embedding", AGENT_TRACE, EMBEDDING),
            ("other-trace", AGENT_TRACE, RICH_GENERATION),
            ("missing", RICH_TRACE, "no-such-observation"),
        )
    ],
]

# A trace of the published session, and the media of python-langfuse-5.0.4-media.jsonl.
PUBLIC_TRACE = "02061fd70ff30ab15991bea81bfd409b"
MEDIA_SPAN = "9ba7ec299fffb8b3"
PNG_MEDIA = "xBTNDiBN6XT3N1PH4o12OO"
MEDIA = f"/project/{PROJECT}/media"
CONTENT = [
    Request("media", f"{MEDIA}/{PNG_MEDIA}"),
    Request("media-download", f"{MEDIA}/{PNG_MEDIA}?download=1"),
    Request("media-not-uploaded", f"{MEDIA}/NeverUploadedMedia0001?{J}"),
    Request("media-not-an-id", f"{MEDIA}/not-a-media-id?{J}"),
    Request("media-other-project", f"/project/no-such-project/media/{PNG_MEDIA}?{J}"),
    Request("media-signed-out", f"{MEDIA}/{PNG_MEDIA}", who="signed-out"),
    Request(
        "media-not-in-the-public-session",
        f"{MEDIA}/{PNG_MEDIA}?{J}&session={PUBLIC_SESSION}",
        who="signed-out",
    ),
    Request("turn-input", f"{WHOLE}{RICH_TRACE}&field=input"),
    Request("turn-output-download", f"{WHOLE}{RICH_TRACE}&field=output&download=1"),
    Request("trace-metadata", f"{WHOLE}{RICH_TRACE}&field=metadata"),
    Request("turn-bad-field", f"{WHOLE}{RICH_TRACE}&field=secrets&{J}"),
    Request("turn-missing", f"{WHOLE}no-such-trace&field=input&{J}"),
    Request(
        "turn-public",
        f"{WHOLE}{PUBLIC_TRACE}&field=output&session={PUBLIC_SESSION}",
        who="signed-out",
    ),
    Request(
        "turn-not-in-the-public-session",
        f"{WHOLE}{RICH_TRACE}&field=input&{J}&session={PUBLIC_SESSION}",
        who="signed-out",
    ),
    Request("turn-signed-out", f"{WHOLE}{PUBLIC_TRACE}&field=output", who="signed-out"),
    Request("observation-input", f"{WHOLE}{MEDIA_TRACE}&observation={MEDIA_SPAN}&field=input"),
    Request(
        "observation-input-download",
        f"{WHOLE}{MEDIA_TRACE}&observation={MEDIA_SPAN}&field=input&download=1",
    ),
    Request(
        "observation-no-output",
        f"{WHOLE}{MEDIA_TRACE}&observation={MEDIA_SPAN}&field=output&{J}",
    ),
    Request(
        "observation-signed-out",
        f"{WHOLE}{MEDIA_TRACE}&observation={MEDIA_SPAN}&field=input",
        who="signed-out",
    ),
]

SETTINGS = [
    Request("project", f"/project/{PROJECT}/settings?{J}"),
    Request("missing-project", f"/project/no-such-project/settings?{J}"),
    Request("signed-out", f"/project/{PROJECT}/settings?{J}", who="signed-out"),
    Request("evaluation", f"/project/{PROJECT}/settings/evaluation?{J}"),
    Request(
        "evaluation-signed-out", f"/project/{PROJECT}/settings/evaluation?{J}", who="signed-out"
    ),
    Request("models", f"/project/{PROJECT}/settings/models?{J}"),
    Request("models-signed-out", f"/project/{PROJECT}/settings/models?{J}", who="signed-out"),
]

# The scenario's traces are of 2026-11-23 and 24: periods ending then, not now.
DASHBOARD = [
    Request("last-7-days", f"/project/{PROJECT}/dashboard?days=7&end=2026-11-24&{J}"),
    Request("last-30-days", f"/project/{PROJECT}/dashboard?days=30&end=2026-11-30&{J}"),
    Request("bad-end", f"/project/{PROJECT}/dashboard?end=tomorrow&{J}"),
    Request("signed-out", f"/project/{PROJECT}/dashboard?{J}", who="signed-out"),
]

# The scenario holds no dataset (a dataset's id is the server's): the empty list and page
# chrome, a missing dataset and comparison, signed out.
DATASETS = [
    Request("list", f"/project/{PROJECT}/datasets?{J}"),
    Request("missing", f"/project/{PROJECT}/datasets/no-such-dataset?{J}"),
    Request("compare-missing", f"/project/{PROJECT}/datasets/no-such-dataset/compare?{J}"),
    Request("signed-out", f"/project/{PROJECT}/datasets?{J}", who="signed-out"),
]

P = f"/project/{PROJECT}/prompts"
PROMPT_PAGES = [
    Request("list", f"{P}?{J}"),
    Request("folder", f"{P}?{J}&folder=golden"),
    Request("page", f"{P}/golden%2Fanswer?{J}"),
    Request("page-version", f"{P}/golden%2Fanswer?{J}&version=1"),
    Request("page-diff", f"{P}/golden%2Fanswer?{J}&version=2&diff=1"),
    Request("page-chat", f"{P}/golden-chat?{J}"),
    Request("page-missing", f"{P}/no-such-prompt?{J}"),
    Request("page-missing-version", f"{P}/golden%2Fanswer?{J}&version=9"),
    Request("page-bad-version", f"{P}/golden%2Fanswer?{J}&version=one"),
    Request("new", f"{P}/new?{J}&folder=golden"),
    Request("list-signed-out", f"{P}?{J}", who="signed-out"),
]

_QUEUES = f"/project/{PROJECT}/queues"
ANNOTATION = [
    Request("score-configs", f"/project/{PROJECT}/settings/score-configs?{J}"),
    Request(
        "score-configs-signed-out",
        f"/project/{PROJECT}/settings/score-configs?{J}",
        who="signed-out",
    ),
    Request("queues", f"{_QUEUES}?{J}"),
    Request("queue-next-item", f"{_QUEUES}/golden-queue?{J}"),
    Request("queue-item", f"{_QUEUES}/golden-queue?{J}&item=golden-item"),
    Request("queue-missing-item", f"{_QUEUES}/golden-queue?{J}&item=no-such-item"),
    Request("queue-missing", f"{_QUEUES}/no-such-queue?{J}"),
    Request("queues-other-project", f"/project/no-such-project/queues?{J}"),
]

GROUPS = {
    "ui-auth": AUTH,
    "ui-sessions": SESSIONS_LIST,
    "ui-session-replay": REPLAY,
    "ui-public-session": PUBLIC_VIEW,
    "ui-traces": TRACES_LIST,
    "ui-trace-page": TRACE_PAGE,
    "ui-content": CONTENT,
    "ui-settings": SETTINGS,
    "ui-prompts": PROMPT_PAGES,
    "ui-datasets": DATASETS,
    "ui-dashboard": DASHBOARD,
    "ui-annotation": ANNOTATION,
}
