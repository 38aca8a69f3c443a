"""session evaluation, the rest: the score filter's index

Revision ID: 0015
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_scores_project_name", "scores", ["project_id", "name"])
