"""Hostile readers against personalize()'s written-out path (issue #17, session 9).

This round changed how the path runs, not what it writes: what it reads of
the prepared email is a plain tuple (unpacked in one specialised instruction),
each part's skeleton is copied with ``[*skeleton]`` and its tokens' places are
one slice object built once (``mailkit._slots.TOKENS``), and a RenderedEmail
is made with ``object.__new__`` bound once. Each case: a reader's fields as a
sender's list, or a caller building a Recipient without validation, could hold
them, on each template the bench times (breaking alert, special report,
digest), and the outcome: personalised safely, the same bytes as the plainest
fill (html.escape per value, urlencode for the query) and as a full render.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from conftest import FIXTURES, SEED
from test_hostile_pers3 import _assert_plain

import mailkit
from mailkit._personalize import PreparedEmail
from mailkit._slots import TOKENS

FIXTURE = {"breaking": SEED, "digest": FIXTURES / "digest-morning-briefing.yaml",
           "special-report": FIXTURES / "special-report-inside-the-indictment.yaml"}


@cache
def _prepared(template: str) -> PreparedEmail:
    return mailkit.prepare(template, FIXTURE[template])


def test_what_personalize_unpacks_is_a_plain_tuple() -> None:
    # Python 3.11 unpacks an exact tuple in one specialised instruction and a
    # tuple subclass (the NamedTuple it was) through its iterator: fifteen calls
    # a personalize (cachegrind); the fields stay named in _personalize's comment
    for template in FIXTURE:
        plan = _prepared(template)._plan
        assert type(plan) is tuple and len(plan) == 14
    assert TOKENS == slice(1, None, 2)


READERS = [
    # unvalidated (model_construct): every character html_escape replaces, a NUL, astral characters
    mailkit.Recipient.model_construct(
        email="o'neil&co@example.org", first_name='Zoë "𝄞" <O\'Brien> & \0co', link_params={"rid": "r 1&x=%", "t": "é"},
        unsubscribe_url="https://e.org/u?a=1&b=<x>\"y\"'z'&amp;", preferences_url="https://e.org/p?\0&x=%2F"),
    # a sender's list: signed URLs, parameters that need no quoting and one that does
    mailkit.Recipient(email="ana@example.org", first_name="Siobhán O'Brien",
                      unsubscribe_url="https://news.example.com/unsubscribe?rid=7&list=daily&sig=f9a1",
                      preferences_url="https://news.example.com/preferences?rid=7&sig=f9a1",
                      link_params={"rid": "r7", "utm_term": "segment-3"}),
    mailkit.Recipient(email="tom@example.org", first_name="Tom & Jerry", link_params={"rid": "a b"}),
    mailkit.Recipient(email="wei@example.org", link_params={"a": "1", "b": "2", "c": "<'\">"}),
    mailkit.Recipient(email="zoe@example.org"),  # no link parameters: the query slots empty
    None,  # the newsletter's own links, no name
]


@pytest.mark.parametrize("template", sorted(FIXTURE))
@pytest.mark.parametrize("reader", READERS, ids=range(len(READERS)))
def test_hostile_readers_get_the_plain_fill(template: str, reader: mailkit.Recipient | None) -> None:
    _assert_plain(_prepared(template), reader)


@pytest.mark.parametrize("template", sorted(FIXTURE))
def test_a_value_like_this_emails_own_token_stays_text(template: str) -> None:
    prepared = _prepared(template)
    nonce = re.match(r"mk\(\?:([0-9]+)x", prepared.pattern)
    assert nonce is not None
    token = f"mk{nonce.group(1)}xpreferencesurlq"
    reader = mailkit.Recipient(email="a@example.org", link_params={"rid": token},
                               unsubscribe_url=f"https://e.org/u?x={token}&y=1")
    email = _assert_plain(prepared, reader)
    assert email == mailkit.render(template, FIXTURE[template], recipient=reader)


@pytest.mark.parametrize("template", sorted(FIXTURE))
def test_personalised_email_equals_a_full_render_and_is_a_plain_rendered_email(template: str) -> None:
    reader = READERS[1]
    email = _prepared(template).personalize(reader)
    assert type(email) is mailkit.RenderedEmail
    assert email == mailkit.render(template, FIXTURE[template], recipient=reader)
    assert email.html == mailkit.render(template, FIXTURE[template], recipient=reader).html
