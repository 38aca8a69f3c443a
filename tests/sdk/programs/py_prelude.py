# Prelude for a Python block of the user's document: only the names the block uses undefined.
from langfuse import get_client

# Block 1's process_request() returns `result`, which the document never defines.
result = "request processed"
# Block 3 uses the client that block 2 creates with get_client().
langfuse = get_client()
