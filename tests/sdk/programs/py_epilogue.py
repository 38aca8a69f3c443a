# Epilogue for a Python block: call what the block defined, then export every span.
from langfuse import get_client

if "process_request" in globals():
    globals()["process_request"]()
get_client().flush()
get_client().shutdown()
