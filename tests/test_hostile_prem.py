"""Hostile and broken inputs for the inline stage's fast paths (mailkit/_inline.py, mailkit/_premailer.py).

Each case is an input and its outcome: the HTML mailkit writes is the HTML the
exact (slow) path writes, and no attribute value reaches it holding a raw
"<!--"; or inlining fails with a named MailkitError.
"""

from __future__ import annotations

import secrets
from typing import Any

import lxml.etree
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mailkit
from mailkit._inline import _SSI_OWNERS, html_tostring, inline_css, parse_html


def _always_escaped(root: Any) -> str:
    """html_tostring as it was before its fast path: every attribute holding "<!--" found by XPath."""
    owners = list(_SSI_OWNERS(root))
    nonce = "mk" + secrets.token_hex(16)
    saved = [(el, dict(el.attrib)) for el in owners]
    try:
        for el, attrib in saved:
            for name, value in attrib.items():
                if "<!--" in value:
                    el.set(name, value.replace("<!--", nonce + "!--"))
        html: str = lxml.etree.tostring(root, method="html", encoding="unicode")
        return html.replace(nonce, "&lt;")
    finally:
        for el, attrib in saved:
            for name, value in attrib.items():
                el.set(name, value)


# comments whose text ends in "<!" ("<!--[if !mso]><!-->", Outlook's downlevel-revealed
# comment) or holds "<!--" write more "<!--" than one each; style and processing
# instructions write them raw too: none may hide an attribute's
PIECES = ["<!--", "<!", "-->", "--", "<", "!", "-", ">", "x", " ", "&lt;!--", "[if mso]"]
text = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)


@st.composite
def document(draw: Any) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["comment", "attribute", "style", "pi", "text"]))
        value = draw(text)
        if kind == "comment":
            parts.append(f"<!--{value}-->")
        elif kind == "attribute":
            escaped = value.replace("&", "&amp;").replace('"', "&quot;")
            parts.append(f'<p title="{escaped}" class="a">t</p>')
        elif kind == "style":
            parts.append(f"<style>p {{ color: red }} /* {value.replace('</', '')} */</style>")
        elif kind == "pi":
            parts.append(f"<?php {value.replace('>', '')} ?>")
        else:
            parts.append(f"<span>{value}</span>")
    return f"<!doctype html><html><head></head><body>{''.join(parts)}</body></html>"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document())
def test_the_comment_count_never_hides_an_attributes_comment(html: str) -> None:
    root = parse_html(html)
    assert html_tostring(root) == _always_escaped(root)


@pytest.mark.parametrize("html", [
    # the attribute's "<!--" beside a comment ending in "<!" (it writes two)
    '<html><body><!--[if !mso]><!--><p title="&lt;!--[if mso]&gt;x">t</p><!--<![endif]--></body></html>',
    # a comment holding "<!--" itself, then an attribute's
    '<html><body><!-- a <!-- b --><p title="&lt;!--">t</p></body></html>',
    # a style block's CDO token and an attribute's
    '<html><head><style><!-- p { color: red } --></style></head><body><p alt="<!--x-->">t</p></body></html>',
    # a comment before <html>, outside the root element
    '<!-- top --><html><body><p title="&lt;!--">t</p></body></html>',
], ids=["downlevel-revealed", "comment-in-comment", "style-cdo", "comment-before-root"])
def test_an_attributes_comment_is_escaped_whatever_else_writes_one(html: str) -> None:
    root = parse_html(html)
    out = html_tostring(root)
    assert out == _always_escaped(root)
    assert 'title="<!--' not in out and 'alt="<!--' not in out


def test_an_inlined_style_holding_a_comment_is_escaped() -> None:
    # CSS may write "<!--" in a value; inlined, it is an attribute's
    html = ('<html><head><style>p { font-family: "<!--[if mso]><script>x</script><![endif]-->" }</style></head>'
            '<body><!--[if !mso]><!--><p>t</p><!--<![endif]--></body></html>')
    out = inline_css(html)
    assert out.count("<!--[if mso]><script>") == 1  # in <style> only, where CSS keeps it
    assert """<p style='font-family:"&lt;!--[if mso]&gt;&lt;script&gt;""" in out


@pytest.mark.parametrize("selector", ["svg|p", "q svg|p"])
def test_a_namespace_no_document_declares_is_an_inlining_error(selector: str) -> None:
    # libxml2 fails on the prefix while evaluating, even with no <q> in the document: the
    # fast path must evaluate such a selector, not skip it for the missing <q>
    html = ('<html><head><style>@namespace svg url(http://www.w3.org/2000/svg); '
            f'{selector} {{ color: red }}</style></head><body><p>t</p></body></html>')
    with pytest.raises(mailkit.InliningError, match="CSS inlining failed: XPathEvalError: Undefined namespace prefix"):
        inline_css(html)
