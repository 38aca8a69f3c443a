"""`powerrag export` / `powerrag import`: a project moves between engines with every field,
media bytes included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from powerrag import cli
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store import accounts
from powerrag.store.comments import add_comment
from powerrag.store.database import Store
from powerrag.store.infra.schema import metadata, traces
from powerrag.store.memberships import (
    MEMBER,
    OWNER,
    list_members,
    projects_of,
    set_membership,
)
from powerrag.store.sessions import set_session_flag
from powerrag.store.transfer import TransferError, import_project
from powerrag.store.users import insert_user
from tests.support.bodies import PROTOBUF
from tests.support.genai_logs import LOGS_PATH, chat_events, protobuf_logs_body
from tests.support.judges import set_up_judge
from tests.support.media import PNG, upload
from tests.support.pg import PostgresServer, unique_db_name
from tests.support.project import AUTH, PROJECT_ID, PUBLIC_KEY, SECRET_KEY
from tests.support.recorded import writes
from tests.support.search import index_now

TRAFFIC = ["python-langfuse-5.0.4-rich.jsonl", "js-tracing-5.11.1-rich.jsonl"]
OTHER = "other-project"


def _url(engine: str, request: pytest.FixtureRequest, path: Path) -> Iterator[str]:
    if engine == "sqlite":
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = unique_db_name("transfer")
    yield server.create_database(name)
    server.drop_database(name)


DIRECTIONS = [
    pytest.param(("sqlite", "postgresql"), id="sqlite-to-postgresql", marks=pytest.mark.postgres),
    pytest.param(("postgresql", "sqlite"), id="postgresql-to-sqlite", marks=pytest.mark.postgres),
    pytest.param(("sqlite", "sqlite"), id="sqlite-to-sqlite"),
]


@pytest.fixture(params=DIRECTIONS)
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    source, target = request.param
    sources = _url(source, request, tmp_path / "source.db")
    targets = _url(target, request, tmp_path / "target.db")
    yield next(sources), next(targets)
    for rest in (sources, targets):
        next(rest, None)


def _fill(url: str, data_dir: Path) -> None:
    """Recorded SDK traffic plus everything the UI adds: users, comments, bookmarks."""
    store = Store.open(url)
    with store.transaction() as conn:
        accounts.create_project(conn, "Test project", PROJECT_ID)
        accounts.create_api_key(conn, PROJECT_ID, public_key=PUBLIC_KEY, secret_key=SECRET_KEY)
        accounts.create_api_key(conn, PROJECT_ID, note="second key")
        accounts.create_project(conn, "Not exported", OTHER)
        accounts.create_api_key(conn, OTHER)
        user = insert_user(conn, "ana@example.com", "Ana", "$argon2id$v=19$hash", is_admin=True)
        member = insert_user(conn, "bo@example.com", None, "$argon2id$v=19$hash", is_admin=False)
        set_membership(conn, PROJECT_ID, member.id, MEMBER)
        set_membership(conn, OTHER, member.id, OWNER)
    app = create_app(Settings(data_dir=data_dir), store=store)
    with TestClient(app, headers={"authorization": AUTH}) as client:
        for name in TRAFFIC:
            for rec in writes(name):
                response = client.post(rec.url, content=rec.body, headers=rec.replay_headers())
                assert response.status_code < 300, response.text
        # Media bytes (a LargeBinary column) travel too, as base64 in the JSON lines.
        trace = client.get("/api/public/traces", params={"limit": 1}).json()["data"][0]
        upload(client, PNG, "image/png", trace["id"], trace["observations"][0])
        upload(client, bytes(range(256)), "application/octet-stream", trace["id"], None, "output")
        # GenAI content sent as log events, for a span that has not come (yet).
        logs = protobuf_logs_body(chat_events("c1" * 16, "c2" * 8))
        assert client.post(LOGS_PATH, content=logs, headers=PROTOBUF).status_code == 200
        check = {"name": "long", "check": "turns", "threshold": 3}
        alert = {
            "name": "spend",
            "metric": "session_cost",
            "threshold": 1,
            "webhookUrl": "http://h/x",
        }
        assert client.post("/api/public/checks", json=check).status_code == 201
        assert client.post("/api/public/alerts", json={**alert, "secret": "s"}).status_code == 201
        model = {"modelName": "house", "matchPattern": "^house$", "unit": "TOKENS", "totalPrice": 1}
        assert client.post("/api/public/models", json=model).status_code == 200
        index_now(client)
        set_up_judge(client, "http://judge.invalid/v1")
        for version in (1, 2):
            prompt = {"name": "qa/answer", "prompt": f"v{version} {{{{q}}}}", "tags": ["qa"]}
            made = client.post("/api/public/v2/prompts", json={**prompt, "labels": ["production"]})
            assert made.status_code == 201, made.text
        # A dataset with an item and a run linking it to a trace.
        dataset = {"name": "golden", "description": "cases", "metadata": {"v": 1}}
        assert client.post("/api/public/v2/datasets", json=dataset).status_code == 200
        item = {"datasetName": "golden", "id": "case-1", "input": "q", "expectedOutput": "a"}
        assert client.post("/api/public/dataset-items", json=item).status_code == 200
        link = {"runName": "nightly", "datasetItemId": "case-1", "traceId": trace["id"]}
        assert client.post("/api/public/dataset-run-items", json=link).status_code == 200
        # A score config and an annotation queue holding a trace, assigned to the member.
        config = {"name": "csat", "dataType": "NUMERIC", "minValue": 1, "maxValue": 5}
        config_id = client.post("/api/public/score-configs", json=config).json()["id"]
        queue = {"name": "triage", "scoreConfigIds": [config_id]}
        queue_id = client.post("/api/public/annotation-queues", json=queue).json()["id"]
        queued = f"/api/public/annotation-queues/{queue_id}"
        item = {"objectType": "TRACE", "objectId": trace["id"]}
        assert client.post(f"{queued}/items", json=item).status_code == 200
        assigned = client.post(f"{queued}/assignments", json={"userId": member.id})
        assert assigned.status_code == 200, assigned.text
    with store.transaction() as conn:
        trace_id = conn.execute(select(traces.c.id).limit(1)).scalar_one()
        conn.execute(update(traces).where(traces.c.id == trace_id).values(bookmarked=True))
        session_id = conn.execute(
            select(traces.c.session_id).where(traces.c.session_id.is_not(None)).limit(1)
        ).scalar_one()
        assert set_session_flag(conn, PROJECT_ID, session_id, "public", True)
        add_comment(conn, PROJECT_ID, "TRACE", trace_id, "looks **right**", user.id, 1)
    store.close()


# Rows of the installation, not of any project: each database keeps its own (a sign-in
# is a browser's session on this installation; it does not travel with a project; jobs
# are the installation's work, store/transfer.py; so are its background workers' leases).
INSTANCE_TABLES = {"instance_secrets", "sign_ins", "jobs", "worker_leases"}


def _rows(url: str, project_id: str = PROJECT_ID) -> dict[str, list[dict[str, Any]]]:
    store = Store.open(url, migrate_on_start=False)
    result: dict[str, list[dict[str, Any]]] = {}
    with store.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in INSTANCE_TABLES:
                continue
            query = select(table).order_by(*table.primary_key.columns)
            if table.name == "projects":
                query = query.where(table.c.id == project_id)
            elif "project_id" in table.c:
                query = query.where(table.c.project_id == project_id)
            result[table.name] = [dict(r) for r in conn.execute(query).mappings()]
    store.close()
    return result


def _documents(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(r["trace_id"] for r in rows)


# Indexed on both sides before the comparison: no trace is left marked.
EMPTY_AFTER_INDEXING = {"search_pending"}


def _exported_source(tmp_path: Path) -> Path:
    """A filled SQLite source database's project, exported through the CLI."""
    source = f"sqlite:///{tmp_path / 'source.db'}"
    _fill(source, tmp_path)
    exported = tmp_path / "project.jsonl"
    command = ["export", "--project", PROJECT_ID, "--out", str(exported), "--database-url", source]
    assert cli.main(command) == 0
    return exported


def test_a_project_round_trips_with_every_field(
    urls: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = urls
    _fill(source, tmp_path)
    exported = tmp_path / "project.jsonl"

    assert (
        cli.main(
            ["export", "--project", PROJECT_ID, "--out", str(exported), "--database-url", source]
        )
        == 0
    )
    assert cli.main(["import", str(exported), "--database-url", target]) == 0
    assert cli.main(["import", str(exported), "--database-url", target]) == 0  # idempotent

    expected, stored = _rows(source), _rows(target)
    for table, rows in expected.items():
        if table in EMPTY_AFTER_INDEXING:
            assert rows == stored[table] == [], table
            continue
        assert rows, f"the fixture left {table} empty"
        if table == "search_documents":
            # Not exported: built after import, in the target engine's own form.
            assert _documents(stored[table]) == _documents(rows)
            continue
        assert stored[table] == rows, table
    assert _rows(target, OTHER)["projects"] == []
    out = capsys.readouterr().out
    assert f"imported project {PROJECT_ID}: 1 projects, 2 api_keys," in out
    traces_stored = len(expected["traces"])
    assert out.count(f"indexed {traces_stored} traces for search") == 2


def test_a_truncated_export_is_refused_and_imports_nothing(
    database_url: str, tmp_path: Path
) -> None:
    exported = _exported_source(tmp_path)
    lines = exported.read_bytes().splitlines(keepends=True)
    target = Store.open(database_url)

    with pytest.raises(TransferError, match="truncated"), target.transaction() as conn:
        import_project(conn, lines[:-1])
    with (
        pytest.raises(TransferError, match="differ from its end line"),
        target.transaction() as conn,
    ):
        import_project(conn, [*lines[:-2], lines[-1]])
    with (
        pytest.raises(TransferError, match="not a PowerRAG project export"),
        target.transaction() as conn,
    ):
        import_project(conn, lines[1:])

    with target.connect() as conn:
        assert conn.execute(select(traces.c.id)).first() is None
    target.close()


def test_import_of_a_different_schema_is_refused(database_url: str) -> None:
    header = {"format": "powerrag-project", "version": 1, "schema": "0000", "project_id": "p"}
    store = Store.open(database_url)

    with pytest.raises(TransferError, match="database schema 0000"), store.transaction() as conn:
        import_project(conn, [orjson.dumps(header)])
    store.close()


def test_export_of_an_unknown_project_is_a_clear_error(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.jsonl"

    assert (
        cli.main(["export", "--project", "nope", "--out", str(out), "--database-url", database_url])
        == 2
    )
    assert (
        capsys.readouterr().err
        == "powerrag: no project with id 'nope' (see `powerrag project list`)\n"
    )


def test_memberships_follow_an_account_that_exists_under_another_id(
    database_url: str, tmp_path: Path
) -> None:
    exported = _exported_source(tmp_path)
    target = Store.open(database_url)
    with target.transaction() as conn:
        local = insert_user(conn, "bo@example.com", "Bo here", "$argon2id$v=19$x", is_admin=False)

    with target.transaction() as conn:
        import_project(conn, exported.read_bytes().splitlines(keepends=True))

    with target.connect() as conn:
        members = list_members(conn, PROJECT_ID)
        mine = projects_of(conn, local.id)
    assert [(m.user_id, m.email, m.name, m.role) for m in members] == [
        (local.id, "bo@example.com", "Bo here", MEMBER)
    ]
    # Only the exported project's memberships travel, not the account's role in OTHER.
    assert [p.id for p in mine] == [PROJECT_ID]
    target.close()
