"""The deliverability checks' own machinery."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mailkit._checks import _STYLE

# the obvious pattern, which the checks replaced with a faster unrolled one
_SIMPLE_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)

fragments = st.sampled_from(["<style>", "<STYLE type=\"text/css\">", "</style>", "</Style>", "</stylex>", "<",
                             ">", "/", "a { color: red }", "\n", "<!-- x -->", "<p>", "style", "</"])


@settings(max_examples=300, deadline=None)
@given(st.lists(fragments, max_size=30))
def test_style_pattern_finds_what_the_simple_one_finds(parts: list[str]) -> None:
    html = "".join(parts)
    assert _STYLE.findall(html) == _SIMPLE_STYLE.findall(html)


# ------------------------------------------- the three scans of the warnings in one

def _three_scans(html: str) -> tuple[list[str], list[str], list[str]]:
    from mailkit._checks import _HREF, _IMG
    return _STYLE.findall(html), _IMG.findall(html), _HREF.findall(html)


tag_fragments = st.sampled_from([
    "<style>", "<STYLE media=x>", "</style>", "</STYLE>", "<ſtyle>", "<img src=x>", "<IMG alt='a'>", "<img",
    "<a href='http://x'>", '<A HREF="https://y">', "<a title=\"", "<abbr href='z'>", "<!--[if mso]>", "<![endif]-->",
    " href='http://in'", "p { color: red }", "<", ">", "'", '"', "\n", "<p>", "<i>", "<s>", "a", "alt=", "<span>",
])


@settings(max_examples=500, deadline=None)
@given(st.lists(tag_fragments, max_size=30))
def test_one_scan_finds_what_three_scans_find(parts: list[str]) -> None:
    from mailkit._checks import _tag_scan
    html = "".join(parts)
    assert _tag_scan(html) == _three_scans(html)


def test_one_scan_on_rendered_emails_and_overlaps() -> None:
    import mailkit
    from mailkit._checks import _tag_scan
    from mailkit._paths import FIXTURES_DIR
    for name, fixture in [("breaking", "breaking-china-cyberspying.yaml"), ("digest", "digest-morning-briefing.yaml")]:
        html = mailkit.render(name, FIXTURES_DIR / fixture).html
        found = _tag_scan(html)
        assert found == _three_scans(html) and all(found)
    # a match holding the start of another (a comment's markup, a style's raw text): three scans, the same answer
    for html in ["<style><img src=x></style><a href='http://a'>", "<img alt='<a href=\"http://b\">'>",
                 "<a title='<img x>' href='http://c'>", "<style>p{}</style><IMG><ſtyle>q</STYLE>"]:
        assert _tag_scan(html) == _three_scans(html)
