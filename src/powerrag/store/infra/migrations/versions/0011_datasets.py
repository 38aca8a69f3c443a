"""Datasets, dataset items, dataset runs and their run items (Langfuse's datasets API)

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _time(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def _dataset_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["dataset_id"], ["datasets.id"], name=f"fk_{table}_dataset_id_datasets"
    )


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_datasets_project_id_projects"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_datasets"),
        sa.UniqueConstraint("project_id", "name", name="uq_datasets_project_id_name"),
    )
    op.create_table(
        "dataset_items",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("dataset_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("input", sa.Text(), nullable=True),
        sa.Column("expected_output", sa.Text(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        sa.Column("source_trace_id", sa.String(length=64), nullable=True),
        sa.Column("source_observation_id", sa.String(length=64), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _dataset_fk("dataset_items"),
        sa.PrimaryKeyConstraint("project_id", "id", name="pk_dataset_items"),
    )
    op.create_index("ix_dataset_items_dataset", "dataset_items", ["dataset_id", "created_at"])
    op.create_index(
        "ix_dataset_items_source_trace", "dataset_items", ["project_id", "source_trace_id"]
    )
    op.create_table(
        "dataset_runs",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("dataset_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("metadata", sa.Text(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _dataset_fk("dataset_runs"),
        sa.PrimaryKeyConstraint("project_id", "id", name="pk_dataset_runs"),
        sa.UniqueConstraint("dataset_id", "name", name="uq_dataset_runs_dataset_id_name"),
    )
    op.create_table(
        "dataset_run_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("dataset_item_id", sa.String(length=255), nullable=False),
        sa.Column("trace_id", sa.String(length=64), nullable=False),
        sa.Column("observation_id", sa.String(length=64), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_dataset_run_items"),
        sa.UniqueConstraint(
            "project_id",
            "run_id",
            "dataset_item_id",
            "trace_id",
            name="uq_dataset_run_items_link",
        ),
    )
    op.create_index(
        "ix_dataset_run_items_item", "dataset_run_items", ["project_id", "dataset_item_id"]
    )
