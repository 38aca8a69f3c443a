"""Media on langfuse 3.x/4.x/5.x: an OpenAI-style generation whose input holds a base64 PNG
data URI and whose output holds a LangfuseMedia object. Prints one JSON line: the ids, and
how long flush() took (it waits for the media uploads)."""

import json
import time

from langfuse import get_client
from langfuse.media import LangfuseMedia

# The 1x1 PNG of tests/data/sdk-traffic/python-langfuse-5.0.4-media.jsonl.
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
MESSAGES = [
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "What is in this image?"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
        ],
    }
]

langfuse = get_client()
with langfuse.start_as_current_observation(
    name="vision-call", as_type="generation", model="gpt-4o", input=MESSAGES
) as generation:
    report = LangfuseMedia(content_bytes=b"a one-pixel image", content_type="text/plain")
    generation.update(output={"role": "assistant", "content": "A pixel.", "report": report})
started = time.monotonic()
langfuse.flush()
elapsed = time.monotonic() - started
print(
    json.dumps(
        {
            "traceId": generation.trace_id,
            "observationId": generation.id,
            "flushSeconds": elapsed,
        }
    )
)
