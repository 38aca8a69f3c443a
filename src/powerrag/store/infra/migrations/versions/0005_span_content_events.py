"""GenAI message content sent as OTLP log events, kept by the span it names

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "span_content_events",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("observation_id", sa.String(length=64), nullable=False),
        sa.Column("event_key", sa.String(length=32), nullable=False),
        sa.Column("trace_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("time_ns", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("choice_index", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "project_id", "observation_id", "event_key", name=op.f("pk_span_content_events")
        ),
    )
    with op.batch_alter_table("span_content_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_span_content_events_project_received", ["project_id", "received_at"], unique=False
        )
        batch_op.create_index(
            "ix_span_content_events_project_trace", ["project_id", "trace_id"], unique=False
        )
