"""Hostile catalogue for inl3: premailer's loop with rules anchored on their first element.

Each case: an input and its expected outcome. The anchored rules take their
elements from X's matches ($x/descendant::...), so nested matches of X (an X
inside an X inside an X ...) are where a Python walk per anchor would turn
quadratic; libxml2's union does what the rule's own XPath did. Compared with
stock premailer byte for byte.
"""

from __future__ import annotations

import time

import pytest
from test_premailer_fast import _both

_NESTED = 300


@pytest.mark.parametrize("css", [
    "div p { color: red } div a { color: blue } div p.k { margin: 0 }",  # X a bare name: every div an anchor
    "div.x p { color: red } div.x a { color: blue } div.x .k b { padding: 0 }",  # X a name and a class
    "div.x p:first-child { color: red } div.x * a { color: blue }",  # the rest any XPath cssselect writes
])
def test_deeply_nested_anchors_give_stock_premailers_bytes_in_linear_time(css: str) -> None:
    inner = '<p class="k">t<a>u</a><b>v</b></p>'
    body = '<div class="x">' * _NESTED + inner + "</div>" * _NESTED + inner * 200
    html = f"<html><head><style>{css}</style></head><body>{body}</body></html>"
    start = time.process_time()
    fast, stock = _both(html)
    assert fast == stock
    assert time.process_time() - start < 10  # both sides together; each well under a second here


def test_a_rule_whose_first_element_matches_nothing_matches_nothing() -> None:
    html = ('<html><head><style>td.none p { color: red } td.none a { color: blue }</style></head>'
            '<body><table><tr><td class="mk-text"><p>x<a>y</a></p></td></tr></table></body></html>')
    fast, stock = _both(html)
    assert fast == stock and "color:red" not in fast
