"""A project's own model prices (Langfuse's custom model definitions)

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("model_name", sa.String(length=200), nullable=False),
        sa.Column("match_pattern", sa.Text(), nullable=False),
        sa.Column("start_date", sa.BigInteger(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("tokenizer_id", sa.String(length=64), nullable=True),
        sa.Column("tokenizer_config", sa.Text(), nullable=True),
        sa.Column("pricing_tiers", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_models_project_id_projects"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_models"),
        sa.UniqueConstraint("project_id", "model_name", name="uq_models_project_id_model_name"),
    )
