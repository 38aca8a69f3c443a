"""Store infrastructure: engines, dialect, schema, migrations, statistics, change feed."""
