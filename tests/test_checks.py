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
