"""Prompt management: prompt versions, their labels, a prompt's tags; generations by prompt

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prompts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("commit_message", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_prompts_project_id_projects"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_prompts"),
        sa.UniqueConstraint(
            "project_id", "name", "version", name="uq_prompts_project_id_name_version"
        ),
    )
    op.create_table(
        "prompt_labels",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("label", sa.String(length=36), nullable=False),
        sa.Column("prompt_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["prompt_id"], ["prompts.id"], name="fk_prompt_labels_prompt_id_prompts"
        ),
        sa.PrimaryKeyConstraint("project_id", "name", "label", name="pk_prompt_labels"),
    )
    op.create_table(
        "prompt_tags",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("tag", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "name", "tag", name="pk_prompt_tags"),
    )
    op.create_index(
        "ix_observations_project_prompt",
        "observations",
        ["project_id", "prompt_name", "prompt_version"],
        sqlite_where=sa.text("prompt_name IS NOT NULL"),
        postgresql_where=sa.text("prompt_name IS NOT NULL"),
    )
