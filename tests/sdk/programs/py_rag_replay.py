"""A RAG support chat on langfuse 4.x/5.x for the Session Replay's tests: three turns, each
retrieving three scored documents (LangChain Documents), calling a tool and an LLM; the
third turn's tool fails. Usage: python py_rag_replay.py SESSION_ID"""

import sys
import time

from langfuse import get_client, propagate_attributes

SESSION = sys.argv[1]
USER = "sdk-rag-user"
DOCUMENTS = [
    {
        "page_content": "Refunds are accepted within 30 days of delivery.",
        "metadata": {"title": "Refund policy", "score": 0.92},
    },
    {
        "page_content": "Headphones carry a two-year warranty.",
        "metadata": {"source": "warranty.md", "score": 0.81},
    },
    {
        "page_content": "Refunds reach the card in 5-7 business days.",
        "metadata": {"title": "Refund timing", "score": 0.47},
    },
]
TURNS = [
    (
        "Can I return my headphones?",
        {"order_id": "A-10023"},
        {"status": "delivered", "days": 6},
        None,
        "Yes: order A-10023 was delivered 6 days ago, within the 30-day window.",
    ),
    (
        "How long does the refund take?",
        {"order_id": "A-10023"},
        {"refund": "issued"},
        None,
        "Refunds reach your card in 5-7 business days.",
    ),
    (
        "And the warranty?",
        {"order_id": "A-10023", "kind": "warranty"},
        None,
        "warranty service unreachable",
        "Sorry, I cannot check the warranty right now.",
    ),
]

langfuse = get_client()


def turn(question, arguments, result, error, answer):
    with (
        langfuse.start_as_current_observation(name="rag-turn", input=question) as root,
        propagate_attributes(trace_name="rag-turn", user_id=USER, session_id=SESSION),
    ):
        with root.start_as_current_observation(
            name="retrieve-docs", as_type="retriever", input={"query": question}
        ) as retriever:
            time.sleep(0.02)
            retriever.update(output=DOCUMENTS)
        with root.start_as_current_observation(
            name="lookup_order", as_type="tool", input=arguments
        ) as tool:
            time.sleep(0.02)
            if error:
                tool.update(level="ERROR", status_message=error)
            else:
                tool.update(output=result)
        with root.start_as_current_observation(
            name="answer-llm",
            as_type="generation",
            model="gpt-4o-mini",
            input=[{"role": "user", "content": question}],
        ) as gen:
            gen.update(
                output={"role": "assistant", "content": answer},
                usage_details={"input": 60, "output": 14},
            )
        root.update(output=answer)


for args in TURNS:
    turn(*args)
    time.sleep(0.3)  # the user reads the answer before asking again
langfuse.flush()
langfuse.shutdown()
