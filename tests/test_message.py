"""MIME messages: structure, headers, encodings, injection, and a real SMTP round trip."""

from __future__ import annotations

import email
import re
import smtplib
import threading
from datetime import UTC, datetime
from email import policy

import pytest
from aiosmtpd.controller import Controller
from conftest import SEED
from hypothesis import given
from hypothesis import strategies as st

import mailkit
from mailkit._fixtures import load_edition
from mailkit._message import message_bytes
from mailkit._models import Sender
from mailkit._personalize import BulkMessages

WHEN = datetime(2014, 5, 20, 13, 30, tzinfo=UTC)
ANA = mailkit.Recipient(email="ana@example.org", first_name="Ana", link_params={"rid": "a1"},
                        unsubscribe_url="https://www.nbcnews.com/u?rid=a1&sig=x")


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def test_message_structure_and_headers() -> None:
    rendered = mailkit.render("breaking", SEED, recipient=ANA)
    raw = message_bytes(rendered, date=WHEN, message_id="<alert-1@newsletters.nbcnews.com>")
    msg = parse(raw)
    assert msg.defects == [] and all(p.defects == [] for p in msg.walk())
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert parts[0].get_content().replace("\r\n", "\n") == rendered.text
    assert parts[1].get_content().replace("\r\n", "\n") == rendered.html
    assert msg["Subject"] == rendered.subject
    assert msg["From"] == "NBC News Breaking News <breakingnews@newsletters.nbcnews.com>"
    assert msg["To"] == "Ana <ana@example.org>"
    assert msg["Reply-To"] == "newsletters@nbcnews.com"
    assert msg["Date"] == "Tue, 20 May 2014 13:30:00 +0000"
    assert msg["Message-ID"] == "<alert-1@newsletters.nbcnews.com>"
    assert msg["List-Id"] == "Breaking News Emails <breaking-news.newsletters.nbcnews.com>"
    assert msg["List-Unsubscribe"] == ("<https://www.nbcnews.com/u?rid=a1&sig=x>, "
                                       "<mailto:unsubscribe-breaking-news@newsletters.nbcnews.com?subject=unsubscribe>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    head, body = raw.split(b"\r\n\r\n", 1)
    assert all(len(line) <= 78 for line in body.split(b"\r\n"))
    # a header line is longer than 78 only where one URL alone is (RFC 5322 2.1.1)
    long = [line for line in head.split(b"\r\n") if len(line) > 78]
    assert all(len(re.findall(rb"<[a-z]+:", line)) == 1 for line in long), long
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_fast_bytes_equal_email_generator() -> None:
    rendered = mailkit.render("digest", "fixtures/digest-morning-briefing.yaml", recipient=ANA)
    kwargs = {"date": WHEN, "message_id": "<d@x.org>"}
    assert message_bytes(rendered, **kwargs) == rendered.to_message(**kwargs).as_bytes()


def test_message_id_needs_no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    monkeypatch.setattr(socket, "getfqdn", lambda *a: (_ for _ in ()).throw(AssertionError("DNS")))
    msg = mailkit.render("breaking", SEED, recipient=ANA).to_message()
    assert msg["Message-ID"].endswith("@newsletters.nbcnews.com>")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Hello\r\nBcc: victim@example.com"),
        ("subject", "Hello\nBcc: x"),
        ("subject", "a\x0bb"), ("subject", "a\x0cb"), ("subject", "a\x1cb"), ("subject", "a\x1db"),
        ("subject", "a\x1eb"), ("subject", "a\x85b"), ("subject", "a\u2028b"), ("subject", "a\u2029b"),
        ("subject", "a\x00b"),
        ("to", "alice@example.org)<bob@example.com>"),
        ("to", "alice@example.org\r\nBcc: x@y.z"),
        ("to", "Alice <alice@example.org>"),
        ("to", "alice@example.org, bob@example.com"),
    ],
)
def test_header_injection_is_refused(field: str, value: str) -> None:
    rendered = mailkit.render("breaking", SEED, recipient=ANA)
    with pytest.raises(mailkit.HeaderError):
        if field == "subject":
            from dataclasses import replace

            replace(rendered, subject=value).to_message()
        else:
            rendered.to_message(to=value)


def test_an_encoded_word_lookalike_is_encoded_and_reads_as_written() -> None:
    # RFC 2047 section 5: text that looks like an encoded word is itself encoded,
    # so "=?UTF-8?Q?=0A?=Bcc:x" reaches the reader as written, never as a line break
    from dataclasses import replace
    from email import message_from_bytes, policy

    value = "=?UTF-8?Q?=0A?=Bcc:x"
    raw = replace(mailkit.render("breaking", SEED, recipient=ANA), subject=value).to_message().as_bytes()
    assert b"=?UTF-8?Q?=0A?=" not in raw and b"\r\nBcc:" not in raw
    assert str(message_from_bytes(raw, policy=policy.default)["Subject"]) == value


def test_bulk_messages_decode_to_the_personalised_email() -> None:
    prepared = mailkit.prepare("digest", "fixtures/digest-morning-briefing.yaml")
    bulk = BulkMessages(prepared)
    for reader in (ANA, mailkit.Recipient(email="zoe@example.org", first_name="Zoë “Z” <&>"),
                   mailkit.Recipient(email="q@example.org", link_params={"a": "x&y", "b": "<z> é"},
                                     unsubscribe_url="https://example.org/u?a=1&b='2'")):
        msg = parse(bulk.message(reader, date=WHEN))
        mine = prepared.personalize(reader)
        assert msg.defects == []
        assert msg.get_body(("html",)).get_content().replace("\r\n", "\n") == mine.html
        assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == mine.text
        assert msg["To"].addresses[0].addr_spec == reader.email


class Sink:
    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_server():  # type: ignore[no-untyped-def]
    import socket

    # aiosmtpd's Controller connects to its own port to check it started, so
    # it needs a real port number, not 0: take a free one from the kernel.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, "127.0.0.1", port
    finally:
        controller.stop()


def test_batch_through_a_real_smtp_server_arrives_byte_identical(smtp_server) -> None:  # type: ignore[no-untyped-def]
    sink, host, port = smtp_server
    prepared = mailkit.prepare("breaking", SEED)
    bulk = BulkMessages(prepared)
    readers = [mailkit.Recipient(email=f"reader{i}@example.org", first_name=name)
               for i, name in enumerate(["Ana", "Zoë", "محمد", "O'Brien", ""])]
    sent = {}
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        for reader in readers:
            raw = bulk.message(reader, date=WHEN)
            smtp.sendmail("breakingnews@newsletters.nbcnews.com", [reader.email], raw)
            sent[reader.email] = raw
    assert len(sink.received) == len(readers)
    for mail_from, rcpts, content in sink.received:
        assert mail_from == "breakingnews@newsletters.nbcnews.com"
        assert content == sent[rcpts[0]]
        msg = parse(content)
        assert msg.defects == [] and msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_cli_send_and_eml(smtp_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from mailkit._cli import main

    sink, host, port = smtp_server
    result = CliRunner().invoke(main, ["send", "breaking", str(SEED), "--to", "editor@example.org",
                                       "--smtp", f"{host}:{port}"])
    assert result.exit_code == 0, result.output
    assert sink.received and sink.received[0][1] == ["editor@example.org"]
    result = CliRunner().invoke(main, ["render", "breaking", str(SEED), "--eml", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    msg = parse((tmp_path / "breaking--breaking-china-cyberspying.eml").read_bytes())
    assert msg.defects == [] and msg["Subject"].startswith("China Summons")


@pytest.mark.parametrize("theme", ["nbc-news", "harbor-ledger"])
@pytest.mark.parametrize("fixture", sorted(p.name for p in SEED.parent.glob("*.yaml")))
def test_bulk_messages_equal_message_bytes_for_every_fixture_and_theme(fixture: str, theme: str) -> None:
    from mailkit._models import Sender

    path = SEED.parent / fixture
    prepared = mailkit.prepare(load_edition(path).templates[0], path, mailkit.RenderOptions(theme=theme))
    # fixtures without a sender get one, as `--from` gives it
    sender = None if prepared.edition.newsletter.sender else Sender(name="Desk", address="desk@example.org")
    bulk = BulkMessages(prepared, sender=sender)
    for reader in (ANA, mailkit.Recipient(email="zoe@exämple.org", first_name="Zoë “Z” <&> محمد"),
                   mailkit.Recipient(email="q@example.org", link_params={"a": "x&y", "b": "<z> é"},
                                     unsubscribe_url="https://example.org/u?a=1&b='2'")):
        raw = bulk.message(reader, date=WHEN, message_id="<b-1@example.org>")
        mine = prepared.personalize(reader)
        kwargs = {"sender": sender, "date": WHEN, "message_id": "<b-1@example.org>"}
        assert raw == message_bytes(mine, **kwargs) == mine.to_message(**kwargs).as_bytes()
        msg = parse(raw)
        assert msg.defects == [] and msg["Subject"] == prepared.subject
        assert msg.get_body(("html",)).get_content().replace("\r\n", "\n") == mine.html



# -- the text part encoded once around its slots (issue 16) ------------------------------------

READERS = [mailkit.Recipient(email=f"r{i}@example.org", first_name=name,
                             unsubscribe_url=f"https://example.org/u?id={i}&sig=" + "é" * (7 * i),
                             link_params={"rid": "x" * (9 * i), "src": "alert é&"})
           for i, name in enumerate(["Ana", "José", "Zoë “Z” <&>", "محمد", "李小龙", "O'Brien", "", "x" * 70,
                                     "Ünï  two  spaces", "שלום", ".", "a. b"])]


@pytest.mark.parametrize("fixture", ["breaking-china-cyberspying.yaml", "breaking-arabic-rtl.yaml",
                                     "breaking-hebrew-rtl.yaml", "digest-morning-briefing.yaml",
                                     "special-report-election-night.yaml", "breaking-long-headline-emoji.yaml"])
def test_bulk_messages_with_the_spliced_text_part_equal_the_whole_encoding(fixture: str) -> None:
    # non-ASCII and RTL names, link parameters long enough to cross a 76-octet QP line, an empty name,
    # a lone dot: BulkMessages encodes only the text lines holding a slot, message_bytes the whole text
    path = SEED.parent / fixture
    prepared = mailkit.prepare(load_edition(path).templates[0], path)
    sender = None if prepared.edition.newsletter.sender else Sender(name="Desk", address="desk@example.org")
    bulk = BulkMessages(prepared, sender=sender)
    for reader in READERS:
        raw = bulk.message(reader, date=WHEN, message_id="<b-1@example.org>")
        assert raw == message_bytes(prepared.personalize(reader), sender=sender, date=WHEN,
                                    message_id="<b-1@example.org>")


def test_a_bulk_message_encodes_only_the_text_lines_that_hold_a_slot(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import binascii

    import mailkit._message as writer

    prepared = mailkit.prepare("breaking", SEED)
    bulk = BulkMessages(prepared)
    text = prepared.personalize(ANA).text
    encoded: list[int] = []

    class Counting:
        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(binascii, name)

        @staticmethod
        def b2a_qp(data: bytes, **kwargs) -> bytes:  # type: ignore[no-untyped-def]
            encoded.append(len(data))
            return binascii.b2a_qp(data, **kwargs)

    monkeypatch.setattr(writer, "binascii", Counting())
    bulk.message(ANA, date=WHEN)
    # the HTML's slots and the text's few lines with a name or URL: far less than the 5 KB text again
    assert 0 < sum(encoded) < len(text) / 4, (encoded, len(text))


@given(st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=200), max_size=8),
       st.booleans())
def test_binascii_quoted_printable_is_line_local(lines: list[str], last_newline: bool) -> None:
    # what the spliced text part relies on: the encoding of a text is its lines' encodings joined (soft
    # breaks, trailing spaces and a lone dot are decided within a line); a change upstream fails here
    import binascii

    chunks = [line + "\n" for line in lines]
    if chunks and not last_newline:
        chunks[-1] = chunks[-1][:-1]
    whole = binascii.b2a_qp("".join(chunks).encode("utf-8"), istext=True)
    assert whole == b"".join(binascii.b2a_qp(chunk.encode("utf-8"), istext=True) for chunk in chunks)


def test_a_campaigns_date_and_the_newsletters_unsubscribe_headers_are_written_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # 10 us each a message: the Date is the campaign's, the URL the newsletter's for every reader without one
    import mailkit._message as writer

    calls: list[str] = []
    for name in ("format_datetime", "header_url"):
        original = getattr(writer, name)
        monkeypatch.setattr(writer, name, lambda *args, _f=original, _n=name: calls.append(_n) or _f(*args))
    bulk = BulkMessages(mailkit.prepare("breaking", SEED))
    when = datetime(2031, 1, 2, 3, 4, tzinfo=UTC)  # not cached by another test
    for i in range(10):
        bulk.message(mailkit.Recipient(email=f"r{i}@example.org"), date=when)
    assert calls.count("format_datetime") == 1 and calls.count("header_url") <= 1, calls
