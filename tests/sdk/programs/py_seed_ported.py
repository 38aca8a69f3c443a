"""The user document's three Python blocks ported to langfuse 4.x/5.x, which removed
update_current_trace/update_trace (-> propagate_attributes) and start_as_current_span/
start_as_current_generation (-> start_as_current_observation)."""

from langfuse import get_client, observe, propagate_attributes

result = "request processed"


# Block 1: the decorator.
@observe()
def process_request():
    with propagate_attributes(session_id="your-session-id"):
        return result


# Block 2: spans created directly.
langfuse = get_client()
with (
    langfuse.start_as_current_observation(name="process-chat-message") as root_span,
    propagate_attributes(session_id="chat-session-123"),
    root_span.start_as_current_observation(
        name="generate-response", as_type="generation", model="gpt-4o"
    ),
):
    pass

# Block 3: no reference to the span.
with (
    langfuse.start_as_current_observation(name="another-operation"),
    propagate_attributes(session_id="your-session-id"),
):
    pass

process_request()
langfuse.flush()
langfuse.shutdown()
