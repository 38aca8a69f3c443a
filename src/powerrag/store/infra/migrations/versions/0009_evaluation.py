"""LLM connections, LLM-as-judge evaluators, evaluation rules; a session's end request

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _time(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


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
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "end_requested", sa.Boolean(), nullable=False, server_default=sa.text("false")
            )
        )
    op.create_table(
        "llm_connections",
        *_owned("llm_connections"),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("adapter", sa.String(length=32), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=True),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("display_secret_key", sa.String(length=32), nullable=False),
        sa.Column("custom_models", sa.Text(), nullable=False),
        sa.Column("with_default_models", sa.Boolean(), nullable=False),
        sa.Column("extra_header_keys", sa.Text(), nullable=False),
        sa.Column("config", sa.Text(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.UniqueConstraint(
            "project_id", "provider", name="uq_llm_connections_project_id_provider"
        ),
    )
    op.create_table(
        "evaluators",
        *_owned("evaluators"),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("output_definition", sa.Text(), nullable=False),
        sa.Column("model_config", sa.Text(), nullable=True),
        sa.Column("mapping", sa.Text(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.UniqueConstraint("project_id", "name", name="uq_evaluators_project_id_name"),
    )
    op.create_table(
        "evaluation_rules",
        *_owned("evaluation_rules"),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("evaluator_id", sa.String(length=36), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("sampling", sa.Float(), nullable=False),
        sa.Column("delay_ms", sa.BigInteger(), nullable=False),
        sa.Column("filters", sa.Text(), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.ForeignKeyConstraint(
            ["evaluator_id"], ["evaluators.id"], name="fk_evaluation_rules_evaluator_id_evaluators"
        ),
        sa.UniqueConstraint("project_id", "name", name="uq_evaluation_rules_project_id_name"),
    )
