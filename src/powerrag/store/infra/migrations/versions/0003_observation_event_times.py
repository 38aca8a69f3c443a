"""observation event times, so a late, older update never overwrites newer data

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows stored before have no time: the next version of each replaces it, as before.
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_time", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("field_times", sa.Text(), nullable=True))
