"""A small, safe Markdown renderer for chat messages: everything is escaped first.

Only a handful of constructs become markup (code, emphasis, headings, lists,
http(s) links), and only after escaping, so trace text can never inject HTML.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_FENCE = re.compile(r"```[^\n]*\n(.*?)(?:```|$)", re.S)
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)\"'<>]+)\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")


def _inline(text: str) -> str:
    """Inline constructs over already-escaped text."""
    codes: list[str] = []

    def keep(match: re.Match[str]) -> str:
        codes.append(f"<code>{match.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = _INLINE_CODE.sub(keep, text)
    text = _LINK.sub(
        r'<a href="\2" rel="nofollow noopener noreferrer" target="_blank">\1</a>', text
    )
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], text)


def _block(lines: list[str]) -> str:
    out: list[str] = []
    items: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()
        if para:
            out.append("<p>" + "<br>".join(_inline(p) for p in para) + "</p>")
            para.clear()

    for line in lines:
        heading, bullet = _HEADING.match(line), _BULLET.match(line)
        if not line.strip():
            flush()
        elif heading:
            flush()
            out.append(f"<h4>{_inline(heading.group(2))}</h4>")
        elif bullet:
            if para:
                flush()
            items.append(bullet.group(1))
        else:
            if items:
                flush()
            para.append(line)
    flush()
    return "".join(out)


def render_markdown(text: str) -> Markup:
    """HTML for a message: escaped text with a safe subset of Markdown applied."""
    safe = str(escape(text))
    parts: list[str] = []
    position = 0
    for match in _FENCE.finditer(safe):
        parts.append(_block(safe[position : match.start()].split("\n")))
        parts.append(f"<pre><code>{match.group(1)}</code></pre>")
        position = match.end()
    parts.append(_block(safe[position:].split("\n")))
    return Markup("".join(parts))
