"""PowerRAG: a self-hosted LLM tracing server that speaks the Langfuse wire protocol."""

__version__ = "0.1.0"
