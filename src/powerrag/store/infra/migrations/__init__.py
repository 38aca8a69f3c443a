"""Alembic migration scripts (forward-only, ordered names)."""
