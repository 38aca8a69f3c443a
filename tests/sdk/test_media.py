"""Media through the real SDKs: a base64 PNG in a generation's input is uploaded by the SDK,
`flush()` returns within a second (it took 9–12 s while the media routes answered 501 and
the SDK retried), and the stored input holds the SDK's reference to bytes the server serves."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.media import PNG, PNG_ID, media_id
from tests.support.sdk import JS5, PROGRAMS, PY3, PY4, PY5, Project, Sdk, Server, run_file

pytestmark = [pytest.mark.sdk, pytest.mark.one_engine]

PNG_REFERENCE = f"@@@langfuseMedia:type=image/png|id={PNG_ID}|source=base64_data_uri@@@"
# The LangfuseMedia object of programs/py_media.py's output.
REPORT = b"a one-pixel image"
REPORT_REFERENCE = f"@@@langfuseMedia:type=text/plain|id={media_id(REPORT)}|source=bytes@@@"
FLUSH_LIMIT_S = 1.0


def _printed(output: str) -> dict[str, Any]:
    """The program's one JSON line (the SDKs may log around it)."""
    line = next(line for line in output.splitlines() if line.startswith('{"traceId"'))
    found: dict[str, Any] = json.loads(line)
    return found


def _api(project: Project) -> httpx.Client:
    auth = (project.public_key, project.secret_key)
    return httpx.Client(base_url=project.base_url, auth=auth, timeout=30)


def _served(api: httpx.Client, media: str, content_type: str) -> bytes:
    answer = api.get(f"/api/public/media/{media}")
    assert answer.status_code == 200, answer.text
    record = answer.json()
    assert (record["mediaId"], record["contentType"]) == (media, content_type)
    download = httpx.get(record["url"], timeout=30)  # the URL's token, no API keys
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == content_type
    assert record["contentLength"] == len(download.content)
    return download.content


@pytest.mark.parametrize(
    ("sdk", "program"),
    [
        pytest.param(PY3, "py_media.py", id="py-3.15.0"),
        pytest.param(PY4, "py_media.py", id="py-4.18.0"),
        pytest.param(PY5, "py_media.py", id="py-5.0.4"),
        pytest.param(JS5, "js_media.mjs", id="js-v5"),
    ],
)
def test_the_sdk_uploads_the_image_and_flushes_at_once(
    server_for: Callable[[Sdk], Server], sdk: Sdk, program: str
) -> None:
    project = server_for(sdk).project

    printed = _printed(run_file(sdk, PROGRAMS / program, project, "media"))

    print(f"{sdk.name}: flush() took {printed['flushSeconds']:.3f} s")  # shown with -s
    assert printed["flushSeconds"] < FLUSH_LIMIT_S, printed
    with _api(project) as api:
        assert _served(api, PNG_ID, "image/png") == PNG
        observation = api.get(f"/api/public/observations/{printed['observationId']}").json()
        assert observation["traceId"] == printed["traceId"]
        image = {"type": "image_url", "image_url": {"url": PNG_REFERENCE}}
        assert observation["input"] == [
            {
                "role": "user",
                "content": [{"type": "text", "text": "What is in this image?"}, image],
            }
        ]
        if sdk.language == "py":
            assert _served(api, media_id(REPORT), "text/plain") == REPORT
            assert observation["output"]["report"] == REPORT_REFERENCE
