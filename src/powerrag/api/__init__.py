"""The public HTTP API, wire-compatible with Langfuse's (`spec/openapi.yml`)."""
