"""full-text search: a document per trace in each engine's index, and marks of traces to index

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# FTS5 external content over search_documents, kept in step by triggers
# (https://www.sqlite.org/fts5.html#external_content_tables). Tokens arrive already split
# (store/search.py): unicode61 only separates them at spaces; diacritics stay as written.
# detail=none: documents hold each token once and queries need no positions.
_SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_documents', "
    "content_rowid='id', detail=none, tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    # An upsert sets `body` even when it is unchanged: only a change costs index work.
    "CREATE TRIGGER search_documents_au AFTER UPDATE OF body ON search_documents "
    "WHEN old.body IS NOT new.body BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO search_fts(rowid, body) VALUES (new.id, new.body); END",
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "search_documents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("trace_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text().with_variant(TSVECTOR(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint(
            "project_id", "trace_id", name=op.f("uq_search_documents_project_id_trace_id")
        ),
    )
    if sqlite:
        for statement in _SQLITE_INDEX:
            op.execute(statement)
    else:
        op.execute("CREATE INDEX ix_search_documents_body ON search_documents USING gin (body)")
    op.create_table(
        "search_pending",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("trace_id", sa.String(length=64), nullable=False),
        sa.Column("marked_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "trace_id", name=op.f("pk_search_pending")),
    )
    # The traces stored before this migration are marked, not indexed here: the search
    # indexer builds their documents once the server runs (powerrag/search_indexer.py).
    op.execute(
        sa.text(
            "INSERT INTO search_pending (project_id, trace_id, marked_at) "
            "SELECT project_id, id, :now FROM traces"
        ).bindparams(now=time.time_ns() // 1000)
    )
