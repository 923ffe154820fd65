"""Hostile and broken input for the message writer: headers, line ends, addresses.

Each case is a clear input and its expected outcome: the message is written
safely (every line ends in CRLF, none is over 998 octets, no CR or LF stands
alone, it parses back to the same values, and all three writers agree byte
for byte) or it fails with a named MailkitError whose message names the field.
"""

from __future__ import annotations

import copy
import email
import re
from dataclasses import replace
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from typing import Any

import pytest
import yaml
from conftest import SEED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mailkit
from mailkit._message import message_bytes
from mailkit._personalize import BulkMessages

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))
WHEN = datetime(2014, 5, 20, 13, 30, tzinfo=UTC)
MID = "<m-1@newsletters.nbcnews.com>"
CR = b"\r"
READER = mailkit.Recipient(email="ana@example.org", first_name="Ana")


def wire_problems(raw: bytes) -> list[str]:
    """What is wrong with ``raw`` on the wire: bare CR or LF, lines over 998 octets, 8-bit bytes."""
    problems = []
    if raw and not raw.endswith(b"\r\n"):
        problems.append("does not end in CRLF")
    for m in re.finditer(rb"\r(?!\n)|(?<!\r)\n", raw):
        problems.append(f"bare {'CR' if m.group() == CR else 'LF'} at {m.start()}")
    for i, line in enumerate(raw.split(b"\r\n")):
        if len(line) > 998:
            problems.append(f"line {i} is {len(line)} octets")
    if not raw.isascii():
        problems.append("8-bit byte")
    return problems


def display_name(msg: email.message.EmailMessage, header: str) -> str:
    """The display name as RFC 2047 reads it.

    Python 3.11's parser keeps the space between two encoded words of a display
    name (python/cpython#128110, fixed in 3.14), so a name in encoded words is
    decoded with email.header, which follows RFC 2047 6.2.
    """
    raw = "".join(next(v for k, v in msg.raw_items() if k.lower() == header.lower()).splitlines())
    if "=?" not in raw:
        return str(msg[header].addresses[0].display_name)
    return str(make_header(decode_header(raw[: raw.rindex("<")].strip())))


def test_python_keeps_the_space_between_encoded_words_of_a_display_name() -> None:
    # pins python/cpython#128110: when this fails, the display_name() workaround can go
    import sys

    msg = parse(b"From: =?utf-8?b?Wm/Dqw==?=\r\n =?utf-8?b?Wm/Dqw==?= <a@example.org>\r\n\r\n")
    assert msg["From"].addresses[0].display_name == ("Zo\u00ebZo\u00eb" if sys.version_info >= (3, 14)
                                                     else "Zo\u00eb Zo\u00eb")


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def edition(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        target = data
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return data


def all_ways(data: dict[str, Any], reader: mailkit.Recipient = READER) -> bytes:
    """The message through all three writers; they must agree byte for byte, and be clean on the wire."""
    prepared = mailkit.prepare("breaking", data)
    mine = prepared.personalize(reader)
    fast = message_bytes(mine, date=WHEN, message_id=MID)
    assert mine.to_message(date=WHEN, message_id=MID).as_bytes() == fast
    assert BulkMessages(prepared).message(reader, date=WHEN, message_id=MID) == fast
    assert wire_problems(fast) == []
    msg = parse(fast)
    assert msg.defects == [] and all(p.defects == [] for p in msg.walk())
    return fast


# -- line ends in the body (issue 11, item 2) --------------------------------------------


@pytest.mark.parametrize("note", ["one\rtwo", "one\r.\r\ntwo", "\r.\r", "a\r\n.\r\nb", "x\n.\ny", "tail\r"])
def test_a_carriage_return_in_a_text_field_never_reaches_the_wire_alone(note: str) -> None:
    raw = all_ways(edition(editor_note=note, articles=[{**BASE["articles"][0], "body": f"<p>{note}</p>"}]))
    assert b"\r.\r\n" not in raw and b"\n.\r\n" not in raw.replace(b"\r\n.\r\n", b"")


# -- header injection through every header-bearing field (items 3, 12, 13) ----------------

INJECTIONS = ["x\r\nBcc: victim@example.com", "x\nBcc: v@example.com", "x\rBcc: v@example.com",
              "x\u2028Bcc: v@example.com", "x\x85Bcc: v@example.com", "=?utf-8?q?=0D=0ABcc:_x?="]


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("field", ["subject", "sender_name", "to_name"])
def test_injection_in_a_text_header_is_refused_or_harmless(field: str, value: str) -> None:
    rendered = mailkit.render("breaking", SEED, recipient=READER)
    try:
        if field == "subject":
            raw = message_bytes(replace(rendered, subject=value), date=WHEN, message_id=MID)
        elif field == "sender_name":
            sender = rendered.edition.newsletter.sender.model_copy(update={"name": value})  # type: ignore[union-attr]
            raw = message_bytes(rendered, sender=sender, date=WHEN, message_id=MID)
        else:
            reader = READER.model_copy(update={"first_name": value})
            raw = message_bytes(replace(rendered, recipient=reader), date=WHEN, message_id=MID)
    except mailkit.HeaderError as err:
        assert re.match(r"(Subject|From|To): ", str(err)), err
        return
    assert wire_problems(raw) == [] and b"\r\nBcc:" not in raw


@pytest.mark.parametrize("address", ["a@example.org\r\nBcc: v@example.com", "a@example.org>, <v@example.com",
                                     "Alice <a@example.org>", "a@example.org, v@example.com",
                                     "a@example.org)<v@example.com>", "josé@example.org", "a@b", ""])
@pytest.mark.parametrize("field", ["address", "reply_to", "unsubscribe_mailto"])
def test_a_bad_sender_address_is_refused_at_load(field: str, address: str) -> None:
    with pytest.raises(mailkit.InvalidFixtureError, match=rf"newsletter\.sender\.{field}"):
        mailkit.render("breaking", edition(**{f"newsletter__sender__{field}": address}))


@pytest.mark.parametrize("address", ["a@example.org\r\nBcc: v@example.com", "josé@example.org", "a@b",
                                     "Alice <a@example.org>", "a@example.org)<v@example.com>"])
def test_a_bad_recipient_address_is_refused_at_load_and_by_the_writer(address: str) -> None:
    with pytest.raises(mailkit.InvalidFixtureError, match=r"email"):  # also a ValueError, as for any Recipient field
        mailkit.Recipient.model_validate({"email": address})
    with pytest.raises(mailkit.HeaderError, match=r"^To: "):
        mailkit.render("breaking", SEED).to_message(to=address)


def test_non_ascii_local_part_refused_at_load_with_a_reason() -> None:
    with pytest.raises(mailkit.InvalidFixtureError, match=r"^Recipient: email: .*SMTPUTF8"):
        mailkit.Recipient.model_validate({"email": "josé@example.org"})
    with pytest.raises(mailkit.InvalidFixtureError, match=r"newsletter\.sender\.address: .*SMTPUTF8"):
        mailkit.render("breaking", edition(newsletter__sender__address="josé@example.org"))


def test_idn_domains_load_in_their_ascii_form_and_send() -> None:
    reader = mailkit.Recipient(email="ana@exämple.org", first_name="Ana")
    assert reader.email == "ana@xn--exmple-cua.org"
    data = edition(newsletter__sender__address="news@bücher.example.org")
    raw = all_ways(data, reader)
    assert parse(raw)["To"].addresses[0].domain == "xn--exmple-cua.org"
    assert parse(raw)["From"].addresses[0].domain == "xn--bcher-kva.example.org"


@pytest.mark.parametrize("url", [
    "https://example.org/u>,<mailto:attacker@example.com>",
    "https://example.org/u?a=1>, <https://evil.example/",
    "https://example.org/u\"><mailto:x@example.com",
])
def test_unsubscribe_url_cannot_add_a_second_target(url: str) -> None:
    reader = mailkit.Recipient.model_construct(email="ana@example.org", first_name="Ana", unsubscribe_url=url,
                                               preferences_url=None, link_params={})
    prepared = mailkit.prepare("breaking", SEED)
    raw = message_bytes(prepared.personalize(reader), date=WHEN, message_id=MID)
    assert wire_problems(raw) == []
    targets = re.findall(r"<([^<>]*)>", parse(raw)["List-Unsubscribe"])
    assert len(targets) == 2 and targets[1].startswith("mailto:unsubscribe-breaking-news@")
    assert "attacker" not in targets[1] and "evil" not in targets[1]


@pytest.mark.parametrize("url", ["https://example.org/ü", "https://exämple.org/u?n=é#ü", "https://example.org/a b"])
def test_non_ascii_unsubscribe_url_is_percent_encoded(url: str) -> None:
    reader = mailkit.Recipient.model_construct(email="ana@example.org", first_name="Ana", unsubscribe_url=url,
                                               preferences_url=None, link_params={})
    raw = all_ways(BASE, reader)
    first = re.findall(r"<([^<>]*)>", parse(raw)["List-Unsubscribe"])[0]
    assert first.isascii() and " " not in first
    assert first in ("https://example.org/%C3%BC", "https://xn--exmple-cua.org/u?n=%C3%A9#%C3%BC",
                     "https://example.org/a%20b")


def test_newsletter_unsubscribe_url_non_ascii_through_the_fixture() -> None:
    all_ways(edition(newsletter__footer__unsubscribe_url="https://example.org/ü"))


# -- overlong values: fold or refuse, never a line over 998 octets --------------------------


@pytest.mark.parametrize(("field", "value"), [
    ("newsletter__sender__name", "N" * 1200),
    ("newsletter__sender__name", "Zoë " * 300),
    ("newsletter__sender__name", "a, b; \"c\" " * 120),
    ("subject", "S" * 1500),
    ("subject", "Ünïcödé " * 200),
    ("subject", "word " * 400),
    ("newsletter__name", "Breaking " * 150),
    ("newsletter__name", "أخبار عاجلة " * 100),
], ids=["name-1200", "name-zoe", "name-specials", "subject-1500", "subject-unicode", "subject-words", "newsletter-long",
        "newsletter-arabic"])
def test_overlong_header_values_are_folded(field: str, value: str) -> None:
    raw = all_ways(edition(**{field: value}))
    msg = parse(raw)
    if field == "subject":
        assert msg["Subject"] == value.strip()
    if field == "newsletter__sender__name":
        assert display_name(msg, "From") == value.strip()


def test_overlong_first_name_is_folded() -> None:
    reader = mailkit.Recipient(email="ana@example.org", first_name="Ana" * 400)
    raw = all_ways(BASE, reader)
    assert display_name(parse(raw), "To") == "Ana" * 400


def test_overlong_unsubscribe_url_is_refused_naming_the_header() -> None:
    reader = mailkit.Recipient(email="ana@example.org", unsubscribe_url="https://example.org/u?x=" + "a" * 2000)
    prepared = mailkit.prepare("breaking", SEED)
    with pytest.raises(mailkit.HeaderError, match=r"^List-Unsubscribe: .*998"):
        message_bytes(prepared.personalize(reader), date=WHEN, message_id=MID)
    with pytest.raises(mailkit.HeaderError, match=r"^List-Unsubscribe: "):
        BulkMessages(prepared).message(reader)


def test_long_but_fitting_unsubscribe_url_is_kept_whole() -> None:
    url = "https://example.org/u?x=" + "a" * 900
    raw = all_ways(BASE, mailkit.Recipient(email="ana@example.org", unsubscribe_url=url))
    assert re.findall(r"<([^<>]*)>", parse(raw)["List-Unsubscribe"])[0] == url


@pytest.mark.parametrize("list_id", ["news.example.org>\r\nBcc: v@example.com", "news.example.org> <x.example.org"])
def test_list_id_injection_is_refused_at_load_and_by_the_writer(list_id: str) -> None:
    with pytest.raises(mailkit.InvalidFixtureError, match=r"newsletter\.sender\.list_id"):
        mailkit.render("breaking", edition(newsletter__sender__list_id=list_id))
    rendered = mailkit.render("breaking", SEED, recipient=READER)
    sender = rendered.edition.newsletter.sender.model_copy(update={"list_id": list_id})  # type: ignore[union-attr]
    with pytest.raises(mailkit.HeaderError, match=r"^List-Id: "):
        message_bytes(rendered, sender=sender, date=WHEN, message_id=MID)


@pytest.mark.parametrize("message_id", ["<a\r\nBcc: x@y.org>", "no-brackets@x.org", "<a b@x.org>", "<é@x.org>",
                                        "<" + "a" * 1000 + "@x.org>"])
def test_bad_message_id_is_refused(message_id: str) -> None:
    with pytest.raises(mailkit.HeaderError, match=r"^Message-ID: "):
        mailkit.render("breaking", SEED, recipient=READER).to_message(message_id=message_id)


# -- non-ASCII everywhere (item 12) --------------------------------------------------------


def test_short_non_ascii_subject_and_newsletter_name_in_bulk() -> None:
    all_ways(edition(subject="Zoë", newsletter__name="Noticias Última Hora"))
    all_ways(edition(subject="عاجل", newsletter__name="أخبار"))


# -- random text in every header-bearing field ------------------------------------------------

header_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\ufffe\uffff"
                           + "".join(chr(c) for c in range(0x202A, 0x202F))),
    min_size=1, max_size=300,
).filter(lambda s: s.strip() and "=?" not in s)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=header_text, sender=header_text, name=header_text, newsletter=header_text, path=header_text)
def test_random_text_in_headers(subject: str, sender: str, name: str, newsletter: str, path: str) -> None:
    try:
        data = edition(subject=subject, newsletter__sender__name=sender, newsletter__name=newsletter)
        reader = mailkit.Recipient(email="ana@example.org", first_name=name)
        prepared = mailkit.prepare("breaking", data)
    except (mailkit.InvalidFixtureError, ValueError):
        return
    # the writer alone, whatever the models would let through: any text in the URL's path
    reader = reader.model_copy(update={"unsubscribe_url": f"https://example.org/{path}"})
    mine = prepared.personalize(reader)
    try:
        raw = message_bytes(mine, date=WHEN, message_id=MID)
    except mailkit.HeaderError:
        return
    assert wire_problems(raw) == []
    assert mine.to_message(date=WHEN, message_id=MID).as_bytes() == raw
    assert BulkMessages(prepared).message(reader, date=WHEN, message_id=MID) == raw
    msg = parse(raw)
    assert msg["Subject"] == mine.subject
    assert display_name(msg, "From") == prepared.edition.newsletter.sender.name  # type: ignore[union-attr]
    assert display_name(msg, "To") == reader.first_name
    first = re.findall(r"<([^<>]*)>", msg["List-Unsubscribe"])
    assert len(first) == 2 and first[0].isascii() and first[0].startswith("https://example.org/")


def test_a_reader_cannot_break_the_mime_structure_with_the_boundary() -> None:
    prepared = mailkit.prepare("breaking", SEED)
    seed = BulkMessages(prepared).boundary
    reader = mailkit.Recipient(email="ana@example.org", first_name=f"--{seed}--",
                               link_params={"x": f"--{seed}"})
    raw = all_ways(BASE, reader)
    msg = parse(raw)
    assert f'boundary="{seed}"' not in raw.decode("ascii")
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]


def test_headers_a_caller_adds_are_encoded_and_checked_too() -> None:
    msg = mailkit.render("breaking", SEED, recipient=READER).to_message(date=WHEN, message_id=MID)
    msg["X-Campaign"] = "Zoë’s " * 40
    assert wire_problems(msg.as_bytes()) == []
    assert parse(msg.as_bytes())["X-Campaign"] == "Zoë’s " * 40  # spaces and all
    with pytest.raises(mailkit.HeaderError, match=r"^X-Bad: line break"):
        msg["X-Bad"] = "a\r\nBcc: v@example.com"
