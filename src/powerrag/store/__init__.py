"""Storage: one schema on SQLite and PostgreSQL, idempotent writes, read queries."""
