"""Domain records and rules: the nouns of Langfuse and OpenTelemetry, stdlib only."""
