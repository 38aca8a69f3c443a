"""One chat completion through OpenTelemetry's OpenAI instrumentation, exported over OTLP.

Run in the otel-openai-v2 environment: python otel_openai_chat.py OPENAI_BASE_URL.
The exporters get PowerRAG's base OTLP endpoint and append /v1/traces and /v1/logs
themselves; with content capture on, the prompt and completion go out as log events.
Logs are flushed before spans, so the content arrives before its span.
"""

import base64
import os
import sys

base = os.environ["LANGFUSE_BASE_URL"].rstrip("/")
keys = f"{os.environ['LANGFUSE_PUBLIC_KEY']}:{os.environ['LANGFUSE_SECRET_KEY']}"
os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = f"{base}/api/public/otel"
os.environ["OTEL_EXPORTER_OTLP_HEADERS"] = (
    "Authorization=Basic%20" + base64.b64encode(keys.encode()).decode()
)
os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true"

from openai import OpenAI  # noqa: E402
from opentelemetry import _logs, trace  # noqa: E402
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter  # noqa: E402
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: E402
from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor  # noqa: E402
from opentelemetry.sdk._logs import LoggerProvider  # noqa: E402
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: E402

tracer_provider = TracerProvider()
tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
trace.set_tracer_provider(tracer_provider)
logger_provider = LoggerProvider()
logger_provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter()))
_logs.set_logger_provider(logger_provider)
OpenAIInstrumentor().instrument()

client = OpenAI(base_url=sys.argv[1], api_key="sk-fake-openai", max_retries=0)
reply = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[
        {"role": "system", "content": "Answer in one sentence."},
        {"role": "user", "content": "What is the capital of France?"},
    ],
)
print("reply:", reply.choices[0].message.content)
logger_provider.shutdown()
tracer_provider.shutdown()
