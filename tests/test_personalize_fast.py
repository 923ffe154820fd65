"""personalize()'s fast paths against the plainest code, for random readers.

PreparedEmail.personalize is the per-recipient cost of a send (bench/run.py,
section 3, target: 1,000x a full render), so its fill takes shortcuts: the
values a part uses escaped as one string, the link-parameter query joined in
C when no value needs quoting (one or two parameters written with one
f-string), the query left out when no token takes it, no placing step when
each token has a value of its own; and, for an email without text lines
wrapped per reader, one path written out: the values the HTML and text parts
take gathered and escaped once for both (their tokens may differ), only the
reader fields a token takes read, the MJML filled from the prepared parts on
first use. Each is held here to what the plain code gives: html.escape per
value, urllib's urlencode, a loop putting static text and escaped value in
turn.
"""

from __future__ import annotations

import dataclasses
import html
import pickle
import tempfile
from functools import cache
from pathlib import Path
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

TEMPLATES = {"breaking": SEED, "digest": FIXTURES / "digest-morning-briefing.yaml", "attrs": SEED, "tagged": SEED,
             "special-report": FIXTURES / "special-report-inside-the-indictment.yaml"}

# An author's template whose HTML holds tokens its text part does not (the
# reader's name, a fallback for it and the address in a link's title), so the
# HTML and the text place different values from the ones gathered for both;
# no text line holds one, so personalize takes its written-out path
ATTRS_TEMPLATE = """{% extends "layouts/base.mjml.j2" %}
{% block content %}
<mj-section><mj-column><mj-text css-class="mk-text">
<p><a href="{{ article.url }}" title="For {{ recipient.first_name_or('you') }}, {{ recipient.first_name }}
&lt;{{ recipient.email }}&gt;">Read {{ article.headline }}</a></p>
</mj-text></mj-column></mj-section>
{% endblock %}
"""

# what readers' fields hold: accents, quotes, "&", "%", "<", NUL-free (the models refuse control characters),
# and text that looks like a placeholder (of no email: each prepared email's nonce is its own)
_CHARS = st.sampled_from([*"aZ09 &%'\"<>=?#+/~._-", "é", "ü", "Zoë", "O'Brien", "&amp;", "%20", "汉", "\u200f", "𝄞",
                          "mk123456789012345xemailq", "mk000000000000000xlinkparamsqq"])
_TEXT = st.lists(_CHARS, max_size=12).map("".join)
_EMAILS = st.sampled_from(["ana@example.org", "o'neil@example.org", "tom&jerry@example.org", "zoë@exämple.org",
                           "a+b%c@example.org"])
_URLS = st.builds(lambda path, query: f"https://news.example.com/{path}?{query}",
                  st.lists(st.sampled_from([*"ab1-_.~%"]), max_size=8).map("".join),
                  st.lists(st.sampled_from([*"ab1=&%;+-_.~'", "rid=7&sig=f9", "%2F", "é", "𝄞"]), max_size=8).map("".join))
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
    if template == "attrs":
        folder = Path(tempfile.mkdtemp(prefix="mailkit-attrs-"))
        (folder / "attrs.mjml.j2").write_text(ATTRS_TEMPLATE, encoding="utf-8")
        return mailkit.Renderer(template_dirs=(folder,)).prepare(template, TEMPLATES[template])
    if template == "tagged":  # UTM parameters on every story link: a reader's follow an "&"
        tagged = mailkit.Renderer(link_tagging=mailkit.LinkTagging(campaign="c1"))
        return tagged.prepare("breaking", TEMPLATES[template])
    return mailkit.prepare(template, TEMPLATES[template])


def test_the_templates_take_each_path() -> None:
    # the differential test below reaches what it means to: the written-out
    # path (no text line wrapped per reader), with and without a placing step,
    # HTML and text parts holding different tokens, name, address and fallback
    assert all(not _prepared(name).text_lines for name in TEMPLATES)
    attrs, digest = _prepared("attrs"), _prepared("digest")
    assert set(attrs.html.slots) > set(attrs.text.slots) and attrs.fallbacks == ("you",)
    assert {0, 1, 6} <= set(attrs.html.slots)  # first name, address, the fallback
    assert len(digest.html.slots) > len(set(digest.html.slots))  # a value at several tokens
    assert 5 in _prepared("tagged").html.slots and 4 not in _prepared("tagged").html.slots  # "&" + the query


def _plain_values(prepared: PreparedEmail, reader: mailkit.Recipient | None) -> list[str]:
    # slot_values written the plain way: urlencode for the query, every slot filled
    # (the slots no token takes, which personalize may leave empty, are not compared)
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
@example(template="attrs", reader=mailkit.Recipient(
    email="o'neil@example.org", first_name='Zoë & "co" <b>', preferences_url="https://e.org/p?a=1&b='2'",
    link_params={"rid": "r1"}))
@example(template="attrs", reader=mailkit.Recipient(email="a@example.org", link_params={"a": "1", "b": "x y"}))
@example(template="tagged", reader=mailkit.Recipient(email="a@example.org", link_params={"rid": "r1", "t": "s-1"}))
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
@example({"a": "x&y"})  # one parameter, two, three: each shape has its own path
@example({"a": "~._-"})
@example({"a": "1", "b": "é"})
@example({"a": "=", "b": "1"})
@example({"a": "1", "b": "2", "c": "3"})
def test_query_is_urlencode(params: dict[str, str]) -> None:
    assert link_query(params) == urlencode(params)
    assert link_query(params, "?") == "?" + urlencode(params)


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

    def refuse(params: dict[str, str], prefix: str = "") -> str:
        raise AssertionError("the link-parameter query was built for an email without a link-parameter token")

    monkeypatch.setattr(slots, "link_query", refuse)  # personalize_values' slot_values ...
    monkeypatch.setattr(mailkit._personalize, "link_query", refuse)  # ... and personalize's own path
    email = plain.personalize(reader)
    assert email.html == '<a href="https://e.org/u?a=1&amp;b=2">x</a>'
    assert email.text == "unsubscribe: https://e.org/u?a=1&b=2"
    assert email.mjml == "<mjml>https://e.org/u?a=1&amp;b=2</mjml>"
    with pytest.raises(AssertionError, match="query was built"):
        prepared.personalize(reader)  # the breaking alert's story links take it


class _Spy(mailkit.Recipient):
    """A reader that records which of its fields are read."""

    def __getattribute__(self, name: str) -> object:
        if name in type(self).model_fields:
            _READ.append(name)
        return super().__getattribute__(name)


_READ: list[str] = []


def test_personalize_reads_only_the_fields_a_token_takes() -> None:
    # each reader's strings lie elsewhere in memory (a send goes through
    # thousands): a field no token takes is not read, its slot left empty
    reader = _Spy(email="ana@example.org", first_name="Ana", unsubscribe_url="https://e.org/u?a=1&b=2",
                  link_params={"rid": "7"})
    _READ.clear()
    email = _prepared("breaking").personalize(reader)
    assert sorted(set(_READ)) == ["link_params", "preferences_url", "unsubscribe_url"]
    assert email == mailkit.render("breaking", SEED, recipient=reader)
    _READ.clear()
    _prepared("attrs").personalize(reader)
    assert {"first_name", "email"} <= set(_READ)


def test_personalised_mjml_is_filled_from_the_prepared_parts() -> None:
    # no object made per reader for the MJML (a partial was 0.15 us of a
    # personalize): the prepared parts, filled with the values in html_parts
    prepared = _prepared("breaking")
    reader = mailkit.Recipient(email="a@example.org", link_params={"rid": "x&y"},
                               unsubscribe_url="https://e.org/u?a=1&b=<2>")
    email = prepared.personalize(reader)
    assert email.mjml_source is prepared.mjml
    assert email.mjml == _plain_fill(prepared.mjml, _plain_values(prepared, reader), encode_for_mrml)
    assert email.mjml == mailkit.render("breaking", SEED, recipient=reader).mjml
    copy = pickle.loads(pickle.dumps(email))
    assert copy == email and copy.mjml == email.mjml


def test_the_newsletters_own_email_builds_no_reader_plan() -> None:
    """personalize(None) (and render() without a reader) needs no plan for a reader's values:
    the plan is looked up per prepared email on first use, by the first reader."""
    prepared = mailkit.prepare("breaking", mailkit.load_edition(SEED))
    own = prepared.personalize(None)
    assert "_plan" not in prepared.__dict__
    own_url = "https://news.example.com/unsubscribe?rid=7&sig=abc"
    reader = prepared.personalize(mailkit.Recipient(email="a@example.org", unsubscribe_url=own_url))
    assert "_plan" in prepared.__dict__
    assert own_url not in own.text and own_url in reader.text
