"""Media and long content in sessions, on langfuse 5.x: an image (a base64 data URI in an
OpenAI message), audio and a PDF (LangfuseMedia objects), a reference whose bytes never
come, and a 100 KB answer. The SDK uploads the media itself. Arguments: the session id, and
a second session's id whose trace holds another image. Prints one JSON line of trace ids."""

import json
import sys

from langfuse import get_client, propagate_attributes
from langfuse.media import LangfuseMedia

SESSION, OTHER = sys.argv[1], sys.argv[2]
# The 1x1 PNG of tests/data/sdk-traffic/python-langfuse-5.0.4-media.jsonl, and a 2x1 one.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
OTHER_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0In+KAAAADklEQVR4nGP4z8DwH4QBEfcD/ePF9e8AAAAASUVORK5CYII="
# A WAV of 8 silent samples, and the smallest PDF readers accept.
WAV = (
    b"RIFF"
    + (36 + 8).to_bytes(4, "little")
    + b"WAVEfmt "
    + (16).to_bytes(4, "little")
    + (1).to_bytes(2, "little")
    + (1).to_bytes(2, "little")
    + (8000).to_bytes(4, "little")
    + (8000).to_bytes(4, "little")
    + (1).to_bytes(2, "little")
    + (8).to_bytes(2, "little")
    + b"data"
    + (8).to_bytes(4, "little")
    + b"\x80" * 8
)
PDF = b"%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
NEVER_UPLOADED = (
    "@@@langfuseMedia:type=image/png|id=NeverUploadedMedia0001|source=base64_data_uri@@@"
)
LONG_ANSWER = "".join(f"Line {i:04d} of a long answer about refunds.\n" for i in range(2400))
END = "THE-END-OF-THE-LONG-ANSWER"

langfuse = get_client()


def turn(session, name, messages, output):
    with (
        langfuse.start_as_current_observation(name=name, input=messages) as span,
        propagate_attributes(session_id=session, user_id="media-user"),
    ):
        with span.start_as_current_observation(
            name="llm", as_type="generation", model="gpt-4o", input=messages
        ) as generation:
            generation.update(output=output)
        span.update(output=output)
    return span.trace_id


def image(png):
    return {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{png}"}}


ids = {
    "vision": turn(
        SESSION,
        "vision",
        [
            {
                "role": "user",
                "content": [{"type": "text", "text": "What is in this image?"}, image(PNG)],
            }
        ],
        {"role": "assistant", "content": "A single pixel."},
    ),
    "files": turn(
        SESSION,
        "files",
        [
            {
                "role": "user",
                "content": "Transcribe the recording and file the report.",
                "audio": LangfuseMedia(content_bytes=WAV, content_type="audio/wav"),
            }
        ],
        {
            "role": "assistant",
            "content": "Filed.",
            "report": LangfuseMedia(content_bytes=PDF, content_type="application/pdf"),
        },
    ),
    "long": turn(
        SESSION,
        "long",
        [{"role": "user", "content": f"Explain refunds with the chart {NEVER_UPLOADED}"}],
        {"role": "assistant", "content": LONG_ANSWER + END},
    ),
    "other": turn(
        OTHER,
        "other-vision",
        [
            {
                "role": "user",
                "content": [{"type": "text", "text": "And this one?"}, image(OTHER_PNG)],
            }
        ],
        {"role": "assistant", "content": "Two pixels."},
    ),
}
langfuse.flush()
langfuse.shutdown()
print(json.dumps({"traceIds": ids}))
