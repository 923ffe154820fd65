"""Hostile and awkward inputs for what the inbox sees: text-mode readers,
Gmail's clip on the wire and spam filters, each with its expected outcome.

Every case renders safely: the text part keeps every line within 78
characters unless it is a bare URL at column 0 (an 80-column terminal client
cannot wrap it, so the URL still works).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from conftest import SEED

import mailkit

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))
LONG_URL = "https://www.example.com/" + "a" * 70  # 94 characters
URL = re.compile(r"(?:https?://|mailto:)\S+")


def body(html: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["articles"][0]["body"] = html
    return change


def footer_url(name: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["newsletter"]["footer"][name] = LONG_URL
    return change


TEXT_CASES = {
    "url-as-link-text-in-a-quote": body(f'<blockquote><p>See <a href="{LONG_URL}">{LONG_URL}</a> now</p></blockquote>'),
    "url-as-link-text-in-a-list": body(f'<ul><li><a href="{LONG_URL}">{LONG_URL}</a></li></ul>'),
    "bare-url-in-a-numbered-list": body(f"<ol><li>one</li><li>{LONG_URL}</li></ol>"),
    "bare-url-in-a-paragraph": body(f"<p>Plain {LONG_URL} text</p>"),
    "long-link-text": body(f'<p><a href="{LONG_URL}">{"a link whose text goes on " * 6}</a></p>'),
    "long-unsubscribe-url": footer_url("unsubscribe_url"),
    "long-preferences-url": footer_url("preferences_url"),
}


@pytest.mark.parametrize("change", TEXT_CASES.values(), ids=TEXT_CASES.keys())
def test_text_lines_over_78_are_bare_urls_at_column_0(change: Callable[[dict[str, Any]], None]) -> None:
    data = copy.deepcopy(BASE)
    change(data)
    email = mailkit.render("breaking", data)
    assert LONG_URL in email.text.splitlines(), "the long URL is a line of its own, whole"
    for line in email.text.splitlines():
        if len(line) > 78:
            assert URL.fullmatch(line), f"line over 78 that is not a bare URL at column 0: {line!r}"


# max_body_chars over awkward bodies: the cut falls between whole blocks or not at all
CUT_CASES = {
    # one block: nothing to cut between, the body is whole and there is no link
    "a-single-huge-paragraph": ("<p>" + "word " * 4000 + "</p>", False),
    # text with no block element at all
    "bare-text-no-blocks": ("word " * 4000, False),
    # ">" and "<" inside attribute values must not end a tag early
    "angle-brackets-in-attributes": ('<p><a href="https://example.com/?a=>b&c=<d" title="x > y">link</a> '
                                     + "word " * 100 + "</p>" * 1 + "<p>" + "more " * 500 + "</p>", True),
    # a block nested 30 deep: its end is one top-level boundary
    "deep-nesting": ("<blockquote>" * 30 + "deep " * 50 + "</blockquote>" * 30 + "<p>" + "after " * 500 + "</p>", True),
    # top-level line breaks between runs of text
    "top-level-line-breaks": (("line " * 60 + "<br>") * 20, True),
}


@pytest.mark.parametrize(("html", "cut"), CUT_CASES.values(), ids=CUT_CASES.keys())
def test_max_body_chars_cuts_only_between_blocks(html: str, cut: bool) -> None:
    data = copy.deepcopy(BASE)
    data["articles"][0]["body"] = html
    email = mailkit.render("breaking", data, mailkit.RenderOptions(max_body_chars=300))
    assert ("mk-continue" in email.html) is cut
    assert ("Continue reading [" in email.text) is cut
    for line in email.text.splitlines():
        assert len(line) <= 78 or URL.fullmatch(line), line
