"""media uploaded by the SDKs: records, bytes and the traces they were found in

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("content_length", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_at", sa.BigInteger(), nullable=True),
        sa.Column("upload_http_status", sa.Integer(), nullable=True),
        sa.Column("upload_http_error", sa.Text(), nullable=True),
        sa.Column("upload_time_ms", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("project_id", "id", name=op.f("pk_media")),
    )
    op.create_table(
        "media_blobs",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("media_id", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "media_id", name=op.f("pk_media_blobs")),
    )
    op.create_table(
        "media_links",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("trace_id", sa.String(length=64), nullable=False),
        sa.Column("observation_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("media_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "project_id",
            "trace_id",
            "observation_id",
            "field",
            "media_id",
            name=op.f("pk_media_links"),
        ),
    )
    with op.batch_alter_table("media_links", schema=None) as batch_op:
        batch_op.create_index(
            "ix_media_links_project_media", ["project_id", "media_id"], unique=False
        )
