"""Hostile readers against personalize()'s written-out path (issue #17, second round).

personalize() fills an email without text lines wrapped per reader in one
path: only the fields a token takes read, the values the HTML and text parts
take escaped once for both, the link-parameter query of one or two
parameters written with one f-string, the MJML filled on first use from the
prepared parts. Each case: a reader's fields as a sender's list could hold
them, and the outcome: personalised safely (each value escaped for its part,
the same bytes as a full render), or refused with a named MailkitError.
"""

from __future__ import annotations

import dataclasses
import html
import re
from functools import cache

import pytest
from conftest import FIXTURES, SEED

import mailkit
from mailkit._personalize import PreparedEmail

DIGEST = FIXTURES / "digest-morning-briefing.yaml"


@cache
def _prepared(template: str) -> PreparedEmail:
    return mailkit.prepare(template, DIGEST if template == "digest" else SEED)


def _own_token(prepared: PreparedEmail, name: str) -> str:
    # this prepared email's placeholder for slot ``name``: its nonce is in its token pattern
    nonce = re.match(r"mk\(\?:([0-9]+)x", prepared.pattern)
    assert nonce is not None
    return f"mk{nonce.group(1)}x{name}q"


@pytest.mark.parametrize("template", ["breaking", "digest"])
@pytest.mark.parametrize("field", ["first_name", "unsubscribe_url", "preferences_url", "link_params"])
def test_a_value_spelled_as_the_emails_own_placeholder_stays_text(template: str, field: str) -> None:
    # values are put in after the parts were cut at their placeholders: one that
    # reads as a placeholder of this very email is text, escaped where it lands
    prepared = _prepared(template)
    token = _own_token(prepared, "linkparamsq")
    value = {"first_name": f"Ana {token}", "unsubscribe_url": f"https://e.org/u?t={token}&a=1",
             "preferences_url": f"https://e.org/p#{token}", "link_params": {"rid": token, "x": "1"}}[field]
    reader = mailkit.Recipient(email="a@example.org", **{field: value})  # type: ignore[arg-type]
    email = prepared.personalize(reader)
    assert email == mailkit.render(template, DIGEST if template == "digest" else SEED, recipient=reader)
    if field != "first_name":  # the alerts show no name
        assert token in email.text and html.escape(token) in email.html


@pytest.mark.parametrize("params", [
    {"rid": "a b"},  # one parameter: quoted (+)
    {"rid": "x&y=z"},
    {"rid": "r1", "v": "a&b"},  # two: either value
    {"rid": "<é>", "v": "1"},
    {"rid": "r1", "v": "~._-"},  # unreserved: as it is
    {"a": "1", "b": "2", "c": "%"},  # three: the general path
    {},  # none: the links keep no query
])
def test_link_parameters_of_each_shape_are_quoted_and_escaped(params: dict[str, str]) -> None:
    reader = mailkit.Recipient(email="a@example.org", link_params=params)
    for template in ("breaking", "digest"):
        email = _prepared(template).personalize(reader)
        assert email == mailkit.render(template, DIGEST if template == "digest" else SEED, recipient=reader)
        assert email.html.count("x&y") == email.html.count("<é>") == 0
    if not params:
        assert "?&" not in email.text and "?\n" not in email.text


def test_a_nul_past_the_model_in_a_link_parameter_is_escaped_value_by_value() -> None:
    # model_construct skips validation: the joined escape does not count out,
    # so each value is escaped alone and lands at its own token (the digest
    # places one value at many tokens)
    reader = mailkit.Recipient.model_construct(
        email="a@example.org", first_name="", unsubscribe_url="https://e.org/u?a=\0&b=<x>",
        preferences_url=None, link_params={"rid": "r\0", "v": "1"})
    email = _prepared("digest").personalize(reader)
    assert 'href="https://e.org/u?a=\0&amp;b=&lt;x&gt;"' in email.html
    assert email.html.count("?rid=r%00&amp;v=1") == _prepared("digest").html.slots.count(4)


def test_mjml_parts_without_their_values_are_refused_by_name() -> None:
    # a personalised email's MJML is its prepared parts, filled on first use with
    # the values html_parts holds: an email copied without them cannot fill it
    email = _prepared("breaking").personalize(mailkit.Recipient(email="a@example.org"))
    stripped = dataclasses.replace(email, html_parts=None)
    with pytest.raises(mailkit.OptionsError, match=r"RenderedEmail\.mjml_source: .* without html_parts"):
        _ = stripped.mjml
    assert dataclasses.replace(email, html="<p>x</p>").mjml == email.mjml
