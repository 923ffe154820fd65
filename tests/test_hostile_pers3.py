"""Hostile readers against personalize()'s written-out path (issue #17, third round).

This round reads two link parameters by their keys (no items view); the HTML
escape of the values joined at NULs, written out inside personalize here at
first, went back to one call of html_escape (the call was 1.5% of a
personalize, below what the bench can tell). Each case: a reader's fields as a sender's list,
or a caller building a Recipient without validation, could hold them, and the
outcome: personalised safely, each value escaped for its part, the same bytes
as the plainest fill (html.escape per value, urlencode for the query).
"""

from __future__ import annotations

import html
import re
from functools import cache
from urllib.parse import urlencode

import pytest
from conftest import FIXTURES, SEED

import mailkit
from mailkit._personalize import PreparedEmail
from mailkit._slots import Parts

DIGEST = FIXTURES / "digest-morning-briefing.yaml"


@cache
def _prepared(template: str) -> PreparedEmail:
    return mailkit.prepare(template, DIGEST if template == "digest" else SEED)


def _plain(part: Parts, values: list[str], escape) -> str:  # type: ignore[no-untyped-def]
    out = [part.static[0]]
    for slot, static in zip(part.slots, part.static[1:], strict=True):
        out += [escape(values[slot]), static]
    return "".join(out)


def _assert_plain(prepared: PreparedEmail, reader: mailkit.Recipient | None) -> mailkit.RenderedEmail:
    email = prepared.personalize(reader)
    footer = prepared.edition.newsletter.footer
    if reader is None:
        values = ["", "", footer.unsubscribe_url, footer.preferences_url, "", ""]
    else:
        query = urlencode(reader.link_params)
        values = [reader.first_name, reader.email, reader.unsubscribe_url or footer.unsubscribe_url,
                  reader.preferences_url or footer.preferences_url, query and "?" + query, query and "&" + query]
    assert email.html == _plain(prepared.html, values, lambda v: html.escape(v, quote=True))
    assert email.text == _plain(prepared.text, values, str)
    return email


@pytest.mark.parametrize("template", ["breaking", "digest"])
@pytest.mark.parametrize("preferences", ["https://e.org/p?x=1", "https://e.org/p?\0&x=1"])
def test_unvalidated_url_with_every_character_html_escapes(template: str, preferences: str) -> None:
    # model_construct skips the URL check: the five characters html_escape
    # replaces and "&" already escaped, each escaped as html.escape would, in the
    # values escaped as one string, and (a NUL: the joined values no longer split
    # into as many) each value alone
    reader = mailkit.Recipient.model_construct(
        email="a@example.org", first_name="", link_params={"rid": "r1", "t": "s-1"},
        unsubscribe_url="https://e.org/u?a=1&b=<x>\"y\"'z'&amp;", preferences_url=preferences)
    email = _assert_plain(_prepared(template), reader)
    assert "u?a=1&amp;b=&lt;x&gt;&quot;y&quot;&#x27;z&#x27;&amp;amp;" in email.html


@pytest.mark.parametrize("params", [
    {"rid": "r1", "utm_term": "a b"},  # two, the second needs quoting
    {"rid": "&x=1", "utm_term": "s-1"},  # two, the first would add a parameter of its own
    {"a": "𝄞", "b": "é"},  # astral and Latin-1 characters
    {"rid": "r1", "t": "~._-"},  # unreserved punctuation, written as it is
    {"a": "1", "b": "2", "c": "<'\">"},  # three
])
def test_link_parameters_are_urlencoded(params: dict[str, str]) -> None:
    reader = mailkit.Recipient(email="a@example.org", link_params=params,
                               unsubscribe_url="https://e.org/u?a=1&b=2")
    _assert_plain(_prepared("digest"), reader)


def test_a_value_like_this_emails_own_token_stays_text() -> None:
    prepared = _prepared("breaking")
    nonce = re.match(r"mk\(\?:([0-9]+)x", prepared.pattern)
    assert nonce is not None
    token = f"mk{nonce.group(1)}xunsubscribeurlq"
    reader = mailkit.Recipient(email="a@example.org", link_params={"rid": token, "t": "1"},
                               preferences_url=f"https://e.org/p?x={token}&y=1")
    email = _assert_plain(prepared, reader)
    assert email.html.count(token) == email.html.count(f"?rid={token}&amp;t=1") + 1
