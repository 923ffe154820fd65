"""Hostile readers against personalize()'s fast paths (issue #17).

Each case: a reader's fields as a sender's list could hold them, and the
outcome: refused with a named MailkitError naming the field and position,
or personalised safely (each value escaped for its part, the same bytes as a
full render).
"""

from __future__ import annotations

import html
import re

import pytest
from conftest import SEED

import mailkit
from mailkit._slots import html_escape_all


@pytest.mark.parametrize(("fields", "message"), [
    ({"first_name": "Ana\0"}, "Recipient: first_name: control character U+0000 at position 3"),
    ({"link_params": {"rid": "r\0"}}, "Recipient: link_params.rid: control character U+0000 at position 1"),
    ({"unsubscribe_url": "https://e.org/u?\0"}, "Recipient: unsubscribe_url: URL contains control character U+0000 at position 16"),
])
def test_a_nul_in_a_reader_field_is_refused(fields: dict[str, object], message: str) -> None:
    # the HTML escape joins a part's values at NULs: the models keep NULs out
    with pytest.raises(mailkit.UnsafeInputError, match=re.escape(message)):
        mailkit.Recipient(email="a@example.org", **fields)  # type: ignore[arg-type]


def test_a_nul_that_got_past_the_model_is_still_escaped_value_by_value() -> None:
    # model_construct skips validation: the joined escape does not count out,
    # so each value is escaped alone and lands at its own token
    reader = mailkit.Recipient.model_construct(
        email="a@example.org", first_name="", unsubscribe_url="https://e.org/u?a=\0&b=<x>",
        preferences_url="https://e.org/p?\0'", link_params={"rid": "r1"})
    email = mailkit.prepare("breaking", SEED).personalize(reader)
    assert 'href="https://e.org/u?a=\0&amp;b=&lt;x&gt;"' in email.html
    assert 'href="https://e.org/p?\0&#x27;"' in email.html
    assert list(html_escape_all(("\0<", "&", "\0\0"))) == [html.escape(v) for v in ("\0<", "&", "\0\0")]


@pytest.mark.parametrize("value", ["a=b&c=d", "100%", "x y+z", "é", "<script>", "'\"", "~._-"])
def test_link_parameters_needing_quoting_are_quoted_and_escaped(value: str) -> None:
    reader = mailkit.Recipient(email="a@example.org", link_params={"rid": "r1", "v": value})
    prepared = mailkit.prepare("breaking", SEED)
    email = prepared.personalize(reader)
    assert email.html == mailkit.render("breaking", SEED, recipient=reader).html
    assert "<script>" not in email.html and "x y" not in email.html
    assert email.text.count("?rid=r1&v=") >= 1
