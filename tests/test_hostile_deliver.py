"""Hostile and broken input to delivery: each case renders safely or fails with a named MailkitError."""

from __future__ import annotations

import csv
import os
from pathlib import Path

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
