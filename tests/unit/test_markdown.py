"""The exact HTML of the chat Markdown subset (`powerrag.web.markdown`)."""

from __future__ import annotations

import pytest

from powerrag.web.markdown import render_markdown

LINK_ATTRS = 'rel="nofollow noopener noreferrer" target="_blank"'


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("plain", "<p>plain</p>"),
        ("one\ntwo", "<p>one<br>two</p>"),
        ("one\n\ntwo", "<p>one</p><p>two</p>"),
        ("a `x < 1` b", "<p>a <code>x &lt; 1</code> b</p>"),
        ("`a` and `b`", "<p><code>a</code> and <code>b</code></p>"),
        ("`**not bold**`", "<p><code>**not bold**</code></p>"),
        ("**bold** text", "<p><strong>bold</strong> text</p>"),
        ("** not bold**", "<p>** not bold**</p>"),
        ("*it* and 2*3*4", "<p><em>it</em> and 2*3*4</p>"),
        ("* not italic*", "<ul><li>not italic*</li></ul>"),
        (
            "[site](https://example.com/a)",
            f'<p><a href="https://example.com/a" {LINK_ATTRS}>site</a></p>',
        ),
        ("[site](ftp://example.com)", "<p>[site](ftp://example.com)</p>"),
        ("# Title", "<h4>Title</h4>"),
        ("###### Six", "<h4>Six</h4>"),
        ("####### Seven", "<p>####### Seven</p>"),
        ("#NoSpace", "<p>#NoSpace</p>"),
        ("- a\n- **b**", "<ul><li>a</li><li><strong>b</strong></li></ul>"),
        ("1. a\n2) b\n+ c", "<ul><li>a</li><li>b</li><li>c</li></ul>"),
        ("intro\n- a\nafter", "<p>intro</p><ul><li>a</li></ul><p>after</p>"),
        ("- a\n\n- b", "<ul><li>a</li></ul><ul><li>b</li></ul>"),
        ("para\n# Head\nmore", "<p>para</p><h4>Head</h4><p>more</p>"),
        ("", ""),
    ],
)
def test_each_construct_has_one_exact_form(text: str, html: str) -> None:
    assert str(render_markdown(text)) == html


def test_fenced_code_is_kept_verbatim_between_blocks() -> None:
    text = "before\n```python\nx = 1 **2**\n<b>\n```\nafter"
    assert str(render_markdown(text)) == (
        "<p>before</p><pre><code>x = 1 **2**\n&lt;b&gt;\n</code></pre><p>after</p>"
    )


def test_text_before_a_fence_keeps_its_spaces_and_lines() -> None:
    assert str(render_markdown("one two\nthree\n```\ncode\n```")) == (
        "<p>one two<br>three</p><pre><code>code\n</code></pre>"
    )


def test_an_unclosed_fence_runs_to_the_end() -> None:
    assert str(render_markdown("```\nopen code")) == "<pre><code>open code</code></pre>"


def test_markup_in_text_is_escaped_not_rendered() -> None:
    assert str(render_markdown('<i>"x"</i> & y')) == (
        "<p>&lt;i&gt;&#34;x&#34;&lt;/i&gt; &amp; y</p>"
    )
