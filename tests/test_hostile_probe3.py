"""Outside tester's probe of delivery (probe3): each case a hostile input and its outcome, never a hang."""

from __future__ import annotations

import contextlib
import csv
import os
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED

import mailkit
from mailkit._deliver import RetryPolicy, deliver, read_recipients
from mailkit._journal import Journal
from mailkit._smtp import Envelope, MboxTransport, Reply, SMTPTransport

DISCARD = MboxTransport(Path(os.devnull))
FAST = RetryPolicy(attempts=2, first_delay=0.01, max_delay=0.02)


@pytest.fixture(scope="module")
def prepared() -> mailkit.PreparedEmail:
    return mailkit.prepare("breaking", SEED)


def bounded(call: Callable[[], Any], seconds: float = 10) -> Any:
    """Run ``call`` in a thread: its result, its exception re-raised, or a failure if it hangs."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = call()
        except BaseException as err:  # noqa: BLE001 - re-raised below, in the test's thread
            result["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"hung for more than {seconds} s"
    if "error" in result:
        raise result["error"]
    return result["value"]


# -- the run ends, whatever a transport or the journal raises ------------------------------------


class _Broken:
    connections = 2
    rate_per_connection = None

    def __init__(self, on_send: Callable[[], None]) -> None:
        self.on_send = on_send

    def connect(self) -> _Broken:
        return self

    def send(self, envelope: Envelope, raw: bytes) -> Reply:
        self.on_send()
        return Reply(250, "ok")

    def close(self) -> None:
        pass


def test_an_unexpected_error_in_a_transport_stops_the_run_as_a_send_error_not_a_hang(prepared):  # type: ignore[no-untyped-def]
    def boom() -> None:
        raise ValueError("a third-party transport's bug")

    readers = [mailkit.Recipient(email=f"r{n}@example.org") for n in range(5)]
    with pytest.raises(mailkit.SendError, match="ValueError: a third-party transport's bug") as caught:
        bounded(lambda: deliver(prepared, readers, _Broken(boom)))
    assert isinstance(caught.value.__cause__, ValueError)


def test_a_journal_that_fails_mid_run_stops_it_naming_the_journal_not_a_hang(prepared, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "j.sqlite"
    from mailkit._deliver import BulkMessages, campaign_id
    journal = Journal(path, campaign_id(BulkMessages(prepared)))
    readers = [mailkit.Recipient(email=f"r{n}@example.org") for n in range(5)]
    # the journal's database goes away under the run (as a full disk or a deleted file would fail it)
    with pytest.raises(mailkit.SendError, match=r"journal .*j\.sqlite: "):
        bounded(lambda: deliver(prepared, readers, _Broken(journal.db.close), journal=journal))


# -- two runs on one journal -------------------------------------------------------------------


def test_a_second_run_on_a_journal_in_use_is_refused_so_nothing_is_sent_twice(prepared, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "j.sqlite"
    first = Journal(path, "c" * 64)
    first.begin([(0, "a@example.org")])
    with pytest.raises(mailkit.SendError, match="in use by another run"):
        Journal(path, "c" * 64, resume=True)
    first.close()
    Journal(path, "c" * 64, resume=True).close()  # once the first run has ended, it resumes


# -- recipients files --------------------------------------------------------------------------


def test_a_spreadsheets_csv_with_a_bom_and_crlf_is_read(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffemail,first_name\r\na@example.org,Zoë\r\n".encode())
    (reader,) = read_recipients(path)
    assert isinstance(reader, mailkit.Recipient) and (reader.email, reader.first_name) == ("a@example.org", "Zoë")


def test_a_row_with_more_values_than_columns_fails_that_reader_naming_the_line(prepared, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    with path.open("w", newline="") as out:
        csv.writer(out).writerows([["email", "first_name"], ["a@example.org", "A"],
                                   ["b@example.org", "B"] + ["x"] * 100_000, ["c@example.org", "C"]])
    report = bounded(lambda: deliver(prepared, read_recipients(path), DISCARD))
    assert (report.sent, report.failed) == (2, 1)
    ((position, email, state, reply),) = report.problems
    assert (position, email, state) == (1, "b@example.org", "failed")
    assert reply.startswith("r.csv line 3: 100002 values, but the header names 2 columns")


def test_a_10_mb_field_is_refused_naming_the_file_and_line(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_text("email,first_name\na@example.org,A\nb@example.org," + "x" * 10_000_000 + "\n")
    # a line over 1 MiB is refused before csv reads it whole (probeb): the file and line are still named
    with pytest.raises(mailkit.InvalidFixtureError, match=r"r\.csv: line 3: longer than 1,048,576 characters"):
        list(read_recipients(path))


# -- SMTP servers that misbehave ---------------------------------------------------------------


class FakeServer:
    """A scripted SMTP server on 127.0.0.1: ``session(reader, write)`` runs for each connection."""

    def __init__(self, session: Callable[[Any, Callable[[bytes], None]], None]) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.session = session
        self.messages: list[bytes] = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as reader:
            try:
                self.session(reader, conn.sendall)
            except OSError:
                pass

    def data(self, reader: Any) -> bytes:
        body = b""
        while (line := reader.readline()) not in (b".\r\n", b""):
            body += line
        self.messages.append(body)
        return body

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def fake() -> Iterator[Callable[..., FakeServer]]:
    servers: list[FakeServer] = []

    def make(session: Callable[[Any, Callable[[bytes], None]], None]) -> FakeServer:
        servers.append(FakeServer(session))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def transport(server: FakeServer, **options: Any) -> SMTPTransport:
    return SMTPTransport(host="127.0.0.1", port=server.port, connections=1, timeout=1.0, **options)


def readers(n: int) -> list[mailkit.Recipient]:
    return [mailkit.Recipient(email=f"r{i}@example.org") for i in range(n)]


def test_endless_multiline_replies_are_bounded_not_a_hang(prepared, fake):  # type: ignore[no-untyped-def]
    def session(reader: Any, write: Callable[[bytes], None]) -> None:
        while True:  # "220-" continuation lines for ever, each well inside the read timeout
            write(b"220-still greeting\r\n")
            threading.Event().wait(0.01)

    server = fake(session)
    report = bounded(lambda: deliver(prepared, readers(1), transport(server), retry=FAST), seconds=15)
    assert (report.sent, report.deferred) == (0, 1)


def smtp_session(server_ref: list[FakeServer], *, pipelining: bool = False, rset: bytes = b"250 ok\r\n",
                 mail: bytes = b"250 ok\r\n", greeting: bytes = b"220 fake\r\n",
                 data: bytes = b"354 go\r\n") -> Callable[..., None]:
    def session(reader: Any, write: Callable[[bytes], None]) -> None:
        write(greeting)
        while line := reader.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                write(b"250-fake\r\n250-8BITMIME\r\n" + (b"250-PIPELINING\r\n" if pipelining else b"")
                      + b"250 SIZE 1000000\r\n")
            elif verb == b"RSET":
                write(rset)
            elif verb == b"MAIL":
                if not mail:
                    return  # drops the connection
                write(mail)
            elif verb == b"DATA":
                write(data)
                if not data.startswith(b"354"):
                    continue
                server_ref[0].data(reader)
                write(b"250 queued\r\n")
            elif verb == b"QUIT":
                write(b"221 bye\r\n")
                return
            else:
                write(b"250 ok\r\n")
    return session


@pytest.mark.parametrize(("options", "sent", "deferred"), [
    ({"rset": b"451 not now\r\n"}, 3, 0),  # RSET only ends what DATA ended: MAIL, RCPT and DATA decide
    ({"rset": b"451 not now\r\n", "pipelining": True}, 3, 0),
    ({"mail": b""}, 0, 3),
    ({"mail": b"250-ok\r\n250-really\r\n250 ok\r\n", "pipelining": True}, 3, 0),
    ({"greeting": b"SSH-2.0-OpenSSH_9.6\r\n"}, 0, 3),
    ({"mail": b"\xff\xfe garbage\r\n"}, 0, 3),
    ({"data": b"250 ok, whatever\r\n"}, 0, 3),  # never "sent": the body never went
    ({"data": b"250 ok, whatever\r\n", "pipelining": True}, 0, 3),
], ids=["4xx-to-rset", "4xx-to-rset-pipelined", "drop-after-mail", "multiline-pipelined", "not-smtp", "garbage",
        "data-answered-250", "data-answered-250-pipelined"])
def test_a_misbehaving_server_ends_the_run_with_the_truth_in_the_journal(prepared, fake, tmp_path, options, sent,  # type: ignore[no-untyped-def]
                                                                          deferred):
    ref: list[FakeServer] = []
    ref.append(fake(smtp_session(ref, **options)))
    journal = tmp_path / "j.sqlite"
    report = bounded(lambda: deliver(prepared, readers(3), transport(ref[0]), retry=FAST, journal=journal))
    assert (report.sent, report.deferred, report.failed) == (sent, deferred, 0)
    assert ref[0].messages.count(b"") == 0, "an empty message reached the server"
    assert len(ref[0].messages) == sent  # the server has exactly what the journal calls sent
    with contextlib.closing(sqlite3.connect(journal)) as db:
        assert dict(db.execute("SELECT state, count(*) FROM recipients GROUP BY state").fetchall()) == {
            state: n for state, n in (("sent", sent), ("deferred", deferred)) if n}


def test_the_cli_report_shows_terminal_escapes_from_the_file_escaped_not_obeyed(tmp_path):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from mailkit._cli import main

    path = tmp_path / "r.csv"
    with path.open("w", newline="") as out:
        csv.writer(out).writerows([["email"], ["\x1b]0;pwned\x07\x1b[2Jx@example.org"], ["a@example.org"]])
    fixture = Path(__file__).parent.parent / "fixtures" / "breaking-china-cyberspying.yaml"
    result = CliRunner().invoke(main, ["deliver", "breaking", str(fixture), "--recipients", str(path),
                                       "--smtp", "127.0.0.1:1", "--dry-run", "--out", os.devnull])
    assert result.exit_code == 3
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert r"recipients[0] \x1b]0;pwned\x07\x1b[2Jx@example.org: failed: r.csv line 2: email:" in result.output


def test_a_reader_listed_twice_is_sent_twice_as_the_readme_says(prepared):  # type: ignore[no-untyped-def]
    twice = [mailkit.Recipient(email="a@example.org"), mailkit.Recipient(email="a@example.org")]
    assert deliver(prepared, twice, DISCARD).sent == 2  # one position each: de-duplicate the list before


def test_a_line_break_inside_quotes_fails_that_reader_and_an_unclosed_quote_the_file(prepared, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_text('email,first_name\r\na@example.org,"A\r\nB"\r\nb@example.org,B\r\n', newline="")
    report = deliver(prepared, read_recipients(path), DISCARD)
    assert (report.sent, report.failed) == (1, 1)
    assert report.problems[0][3] == "r.csv lines 2-3: first_name: a value spans lines (a line break inside quotes, or an unclosed quote)"
    # an unclosed quote read every line after it into one first name: c@example.org silently never got mail
    path.write_text('email,first_name\nb@example.org,"unclosed\nc@example.org,C\n')
    with pytest.raises(mailkit.InvalidFixtureError, match=r"r\.csv: line 3: CSV: unexpected end of data"):
        list(read_recipients(path))
