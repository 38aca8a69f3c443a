"""Migration 0015 encrypts the alert secrets stored in clear before it (both engines)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text

from powerrag import secretbox
from powerrag.app import create_app
from powerrag.config import Settings
from powerrag.store import accounts
from powerrag.store.database import Store
from powerrag.store.infra import migrate
from tests.support.project import AUTH, PROJECT_ID

LONG, SHORT = "a long signing secret 1234", "s3cret"


def _rewind_to_before_0015(store: Store) -> None:
    """Undo what 0015 made, and put the clear secrets of before it in place."""
    with store.transaction() as conn:
        conn.execute(text("DROP INDEX ix_scores_project_name"))
        conn.execute(text("ALTER TABLE alerts DROP COLUMN body_format"))
        conn.execute(text("ALTER TABLE alerts DROP COLUMN display_secret"))
        conn.execute(text("DELETE FROM instance_secrets"))
        for alert_id, secret in (("a-long", LONG), ("a-short", SHORT), ("a-none", None)):
            conn.execute(
                text(
                    "INSERT INTO alerts (id, project_id, name, metric, threshold, webhook_url,"
                    " secret, enabled, created_at, updated_at) VALUES (:id, :project, :id,"
                    " 'session_cost', 1.0, 'http://127.0.0.1:9/x', :secret, true, 1, 1)"
                ),
                {"id": alert_id, "project": PROJECT_ID, "secret": secret},
            )
        before = migrate.REVISIONS[migrate.REVISIONS.index("0015") - 1]
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": before})


def test_clear_secrets_become_tokens_shown_masked(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    _rewind_to_before_0015(store)
    command.upgrade(migrate.alembic_config(database_url), "0015")
    with store.connect() as conn:
        master = accounts.peek_instance_secret(conn, secretbox.SECRET_NAME)
        rows = conn.execute(
            text("SELECT id, secret, display_secret, body_format FROM alerts ORDER BY id")
        ).all()
    assert master is not None
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("a-long", "...1234", "json"),
        ("a-none", None, "json"),
        ("a-short", "...", "json"),
    ]
    tokens = {r[0]: r[1] for r in rows}
    assert tokens["a-none"] is None
    assert secretbox.unseal(master, tokens["a-long"]) == LONG.encode()
    assert secretbox.unseal(master, tokens["a-short"]) == SHORT.encode()
    assert LONG not in tokens["a-long"] and SHORT not in tokens["a-short"]
    # The app starts after the migration: its background worker reads the alerts.
    app = create_app(Settings(data_dir=tmp_path, lifecycle_interval_seconds=0), store=store)
    with TestClient(app, headers={"authorization": AUTH}) as client:
        shown = client.get("/api/public/alerts").json()["data"]
    assert [(a["id"], a["hasSecret"], a["displaySecret"]) for a in shown] == [
        ("a-long", True, "...1234"),
        ("a-none", False, None),
        ("a-short", True, "..."),
    ]
