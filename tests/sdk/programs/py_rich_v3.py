"""Rich scenario on langfuse 3.x (update_trace / start_as_current_span API); the expected result
is tests/sdk/expected/rich.json. Names and values are fixed so the read-back is deterministic."""

from langfuse import get_client

SESSION = "rich-session"
USER = "user-42"
CHAT = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is the capital of France?"},
]

langfuse = get_client()


def rich_trace():
    with langfuse.start_as_current_span(
        name="rich-root",
        input={"question": "What is the capital of France?"},
        metadata={"component": "router"},
    ) as root:
        root.update_trace(
            name="rich-trace",
            user_id=USER,
            session_id=SESSION,
            tags=["tag-a", "tag-b"],
            metadata={"tenant": "acme"},
        )
        with root.start_as_current_span(
            name="retrieve", input={"query": "capital of France"}
        ) as retrieve:
            with retrieve.start_as_current_observation(
                name="embed-query",
                as_type="embedding",
                model="text-embedding-3-small",
                usage_details={"input": 8},
            ):
                pass
            retrieve.update(output=["doc-1", "doc-2"])
        # Provided cost is authoritative: no price lookup for this generation.
        with root.start_as_current_generation(name="llm-call", model="gpt-4o", input=CHAT) as gen:
            gen.update(
                output={"role": "assistant", "content": "Paris"},
                usage_details={"input": 12, "output": 3},
                cost_details={"input": 0.00012, "output": 0.00009},
            )
        # No cost given: the server infers it from the gpt-4o price.
        with root.start_as_current_generation(
            name="llm-inferred", model="gpt-4o", input="Summarise the answer."
        ) as gen:
            gen.update(output="Paris is the capital.", usage_details={"input": 100, "output": 20})
        with root.start_as_current_span(name="failing-step") as failing:
            failing.update(level="ERROR", status_message="upstream timeout")
        try:
            with root.start_as_current_span(name="raising-step"):
                raise ValueError("boom")
        except ValueError:
            pass
        langfuse.score_current_trace(name="user-feedback", value=1, data_type="BOOLEAN")
        root.update(output={"answer": "Paris"})


def turn(number):
    message, reply = f"user message {number}", f"assistant reply {number}"
    with langfuse.start_as_current_span(
        name=f"turn-{number:02d}", input={"turn": number, "message": message}
    ) as span:
        span.update_trace(user_id=USER, session_id=SESSION)
        with span.start_as_current_generation(
            name="chat-llm", model="gpt-4o", input=[{"role": "user", "content": message}]
        ) as gen:
            gen.update(
                output={"role": "assistant", "content": reply},
                usage_details={"input": 10 + number, "output": 5 + number},
            )
        span.update(output=reply)


rich_trace()
for number in range(1, 21):
    turn(number)
langfuse.create_score(name="session-rating", value=4, session_id=SESSION, data_type="NUMERIC")
langfuse.flush()
langfuse.shutdown()
