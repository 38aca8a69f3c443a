"""session evaluation, the rest: the score filter's index, an alert's body format

Revision ID: 0015
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_scores_project_name", "scores", ["project_id", "name"])
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("body_format", sa.String(length=16), nullable=False, server_default="json")
        )
