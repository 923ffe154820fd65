"""Hostile and broken input to delivery: each case renders safely or fails with a named MailkitError."""

from __future__ import annotations

import contextlib
import csv
import itertools
import os
import smtplib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED

import mailkit
from mailkit._deliver import deliver, read_recipients
from mailkit._smtp import MboxTransport, SMTPTransport

DISCARD = MboxTransport(Path(os.devnull))


@pytest.fixture(scope="module")
def prepared() -> mailkit.PreparedEmail:
    return mailkit.prepare("breaking", SEED)


def test_a_csv_without_an_email_column_is_refused_naming_the_header(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_text("mail,first_name\na@example.org,A\n")
    with pytest.raises(mailkit.InvalidFixtureError, match=r"r\.csv: line 1: the header must name an 'email' column"):
        list(read_recipients(path))


def test_an_unknown_column_is_refused_not_ignored(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_text("email,frist_name\na@example.org,A\n")
    with pytest.raises(mailkit.InvalidFixtureError, match="frist_name"):
        list(read_recipients(path))


@pytest.mark.parametrize(("row", "field"), [
    (["not-an-address", "A", ""], "email"),
    (["c@example.org", "A", "javascript:alert(1)"], "unsubscribe_url"),
    (["c@example.org", "A", "https://example.org/u\r\nBcc: x@example.org"], "unsubscribe_url"),
], ids=["bad-address", "script-url", "header-injection-url"])
def test_a_bad_line_fails_that_reader_only_naming_file_line_and_field(prepared, tmp_path, row, field):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    with path.open("w", newline="") as out:
        csv.writer(out).writerows([["email", "first_name", "unsubscribe_url"], ["a@example.org", "A", ""], row,
                                   ["b@example.org", "B", ""]])
    report = deliver(prepared, read_recipients(path), DISCARD)
    assert (report.sent, report.failed) == (2, 1)
    (_, _, state, reply), = report.problems
    assert state == "failed" and reply.startswith("r.csv line ") and f": {field}: " in reply


def test_a_bad_json_line_stops_the_run_naming_the_line(prepared, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.jsonl"
    path.write_text('{"email": "a@example.org"}\n{"email": \n')
    with pytest.raises(mailkit.InvalidFixtureError, match=r"r\.jsonl: line 2: not JSON"):
        deliver(prepared, read_recipients(path), DISCARD)


def test_a_recipients_file_that_is_not_utf8_is_refused(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_bytes(b"email\n\xff@example.org\n")
    with pytest.raises(mailkit.InvalidFixtureError, match="not UTF-8"):
        list(read_recipients(path))


def test_a_missing_recipients_file_is_an_error_not_a_traceback(tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(mailkit.InvalidFixtureError, match="No such file"):
        list(read_recipients(tmp_path / "none.csv"))


def test_resuming_with_another_recipients_list_is_refused_naming_the_position(prepared, tmp_path):  # type: ignore[no-untyped-def]
    journal = tmp_path / "j.sqlite"
    deliver(prepared, [mailkit.Recipient(email="a@example.org")], DISCARD, journal=journal)
    with pytest.raises(mailkit.SendError, match=r"recipients\[0\]: 'b@example.org', but the journal has 'a@example.org'"):
        deliver(prepared, [mailkit.Recipient(email="b@example.org")], DISCARD, journal=journal, resume=True)


def test_a_password_is_never_sent_unencrypted_to_another_machine() -> None:
    with pytest.raises(mailkit.SendError, match="unencrypted"):
        SMTPTransport(host="mail.example.org", port=25, user="u", password="p", insecure_loopback_login=True)


def test_a_journal_that_is_not_sqlite_is_a_send_error(prepared, tmp_path):  # type: ignore[no-untyped-def]
    journal = tmp_path / "j.sqlite"
    journal.write_text("this is not a database\n" * 100)
    with pytest.raises(mailkit.SendError, match=r"journal .*j\.sqlite"):
        deliver(prepared, [mailkit.Recipient(email="a@example.org")], DISCARD, journal=journal, resume=True)


# -- SMTP replies: the reader parses what one read returns, within the same bounds (issue 16) --------


@pytest.fixture
def session() -> Iterator[tuple[Any, socket.socket]]:
    """A client SMTP object on one end of a socket pair (timeout 0.5 s), the server's end to write to."""
    from mailkit._smtp import _SMTP

    ours, server = socket.socketpair()
    ours.settimeout(0.5)
    smtp = _SMTP(timeout=0.5)
    smtp.sock = ours
    yield smtp, server
    smtp.close()
    ours.close()  # if the test put another socket in its place
    server.close()


def test_a_reply_trickled_a_byte_at_a_time_still_times_out(session) -> None:  # type: ignore[no-untyped-def]
    smtp, server = session
    stop = threading.Event()

    def trickle() -> None:
        for byte in itertools.cycle(b"250-x"):  # every read gets a byte well inside the read timeout
            if stop.wait(0.05):
                return
            with contextlib.suppress(OSError):
                server.send(bytes([byte]))

    threading.Thread(target=trickle, daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(smtplib.SMTPServerDisconnected, match=r"no complete reply within 0\.5 s"):
            smtp.getreply()
    finally:
        stop.set()
    assert time.monotonic() - started < 1.5


def test_a_reply_line_over_8192_octets_drops_the_connection(session) -> None:  # type: ignore[no-untyped-def]
    smtp, server = session
    server.sendall(b"250 " + b"x" * 9000)
    with pytest.raises(smtplib.SMTPResponseException, match="Line too long"):
        smtp.getreply()
    assert smtp.sock is None  # closed


def test_a_reply_of_more_than_100_lines_drops_the_connection(session) -> None:  # type: ignore[no-untyped-def]
    smtp, server = session
    server.sendall(b"250-x\r\n" * 150)
    with pytest.raises(smtplib.SMTPServerDisconnected, match="more than 100 lines"):
        smtp.getreply()


def test_replies_split_anywhere_read_the_same(session) -> None:  # type: ignore[no-untyped-def]
    smtp, server = session
    wire = b"250 reset\r\n250-sender\r\n250 ok\r\n354 go\r\n"

    def send_in_pieces() -> None:
        for at in range(len(wire)):
            server.send(wire[at : at + 1])
            time.sleep(0.002)

    threading.Thread(target=send_in_pieces, daemon=True).start()
    assert [smtp.getreply() for _ in range(3)] == [(250, b"reset"), (250, b"sender\nok"), (354, b"go")]


def test_what_a_server_sent_before_starttls_is_never_read_as_if_after_it(session) -> None:  # type: ignore[no-untyped-def]
    # STARTTLS command injection (CVE-2011-0411's kind): a reply already buffered when the socket is
    # replaced by its TLS wrapper was sent in clear text; smtplib drops its file then, and so do we
    smtp, server = session
    server.sendall(b"220 go ahead\r\n250 injected before the handshake\r\n")
    assert smtp.getreply() == (220, b"go ahead")
    wrapped, peer = socket.socketpair()  # stands for the TLS socket smtplib.starttls puts in place
    with peer:
        wrapped.settimeout(0.5)
        smtp.sock, smtp.file = wrapped, None  # what smtplib.starttls does
        peer.sendall(b"250 over tls\r\n")
        assert smtp.getreply() == (250, b"over tls")


def test_a_large_message_to_a_server_slow_to_read_arrives_whole() -> None:
    # the first write(2) takes what the socket has room for; the rest goes out within the timeout
    from test_deliver import _scripted_server

    from mailkit._smtp import Envelope

    raw = b"Subject: big\r\n\r\n" + b"".join(b".%06d " % i + b"x" * 70 + b"\r\n" for i in range(60_000))  # 4.7 MB
    listener, contents = _scripted_server(read_slowly=0.3)
    with listener:
        connection = SMTPTransport(host="127.0.0.1", port=listener.getsockname()[1], connections=1,
                                   timeout=10).connect()
        reply = connection.send(Envelope(0, "desk@example.org", "a@example.org"), raw)
        connection.close()
    assert reply.code == 250
    assert contents == [raw.replace(b"\r\n.", b"\r\n..")]
