"""A Pydantic AI agent with one tool, run against a fake OpenAI endpoint, exporting its spans
over OTLP/HTTP to the PowerRAG server named by LANGFUSE_BASE_URL.

argv: the fake endpoint's base URL, the conversation id (becomes the session id).
"""

import asyncio
import base64
import os
import sys

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from pydantic_ai import Agent, InstrumentationSettings
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

base_url, conversation_id = sys.argv[1], sys.argv[2]
keys = f"{os.environ['LANGFUSE_PUBLIC_KEY']}:{os.environ['LANGFUSE_SECRET_KEY']}"
exporter = OTLPSpanExporter(
    endpoint=os.environ["LANGFUSE_BASE_URL"] + "/api/public/otel/v1/traces",
    headers={"Authorization": "Basic " + base64.b64encode(keys.encode()).decode()},
)
provider = TracerProvider(resource=Resource.create({"service.name": "roulette"}))
provider.add_span_processor(SimpleSpanProcessor(exporter))

Agent.instrument_all(InstrumentationSettings(tracer_provider=provider))
model = OpenAIChatModel("gpt-4o", provider=OpenAIProvider(base_url=base_url, api_key="sk-fake"))
agent = Agent(
    model,
    name="roulette_agent",
    instructions="Use the roulette_wheel tool to see if the customer has won.",
)


@agent.tool_plain
def roulette_wheel(square: int) -> str:
    """Spin the wheel and say whether the customer's square won."""
    return "winner" if square == 18 else "loser"


result = asyncio.run(agent.run("Put my money on square eighteen", conversation_id=conversation_id))
provider.shutdown()
print(result.output)
