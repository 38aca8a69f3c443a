"""Trace text rendered as Markdown can never become markup of its own (issues 11 and 19).

Every construct is tried with HTML inside it, and the output is parsed: only the elements
and attributes of the renderer's subset may appear, links only to http(s) and mailto, and
hostile text shows up as text. A property test does the same for generated text.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerrag.web.markdown import page_budget, render_markdown, render_message

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ELEMENTS: dict[str, set[str]] = {
    "p": {"class"},
    "br": set(),
    "strong": set(),
    "em": set(),
    "code": {"class"},
    "pre": set(),
    "a": {"href", "rel", "target"},
    "ul": set(),
    "ol": {"start"},
    "li": set(),
    "h4": set(),
    "h5": set(),
    "h6": set(),
    "blockquote": set(),
    "hr": set(),
}
LINK_SCHEMES = ("http://", "https://", "mailto:")
REL = "nofollow noopener noreferrer"


class _Markup(HTMLParser):
    """Elements with their attributes, and the text between them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        raise AssertionError(f"a comment in the output: {data!r}")

    def handle_decl(self, decl: str) -> None:
        raise AssertionError(f"a declaration in the output: {decl!r}")

    def handle_pi(self, data: str) -> None:
        raise AssertionError(f"a processing instruction in the output: {data!r}")

    def unknown_decl(self, data: str) -> None:
        raise AssertionError(f"a declaration in the output: {data!r}")


def check_safe(html: str) -> _Markup:
    """Fails unless `html` holds only the subset's elements and attributes."""
    parsed = _Markup()
    parsed.feed(html)
    parsed.close()
    for tag, attrs in parsed.elements:
        assert tag in ELEMENTS, (tag, html)
        assert set(attrs) <= ELEMENTS[tag], (tag, attrs, html)
        href = attrs.get("href")
        if tag == "a":
            assert href is not None and href.startswith(LINK_SCHEMES), html
            assert attrs["rel"] == REL and attrs["target"] == "_blank", html
        if tag == "code" and "class" in attrs:
            assert (attrs["class"] or "").startswith("language-"), html
        if tag == "p" and "class" in attrs:
            assert attrs["class"] == "md-plain", html
        if tag == "ol" and "start" in attrs:
            assert (attrs["start"] or "").isdigit(), html
    return parsed


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (f"`{SCRIPT}`", f"<p><code>{ESCAPED_SCRIPT}</code></p>\n"),
        (f"a ``{SCRIPT}`` b", f"<p>a <code>{ESCAPED_SCRIPT}</code> b</p>\n"),
        (f"```\n{SCRIPT}\n```", f"<pre><code>{ESCAPED_SCRIPT}\n</code></pre>\n"),
        (f"    {SCRIPT}", f"<pre><code>{ESCAPED_SCRIPT}\n</code></pre>\n"),
        (f"# {SCRIPT}", f"<h4>{ESCAPED_SCRIPT}</h4>\n"),
        (f"### {SCRIPT}", f"<h6>{ESCAPED_SCRIPT}</h6>\n"),
        (f"{SCRIPT}\n===", f"<h4>{ESCAPED_SCRIPT}</h4>\n"),
        (f"- {SCRIPT}", f"<ul>\n<li>{ESCAPED_SCRIPT}</li>\n</ul>\n"),
        (f"2. {SCRIPT}", f'<ol start="2">\n<li>{ESCAPED_SCRIPT}</li>\n</ol>\n'),
        (f"> {SCRIPT}", f"<blockquote>\n<p>{ESCAPED_SCRIPT}</p>\n</blockquote>\n"),
        (
            f"**{SCRIPT}** *{SCRIPT}*",
            f"<p><strong>{ESCAPED_SCRIPT}</strong> <em>{ESCAPED_SCRIPT}</em></p>\n",
        ),
        (
            f"[{SCRIPT}](https://example.com/)",
            f'<p><a href="https://example.com/" rel="{REL}" target="_blank">{ESCAPED_SCRIPT}</a></p>\n',
        ),
    ],
)
def test_every_construct_keeps_html_as_text(text: str, html: str) -> None:
    assert render_markdown(text) == html
    check_safe(html)


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1) )",
        "[x](<javascript:alert(1)>)",
        "[x](java&#x73;cript:alert(1))",
        "[x](java%73cript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](file:///etc/passwd)",
        "[x](//evil.example/)",
        "[x](/project/other/settings)",
        "[x]()",
        "[x](<>)",
        "<javascript:alert(1)>",
        "<data:text/html,<script>alert(1)</script>>",
        "[x]: javascript:alert(1)\n\n[x]",
        "[x]: https://example.com/\n\n[x]",
    ],
)
def test_only_http_and_mailto_links_are_links(text: str) -> None:
    html = render_markdown(text)
    check_safe(html)
    assert "href" not in html and "<img" not in html


def test_images_are_links_at_most() -> None:
    """No request to another host when a page is viewed (CSP img-src forbids it anyway)."""
    html = render_markdown("![x](https://tracker.example/pixel.png)")
    assert "<img" not in html
    assert check_safe(html).elements[1] == (
        "a",
        {"href": "https://tracker.example/pixel.png", "rel": REL, "target": "_blank"},
    )


def test_links_are_escaped_inside_their_attribute() -> None:
    html = render_markdown('[x](https://example.com/"onmouseover="alert(1)) <https://a.example/"x>')
    parsed = check_safe(html)
    hrefs = [attrs["href"] for tag, attrs in parsed.elements if tag == "a"]
    assert hrefs == ["https://example.com/%22onmouseover=%22alert(1)", "https://a.example/%22x"]
    mail = check_safe(render_markdown("<someone@example.com> [m](mailto:a@example.com)"))
    assert [a["href"] for _, a in mail.elements if "href" in a] == [
        "mailto:someone@example.com",
        "mailto:a@example.com",
    ]


@pytest.mark.parametrize(
    "text",
    [
        f"<div>\n{SCRIPT}\n</div>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<!-- comment --> <![CDATA[x]]> <?php echo 1; ?> <!DOCTYPE html>",
        "<svg><script>alert(1)</script></svg>",
        '<iframe src="https://evil.example"></iframe>',
        '```"><script>alert(1)</script>\ncode\n```',
        "&lt;script&gt; &#60;script&#62; &#x3C;script&#x3E;",
    ],
)
def test_raw_html_stays_text(text: str) -> None:
    parsed = check_safe(render_markdown(text))
    assert not any(tag in ("script", "img", "iframe", "svg", "div") for tag, _ in parsed.elements)


def test_plain_text_past_the_budget_is_escaped_and_keeps_its_lines() -> None:
    with page_budget(10):
        first = render_message("**short**")
        second = render_message(f"**bold** {SCRIPT}\nnext line")
    assert first == "<p><strong>short</strong></p>\n"
    assert second == f'<p class="md-plain">**bold** {ESCAPED_SCRIPT}\nnext line</p>'
    check_safe(second)


# Pieces of Markdown and HTML syntax, joined at random.
# fmt: off
_FRAGMENTS = st.sampled_from([
    "<", ">", "&", '"', "'", "`", "```", "~~~", "*", "_", "[", "]", "]:", "(", ")", "!", "#",
    "-", "1.", "\n", "\n\n", "    ", "\\", ":", "/", "=", "\x00", "a", " ", "javascript:",
    "https://x.example/", "mailto:a@b.c", "<script>", "</script>", "<img src=x onerror=y>",
    "&#60;", "&lt;", "&#x6A;", "<!--", "-->", "<![CDATA[", "<?", '"onload="',
])
# fmt: on


# Constructs to nest the fragments in, so that hostile text lands inside each of them.
_CONSTRUCTS = st.sampled_from(
    ["`{}`", "``{}``", "```\n{}\n```", "```{}\nx\n```", "    {}", "# {}", "{}\n===", "- {}",
     "1. {}", "> {}", "**{}**", "*{}*", "_{}_", "[{}](https://x.example/)", "[x]({})", "<{}>"]
)  # fmt: skip
_TEXT = st.recursive(
    st.lists(_FRAGMENTS, max_size=20).map("".join),
    lambda inner: st.tuples(_CONSTRUCTS, inner).map(lambda pair: pair[0].format(pair[1])),
    max_leaves=6,
)


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(st.lists(_TEXT, max_size=4).map("\n".join))
def test_any_text_renders_to_the_safe_subset(text: str) -> None:
    parsed = check_safe(render_markdown(text))
    for tag, attrs in parsed.elements:
        if tag == "a":
            assert "javascript" not in (attrs["href"] or "").lower()
