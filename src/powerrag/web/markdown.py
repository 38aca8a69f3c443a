"""Chat messages as HTML: CommonMark by markdown-it-py, with raw HTML off and a per-page budget.

Trace text is written by the end users of the instrumented bots, so it is hostile input
(docs/security.md, "Rendering trace text"). markdown-it-py parses in linear time and escapes
every text and attribute; this module only narrows what it may emit and how much of a page
it may render.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

# Characters of Markdown one page renders; later messages are shown as plain text. The
# slowest input measured (20,000 characters of "[\n") takes markdown-it-py about 20 µs a
# character, ordinary chat Markdown about 2 µs: 100,000 characters bound a page to ~2 s of
# one worker thread at worst while leaving five full-length (20,000-character) messages, or
# a page of ordinary turns, rendered.
PAGE_MARKDOWN_CHARS = 100_000
_LINK_SCHEMES = re.compile(r"(?:https?|mailto):", re.IGNORECASE)
_LINK_REL = "nofollow noopener noreferrer"
# Rules that are not there: raw HTML (trace text must stay text); images (a request to any
# host on view, and CSP's img-src forbids them anyway); link reference definitions (one
# long definition used N times makes output quadratic in the input: 20,000 characters gave
# 16 MB of HTML).
_DISABLED_RULES = ["html_block", "html_inline", "image", "reference"]


def _valid_link(url: str) -> bool:
    """Only absolute http(s) and mailto links; the rest stays text (javascript:, data:, relative)."""
    return _LINK_SCHEMES.match(url.strip()) is not None


def _unlink_empty_destinations(state: StateCore) -> None:
    """`[x]()` passes no URL to `validateLink`, so markdown-it-py links it to "": keep the text."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept, unlinking = [], False
        for token in block.children:
            if token.type == "link_open" and not _valid_link(str(token.attrGet("href") or "")):
                unlinking = True
            elif token.type == "link_close" and unlinking:
                unlinking = False  # links never nest (CommonMark), so this close is its own
            else:
                kept.append(token)
        block.children = kept


def _link_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tokens[idx].attrSet("rel", _LINK_REL)
    tokens[idx].attrSet("target", "_blank")
    return renderer.renderToken(tokens, idx, options, env)


def _heading(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """h1–h6 of a message become h4–h6: a message's headings sit under the page's own."""
    level = int(tokens[idx].tag[1])
    tokens[idx].tag = f"h{min(level + 3, 6)}"
    return renderer.renderToken(tokens, idx, options, env)


def _parser() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark", {"html": False, "linkify": False, "breaks": True, "xhtmlOut": False}
    )
    md.disable(_DISABLED_RULES)
    md.validateLink = _valid_link  # type: ignore[method-assign]
    md.core.ruler.push("unlink_empty_destinations", _unlink_empty_destinations)
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("heading_open", _heading)
    md.add_render_rule("heading_close", _heading)
    return md


_MD = _parser()  # stateless once built: markdown-it-py keeps per-call state in its env


def render_markdown(text: str) -> Markup:
    """HTML for one message's text: CommonMark without raw HTML, images or references."""
    return Markup(_MD.render(text))


def render_plain(text: str) -> Markup:
    """The text escaped, its line breaks kept (`.md-plain` is white-space: pre-wrap)."""
    return Markup('<p class="md-plain">{}</p>').format(escape(text))


@dataclass
class MarkdownBudget:
    """Characters of Markdown a page may still render."""

    remaining: int = PAGE_MARKDOWN_CHARS

    def take(self, text: str) -> bool:
        """True (and spend it) when the text fits in what is left."""
        if len(text) > self.remaining:
            return False
        self.remaining -= len(text)
        return True


# The budget of the page being rendered. A context variable rather than a template variable
# because the templates call the filter from macros imported without the page's context.
_PAGE_BUDGET: ContextVar[MarkdownBudget | None] = ContextVar("page_markdown_budget", default=None)


@contextmanager
def page_budget(chars: int = PAGE_MARKDOWN_CHARS) -> Iterator[MarkdownBudget]:
    """A fresh budget for the page rendered inside the block (in this thread or task)."""
    budget = MarkdownBudget(chars)
    token = _PAGE_BUDGET.set(budget)
    try:
        yield budget
    finally:
        _PAGE_BUDGET.reset(token)


def render_message(text: str) -> Markup:
    """The `markdown` template filter: Markdown while the page's budget lasts, then plain text.

    Outside `page_budget` there is no page to bound, so the text is always Markdown.
    """
    budget = _PAGE_BUDGET.get()
    if budget is None or budget.take(text):
        return render_markdown(text)
    return render_plain(text)
