"""Python SDK 3.15/4.x/5.x: session and user ids set through metadata (Python SDK 5 JSON-encodes
metadata values), a generation with OpenAI-style usage keys, a list model parameter and an
empty output, and a numeric trace score. Read back by tests/sdk/test_ids_and_fields.py."""

from langfuse import get_client, propagate_attributes

langfuse = get_client()

with (
    langfuse.start_as_current_observation(name="ids-root", input="hello") as root,
    propagate_attributes(
        metadata={"langfuse_session_id": "会话-meta-1", "langfuse_user_id": "user-meta-1"}
    ),
):
    with root.start_as_current_observation(
        name="ids-llm", as_type="generation", model="gpt-4o", input="question"
    ) as gen:
        gen.update(
            output="",
            usage_details={"prompt_tokens": 100, "completion_tokens": 20},
            model_parameters={"temperature": 0.2, "stop": ["a", "b"]},
        )
    root.score_trace(name="quality", value=0.5, data_type="NUMERIC")
    root.update(output="bye")

langfuse.flush()
