"""Score configs, annotation queues with their items and assignments

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def _owned(name: str) -> list[sa.Column[str] | sa.Constraint]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=f"fk_{name}_project_id_projects"
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
    ]


def upgrade() -> None:
    # Ids are per project: an id a caller chose (or a copied project) may repeat elsewhere.
    op.create_table(
        "score_configs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_score_configs_project_id_projects"
        ),
        sa.PrimaryKeyConstraint("project_id", "id", name="pk_score_configs"),
        sa.Column("name", sa.String(length=35), nullable=False),
        sa.Column("data_type", sa.String(length=16), nullable=False),
        sa.Column("is_archived", sa.Boolean(), nullable=False),
        sa.Column("min_value", sa.Float(), nullable=True),
        sa.Column("max_value", sa.Float(), nullable=True),
        sa.Column("categories", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
    )
    op.create_index("ix_score_configs_project", "score_configs", ["project_id", "name"])
    op.create_table(
        "annotation_queues",
        *_owned("annotation_queues"),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("score_config_ids", sa.Text(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.UniqueConstraint("project_id", "name", name="uq_annotation_queues_project_id_name"),
    )
    op.create_table(
        "annotation_queue_items",
        *_owned("annotation_queue_items"),
        sa.Column("queue_id", sa.String(length=36), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("object_type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _time("completed_at", nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["annotation_queues.id"],
            name="fk_annotation_queue_items_queue_id_annotation_queues",
        ),
    )
    op.create_index(
        "ix_annotation_queue_items_queue",
        "annotation_queue_items",
        ["project_id", "queue_id", "status", "created_at"],
    )
    op.create_table(
        "annotation_queue_assignments",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("queue_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        _time("created_at"),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["annotation_queues.id"],
            name="fk_annotation_queue_assignments_queue_id_annotation_queues",
        ),
        sa.PrimaryKeyConstraint(
            "project_id", "queue_id", "user_id", name="pk_annotation_queue_assignments"
        ),
    )
