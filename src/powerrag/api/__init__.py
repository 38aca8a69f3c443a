"""The public HTTP API, wire-compatible with Langfuse's (`tests/data/openapi.yml`)."""
