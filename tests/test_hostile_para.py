"""Hostile inputs for session 8's per-paragraph shortcuts (issue 17, branch para), each with its expected outcome.

The sanitiser's raw depth check now reads the start tags the allowlist scan
found (one scan of the body for both), its depth count reads each tag as one
string, the text stage skips the markdown escape pass when no backslash is in
the text and returns a text with no indented line as it is. Each case is what
the slower code gave: the same limit error, naming the field, or the same text.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
import yaml
from conftest import SEED

import mailkit

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def with_body(body: str) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["articles"][0]["body"] = body
    return data


@pytest.mark.parametrize("body", [
    "<div>" * 1_100 + "deep",  # over the raw depth the parsers are spared
    "<!-- a comment -->" + "<div>" * 1_100 + "deep",  # the tags found again after the comment is read
    "<!-- never closed " + "<div>" * 1_100 + "deep",  # an unclosed comment's opening removed: the rest counts
    "<DIV>" * 600 + "<Div>" * 600 + "deep",  # names in any case, counted as one
    "".join(f'<div data-n="{i}">' for i in range(1_100)) + "deep",  # every start tag distinct
])
def test_a_body_nested_past_the_raw_depth_is_refused_naming_the_field(body: str) -> None:
    with pytest.raises(mailkit.LimitExceededError, match=r"articles\[0\]\.body: HTML nested 1001 levels deep or more"):
        mailkit.render("breaking", with_body(body))


@pytest.mark.parametrize("body", [
    "<p>" * 1_100 + "flat",  # HTML closes each <p> by itself: not deep
    "<br>" * 1_100 + "<img>" * 1_100 + "<p>voids</p>",  # void elements never deepen
    '<p title="' + "<div>" * 1_100 + '">quoted</p>',  # start tags inside an attribute value: text, never elements
])
def test_a_body_that_only_looks_deep_renders(body: str) -> None:
    email = mailkit.render("breaking", with_body(body))
    assert "<div><div>" not in email.html


def test_a_body_nested_past_the_cleaned_depth_limit_names_the_depth() -> None:
    # under the raw check's 1,000, over max_body_depth (32) once cleaned: the depth count's message
    with pytest.raises(mailkit.LimitExceededError, match=r"articles\[0\]\.body: HTML nested 40 levels deep"):
        mailkit.render("breaking", with_body("<blockquote>" * 20 + "<UL><li>" * 10 + "x"))


@pytest.mark.parametrize(("body", "expected"), [
    (r"<p>C:\temp\new.txt and 1\. not a list, a \- dash, a \+ plus</p>", r"C:\temp\new.txt and 1\. not a list, a \- dash, a \+ plus"),
    ("<p>no backslash at all: 1. 2. - + </p>", "no backslash at all: 1. 2. - +"),
    ("<pre>  indented\n\tand tabbed\n\u00a0\u00a0nbsp</pre>", "  indented"),
    ("<p>\u00a0\u00a0two no-break spaces open this paragraph</p>", "two no-break spaces open this paragraph"),
])
def test_backslashes_and_indents_reach_the_text_part_as_written(body: str, expected: str) -> None:
    email = mailkit.render("breaking", with_body(body))
    assert expected in email.text


def test_many_distinct_tags_are_scanned_in_linear_time() -> None:
    # every start tag distinct (a CMS's per-paragraph ids): the candidate count keeps one entry each;
    # 4,000 paragraphs render in about 0.2 s here, a generous bound only a superlinear scan breaks
    body = "".join(f'<p id="p{i}" dir="ltr">Paragraph {i} of the story, with some words.</p>' for i in range(4_000))
    start = time.process_time()
    mailkit.render("breaking", with_body(body))
    assert time.process_time() - start < 5
