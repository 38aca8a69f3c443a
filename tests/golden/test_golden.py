"""Golden answers: every read of the API and every UI page's JSON twin, byte for byte.

The scenario (scenario.py) replays every recorded SDK write into one project, adds
scores of each data type and source, signs an admin in, comments, bookmarks and
publishes. The requests (api_requests.py, ui_requests.py) are answered and compared
with tests/golden/data/<group>.json: status, content type, redirect target and the
exact body text. A GET route that no request reaches fails the test, so a new route
joins the goldens on purpose.

Normalised, and nothing else, because they differ from run to run:

- Times from the server clock, shown as "<server clock>": any ISO time in an answer
  later than `scenario.CLOCK_CUTOFF` (every time the recorded SDKs and the scenario
  send is earlier). These are `createdAt`/`updatedAt` of traces, observations and
  scores (set when written), the comments' `createdAt` and the API key's `createdAt`
  on the settings page. Times the SDKs sent, and those derived from them (a session's
  `createdAt` is its first trace's timestamp), stay as they are.
- Ids the server draws at random (uuid4), named after their row: the comments' ids
  (`<id of comment N>`), the API key's id (`<id of API key pk-lf-test>`), the prompt
  versions' ids (`<id of prompt NAME vN>`) and the
  admin's user id (`<id of author N>` as the author of a comment or score, or
  `<id of user EMAIL>` among the settings page's administrators, whichever the
  answers show first). Ids the SDKs and the scenario send stay as they are.

Neither `create_app` nor `Store` takes a clock, so times cannot be pinned instead.

On SQLite, PostgreSQL and PostgreSQL + ClickHouse (the `database_url` fixture of
tests/conftest.py, `with_clickhouse`): the same golden files hold on every engine, NULLs included (they sort as the smallest value on
both, store/traces.py). A rewrite writes SQLite's answers and PostgreSQL's run compares.

Rewrite the goldens with `POWERRAG_GOLDEN_WRITE=1` or `python -m tests.golden.generate`.
"""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient

from powerrag.store.database import Store
from tests.golden import api_requests, files, ui_requests
from tests.golden.recording import Recorder, Request, generated_ids, normalise
from tests.golden.routes import EXEMPT, get_routes, route_of
from tests.golden.scenario import build_world
from tests.support.clickhouse import with_clickhouse

GROUPS: dict[str, list[Request]] = {**api_requests.GROUPS, **ui_requests.GROUPS}
WRITE = os.environ.get("POWERRAG_GOLDEN_WRITE") == "1"


def test_every_get_route_has_golden_requests(client: TestClient) -> None:
    routes = set(get_routes(client.app))
    reached = {route_of(client.app, r.url) for group in GROUPS.values() for r in group}
    missing = routes - reached - set(EXEMPT)
    assert not missing, f"GET routes without golden requests (add them to the tables): {missing}"


def test_every_request_name_is_unique_in_its_group() -> None:
    for group, requests in GROUPS.items():
        names = [r.name for r in requests]
        assert len(names) == len(set(names)), group


# The same goldens on PostgreSQL + ClickHouse: the recorded SDK traffic answers the same.
@with_clickhouse
def test_answers_match_the_goldens(client: TestClient, store: Store) -> None:
    build_world(client, store)
    raw = {group: Recorder(client).record_all(requests) for group, requests in GROUPS.items()}
    ids = generated_ids([answer for group in raw.values() for answer in group])
    answers = {group: normalise(got, ids) for group, got in raw.items()}
    if WRITE and store.dialect == "sqlite":  # written from SQLite; PostgreSQL compares with them
        for group, got in answers.items():
            files.write(group, got)
        pytest.skip(f"rewrote {len(answers)} golden files in {files.DATA}")
    stale = {p.stem for p in files.DATA.glob("*.json")} - set(GROUPS)
    assert not stale, f"golden files of no group (delete them): {stale}"
    found = [text for group, got in answers.items() for text in files.differences(group, got)]
    assert not found, files.report(found)
