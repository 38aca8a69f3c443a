"""session evaluation, the rest: the score filter's index; an alert's body format and its
signing secret encrypted

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import secrets
import time

import sqlalchemy as sa
from alembic import op

from powerrag import secretbox

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_scores_project_name", "scores", ["project_id", "name"])
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("body_format", sa.String(length=16), nullable=False, server_default="json")
        )
        batch_op.add_column(sa.Column("display_secret", sa.String(length=32), nullable=True))
    _seal_clear_secrets(op.get_bind())


def _seal_clear_secrets(conn: sa.Connection) -> None:
    """Alert secrets were kept in clear: each becomes a secretbox token under the instance
    secret LLM connection keys use (created here if no connection made it yet)."""
    clear = conn.execute(sa.text("SELECT id, secret FROM alerts WHERE secret IS NOT NULL")).all()
    if not clear:
        return
    master = _instance_secret(conn)
    for alert_id, secret in clear:
        sealed: dict[str, str | None] = {"token": None, "shown": None}
        if secret:
            sealed = {
                "token": secretbox.seal(master, secret.encode()),
                "shown": secretbox.masked(secret),
            }
        conn.execute(
            sa.text("UPDATE alerts SET secret = :token, display_secret = :shown WHERE id = :id"),
            {**sealed, "id": alert_id},
        )


def _instance_secret(conn: sa.Connection) -> str:
    query = sa.text("SELECT value FROM instance_secrets WHERE name = :name")
    found = conn.execute(query, {"name": secretbox.SECRET_NAME}).scalar()
    if found is not None:
        return str(found)
    value = secrets.token_hex(32)
    conn.execute(
        sa.text(
            "INSERT INTO instance_secrets (name, value, created_at) VALUES (:name, :value, :at)"
        ),
        {"name": secretbox.SECRET_NAME, "value": value, "at": time.time_ns() // 1000},
    )
    return value
