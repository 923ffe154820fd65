"""personalize()'s fast paths against the plainest code, for random readers.

PreparedEmail.personalize is the per-recipient cost of a send (bench/run.py,
section 3, target: 1,000x a full render), so its fill takes shortcuts: the
values a part uses escaped as one string, the link-parameter query joined in
C when no value needs quoting, the query left out when no token takes it,
no placing step when each token has a value of its own. Each is held here to
what the plain code gives: html.escape per value, urllib's urlencode, a loop
putting static text and escaped value in turn.
"""

from __future__ import annotations

import dataclasses
import html
from functools import cache
from urllib.parse import urlencode

import pydantic
import pytest
from conftest import FIXTURES, SEED
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import mailkit
import mailkit._slots as slots
from mailkit._personalize import PreparedEmail
from mailkit._sanitize import encode_for_mrml
from mailkit._slots import Parts, Tokens, html_escape_all, link_query, value_index

TEMPLATES = {"breaking": SEED, "digest": FIXTURES / "digest-morning-briefing.yaml"}

# what readers' fields hold: accents, quotes, "&", "%", "<", NUL-free (the models refuse control characters)
_CHARS = st.sampled_from([*"aZ09 &%'\"<>=?#+/~._-", "é", "ü", "Zoë", "O'Brien", "&amp;", "%20", "汉", "\u200f"])
_TEXT = st.lists(_CHARS, max_size=12).map("".join)
_EMAILS = st.sampled_from(["ana@example.org", "o'neil@example.org", "tom&jerry@example.org", "zoë@exämple.org",
                           "a+b%c@example.org"])
_URLS = st.builds(lambda path, query: f"https://news.example.com/{path}?{query}",
                  st.lists(st.sampled_from([*"ab1-_.~%"]), max_size=8).map("".join),
                  st.lists(st.sampled_from([*"ab1=&%;+-_.~", "rid=7&sig=f9", "%2F", "é"]), max_size=8).map("".join))
_PARAMS = st.dictionaries(st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True), _TEXT, max_size=4)


@st.composite
def readers(draw: st.DrawFn) -> mailkit.Recipient | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    try:
        return mailkit.Recipient(email=draw(_EMAILS), first_name=draw(_TEXT),
                                 unsubscribe_url=draw(st.none() | _URLS), preferences_url=draw(st.none() | _URLS),
                                 link_params=draw(_PARAMS))
    except (pydantic.ValidationError, mailkit.MailkitError):
        assume(False)
        raise  # unreachable: assume(False) stops the example


@cache
def _prepared(template: str) -> PreparedEmail:
    return mailkit.prepare(template, TEMPLATES[template])


def _plain_values(prepared: PreparedEmail, reader: mailkit.Recipient | None) -> list[str]:
    # slot_values written the plain way: urlencode for the query, every slot filled
    footer = prepared.edition.newsletter.footer
    if reader is None:
        return ["", "", footer.unsubscribe_url, footer.preferences_url, "", "", *prepared.fallbacks]
    query = urlencode(reader.link_params)
    return [reader.first_name, reader.email, reader.unsubscribe_url or footer.unsubscribe_url,
            reader.preferences_url or footer.preferences_url, query and "?" + query, query and "&" + query,
            *(reader.first_name or fallback for fallback in prepared.fallbacks)]


def _plain_fill(part: Parts, values: list[str], escape) -> str:  # type: ignore[no-untyped-def]
    out = [part.static[0]]
    for slot, static in zip(part.slots, part.static[1:], strict=True):
        out += [escape(values[slot]), static]
    return "".join(out)


@settings(max_examples=150, deadline=None)
@given(template=st.sampled_from(sorted(TEMPLATES)), reader=readers())
@example(template="breaking", reader=None)
@example(template="digest", reader=mailkit.Recipient(
    email="o'neil@example.org", first_name='Tom & "Jerry" <O\'Brien>', unsubscribe_url="https://e.org/u?a=1&b=%2F",
    link_params={"rid": "r 1&x=%", "utm_term": "segment-1"}))
def test_personalize_equals_the_plain_fill(template: str, reader: mailkit.Recipient | None) -> None:
    prepared = _prepared(template)
    email = prepared.personalize(reader)
    values = _plain_values(prepared, reader)
    assert email.html == _plain_fill(prepared.html, values, lambda v: html.escape(v, quote=True))
    assert email.text == _plain_fill(prepared.text, values, str)
    assert email.mjml == _plain_fill(prepared.mjml, values, encode_for_mrml)


@given(st.lists(st.text() | st.sampled_from(["", "\0", "a\0&b", "<&>\"'"]), max_size=6))
@example(["a\0b", "&"])  # a NUL in a value: the joined escape does not count out, each is escaped alone
@example([])
def test_html_escape_all_is_html_escape_of_each(values: list[str]) -> None:
    assert list(html_escape_all(tuple(values))) == [html.escape(v, quote=True) for v in values]


@given(_PARAMS | st.dictionaries(st.from_regex(r"[a-z]{1,3}", fullmatch=True), st.text(), max_size=3))
@example({"rid": "r1", "utm_term": "segment-1"})
@example({"a": "x&y", "b": "<z>", "c": "\n"})
def test_query_is_urlencode(params: dict[str, str]) -> None:
    assert link_query(params) == urlencode(params)


def test_no_query_is_built_for_an_email_without_link_parameter_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    # the query is work for the slots that take it: an email none of whose
    # parts has a link-parameter token (here: its parts cut again without
    # them) fills the rest as before
    prepared = mailkit.prepare("breaking", SEED)
    nonce = "1" * 15
    tokens, index = Tokens(nonce, "2" * 15), value_index(len(prepared.fallbacks), 0)
    unsubscribe = slots.slot_token(nonce, "unsubscribe_url")
    plain = dataclasses.replace(prepared, mjml=Parts.cut(f"<mjml>{unsubscribe}</mjml>", tokens, index),
                                html=Parts.cut(f'<a href="{unsubscribe}">x</a>', tokens, index),
                                text=Parts.cut(f"unsubscribe: {unsubscribe}", tokens, index))
    reader = mailkit.Recipient(email="a@example.org", unsubscribe_url="https://e.org/u?a=1&b=2",
                               link_params={"rid": "7"})

    def refuse(params: dict[str, str]) -> str:
        raise AssertionError("the link-parameter query was built for an email without a link-parameter token")

    monkeypatch.setattr(slots, "link_query", refuse)  # personalize_values' slot_values ...
    monkeypatch.setattr(mailkit._personalize, "link_query", refuse)  # ... and personalize's own path
    email = plain.personalize(reader)
    assert email.html == '<a href="https://e.org/u?a=1&amp;b=2">x</a>'
    assert email.text == "unsubscribe: https://e.org/u?a=1&b=2"
    assert email.mjml == "<mjml>https://e.org/u?a=1&amp;b=2</mjml>"
    with pytest.raises(AssertionError, match="query was built"):
        prepared.personalize(reader)  # the breaking alert's story links take it
