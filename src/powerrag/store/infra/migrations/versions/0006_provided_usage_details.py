"""observation usage details as the SDK sent them, beside the counted (normalised) ones

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows stored before keep only the counted details, which the API then answers, as before.
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provided_usage_details", sa.Text(), nullable=True))
