"""Media references in traced values: what the SDKs leave where a base64 item was.

The Langfuse SDKs replace each base64 media item of an input, output or metadata with
`@@@langfuseMedia:type=<MIME>|id=<22-character id>|source=<how it was found>@@@` and upload
its bytes (langfuse-python `langfuse/media.py`, `LangfuseMedia._reference_string`;
tests/data/sdk-traffic/python-langfuse-5.0.4-media.jsonl). The UI shows the media instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from powerrag.domain.jsondoc import leaf_texts

REFERENCE = re.compile(
    r"@@@langfuseMedia:type=(?P<type>[^|@]{1,200})\|id=(?P<id>[A-Za-z0-9_-]{22})"
    r"\|source=(?P<source>[^|@]{1,100})@@@"
)
# How each kind of media is shown: inline, as a player, or as a download.
IMAGE, AUDIO, VIDEO, FILE = "image", "audio", "video", "file"
# Images a browser shows without running anything; SVG is a document that may hold script,
# so it is a download (served as an attachment, domain/media.py ACTIVE_TYPES).
_INLINE_IMAGES = frozenset(
    ("image/png", "image/jpeg", "image/jpg", "image/webp", "image/gif", "image/bmp", "image/avif")
)


@dataclass(frozen=True, slots=True)
class MediaReference:
    media_id: str
    content_type: str

    @property
    def kind(self) -> str:
        """image, audio, video or file: how the UI shows it."""
        if self.content_type in _INLINE_IMAGES:
            return IMAGE
        major = self.content_type.partition("/")[0]
        return major if major in (AUDIO, VIDEO) else FILE


def references_in_text(text: str) -> list[MediaReference]:
    """The references in a text, in order, each media once."""
    found: dict[str, MediaReference] = {}
    for m in REFERENCE.finditer(text):
        found.setdefault(m["id"], MediaReference(m["id"], m["type"].strip().lower()))
    return list(found.values())


def without_references(text: str) -> str:
    """The text with its references taken out (the UI shows them as media instead)."""
    return REFERENCE.sub("", text).strip() if "@@@langfuseMedia:" in text else text


def references_in(value: Any) -> list[MediaReference]:
    """Every reference in a JSON value, in document order, each media once."""
    found: dict[str, MediaReference] = {}
    for text in leaf_texts(value):
        if "@@@langfuseMedia:" in text:
            for ref in references_in_text(text):
                found.setdefault(ref.media_id, ref)
    return list(found.values())
