"""Delivery against a real SMTP server (aiosmtpd): pooled connections, retries, rate limit, journal, resume."""

from __future__ import annotations

import asyncio
import collections
import mailbox
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from conftest import ROOT, SEED

import mailkit
from mailkit._cli import _progress_line, main
from mailkit._deliver import Progress, RetryPolicy, deliver, read_recipients
from mailkit._journal import Journal
from mailkit._smtp import MboxTransport, SMTPTransport, _stuff

FAST_RETRY = RetryPolicy(attempts=4, first_delay=0.02, max_delay=0.1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """An aiosmtpd handler that counts what arrives, and misbehaves for chosen recipients.

    ``temporary``: answer RCPT with 421 (closing) the first time; ``permanent``: 550
    always; ``drop``: close the connection mid-DATA the first time (nothing accepted).
    """

    def __init__(self) -> None:
        self.accepted: list[tuple[str, bytes, float]] = []
        self.rcpt_attempts: collections.Counter[str] = collections.Counter()
        self.temporary: set[str] = set()
        self.permanent: set[str] = set()
        self.drop: set[str] = set()
        self.busy: set[str] = set()  # 451 every time
        self.dropped: list[str] = []
        self.connections = 0

    def count(self) -> collections.Counter[str]:
        return collections.Counter(rcpt for rcpt, _, _ in self.accepted)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        self.rcpt_attempts[address] += 1
        if address in self.permanent:
            return "550 5.1.1 no such mailbox"
        if address in self.busy:
            return "451 4.3.0 busy"
        if address in self.temporary and self.rcpt_attempts[address] == 1:
            return "421 4.7.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        rcpt = envelope.rcpt_tos[0]
        if rcpt in self.drop and rcpt not in self.dropped:
            self.dropped.append(rcpt)
            server.transport.close()
            await asyncio.sleep(0.05)
            return "250 never seen"
        self.accepted.append((rcpt, envelope.original_content, time.monotonic()))
        return "250 OK queued"


def smtp_sink() -> Iterator[tuple[Server, int]]:
    """A real SMTP server (aiosmtpd) on a free loopback port, recording what it receives, while the generator runs."""
    handler = Server()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def server() -> Iterator[tuple[Server, int]]:
    yield from smtp_sink()


@pytest.fixture(scope="module")
def prepared() -> mailkit.PreparedEmail:
    return mailkit.prepare("breaking", SEED)


def readers(n: int, start: int = 0) -> list[mailkit.Recipient]:
    return [mailkit.Recipient(email=f"reader{i}@example.org", first_name=f"R{i}",
                              link_params={"rid": str(i)}) for i in range(start, start + n)]


def test_every_reader_once_and_byte_identical_to_bulk_messages(server, prepared, tmp_path):  # type: ignore[no-untyped-def]
    handler, port = server
    people = readers(400)
    report = deliver(prepared, iter(people), SMTPTransport(host="127.0.0.1", port=port, connections=4),
                     journal=tmp_path / "j.sqlite", retry=FAST_RETRY)
    assert (report.sent, report.failed, report.deferred, report.ok) == (400, 0, 0, True)
    assert set(handler.count().values()) == {1} and len(handler.count()) == 400
    assert handler.connections <= 4  # one session per connection, reused for a hundred messages each
    bulk = mailkit.BulkMessages(prepared)
    by_address = {p.email: p for p in people}
    for rcpt, raw, _ in handler.accepted[:50]:
        head = BytesParser().parsebytes(raw, headersonly=True)
        expected = bulk.message(by_address[rcpt], date=parsedate_to_datetime(head["Date"]),
                                message_id=head["Message-ID"])
        assert raw == expected
    assert Journal(tmp_path / "j.sqlite", report_campaign(prepared), resume=True).counts()["sent"] == 400


def report_campaign(prepared: mailkit.PreparedEmail) -> str:
    from mailkit._deliver import campaign_id

    return campaign_id(mailkit.BulkMessages(prepared))


def test_421_retried_550_failed_never_retried_dropped_data_sent_again(server, prepared, tmp_path):  # type: ignore[no-untyped-def]
    handler, port = server
    people = readers(60)
    handler.temporary = {p.email for p in people[0:10]}
    handler.permanent = {p.email for p in people[10:15]}
    handler.drop = {p.email for p in people[15:20]}
    report = deliver(prepared, people, SMTPTransport(host="127.0.0.1", port=port, connections=3),
                     journal=tmp_path / "j.sqlite", retry=FAST_RETRY)
    assert (report.sent, report.failed, report.deferred) == (55, 5, 0)
    counts = handler.count()
    assert all(counts[p.email] == 1 for p in people[:10] + people[15:])  # 421 and dropped: later, once
    assert all(handler.rcpt_attempts[p.email] == 2 for p in people[:10])
    assert all(handler.rcpt_attempts[p.email] == 1 for p in people[10:15])  # 550: never retried
    assert sorted(handler.dropped) == sorted(handler.drop)
    assert {(email, state) for _, email, state, _ in report.problems} == {(p.email, "failed") for p in people[10:15]}
    assert all("550 5.1.1 no such mailbox" in reply for *_, reply in report.problems)


def test_temporary_failures_stay_deferred_after_the_last_attempt(server, prepared):  # type: ignore[no-untyped-def]
    handler, port = server
    people = readers(3)
    handler.busy = {people[0].email}
    report = deliver(prepared, people, SMTPTransport(host="127.0.0.1", port=port, connections=1),
                     retry=RetryPolicy(attempts=1, first_delay=0.01))
    assert (report.sent, report.deferred, report.ok) == (2, 1, False)


def test_a_server_that_is_down_defers_after_backoff_not_a_hang(prepared):  # type: ignore[no-untyped-def]
    start = time.monotonic()
    report = deliver(prepared, readers(2), SMTPTransport(host="127.0.0.1", port=free_port(), connections=2),
                     retry=RetryPolicy(attempts=3, first_delay=0.01, max_delay=0.05))
    assert (report.sent, report.deferred) == (0, 2)
    assert time.monotonic() - start < 5


def test_the_overall_rate_limit_holds_over_the_run(server, prepared):  # type: ignore[no-untyped-def]
    handler, port = server
    report = deliver(prepared, readers(41), SMTPTransport(host="127.0.0.1", port=port, connections=4), rate=40)
    assert report.sent == 41
    times = sorted(t for *_, t in handler.accepted)
    assert 40 / (times[-1] - times[0]) <= 40 * 1.1  # 40 intervals at 1/40 s at the least


def test_the_per_connection_rate_limit_holds(server, prepared):  # type: ignore[no-untyped-def]
    handler, port = server
    report = deliver(prepared, readers(21), SMTPTransport(host="127.0.0.1", port=port, connections=1,
                                                          rate_per_connection=40))
    assert report.sent == 21
    times = sorted(t for *_, t in handler.accepted)
    assert 20 / (times[-1] - times[0]) <= 40 * 1.1


def test_a_journal_is_not_reused_by_accident(server, prepared, tmp_path):  # type: ignore[no-untyped-def]
    _, port = server
    transport = SMTPTransport(host="127.0.0.1", port=port, connections=1)
    deliver(prepared, readers(2), transport, journal=tmp_path / "j.sqlite")
    with pytest.raises(mailkit.SendError, match="already records a run of this email: pass --resume"):
        deliver(prepared, readers(2), transport, journal=tmp_path / "j.sqlite")
    other = mailkit.prepare("breaking", ROOT / "fixtures" / "breaking-minimal-no-image.yaml")
    with pytest.raises(mailkit.SendError, match="records another email"):
        deliver(other, readers(2), transport, journal=tmp_path / "j.sqlite", resume=True,
                sender=mailkit.Sender(address="desk@example.org", name="Desk"))
    with pytest.raises(mailkit.SendError, match="nothing to resume"):
        deliver(prepared, readers(2), transport, journal=tmp_path / "none.sqlite", resume=True)


def test_resume_sends_only_what_was_left(server, prepared, tmp_path):  # type: ignore[no-untyped-def]
    handler, port = server
    transport = SMTPTransport(host="127.0.0.1", port=port, connections=2)
    journal = tmp_path / "j.sqlite"
    handler.permanent = {"reader3@example.org"}
    first = deliver(prepared, readers(10), transport, journal=journal)
    assert (first.sent, first.failed) == (9, 1)
    second = deliver(prepared, readers(25), transport, journal=journal, resume=True)
    assert (second.sent, second.failed, second.skipped) == (15, 0, 10)
    assert set(handler.count().values()) == {1} and len(handler.count()) == 24
    assert handler.rcpt_attempts["reader3@example.org"] == 1  # failed is final: not tried again


def test_dot_stuffing() -> None:
    assert _stuff(b".a\r\n.\r\nb.\r\n..c\r\n") == b"..a\r\n..\r\nb.\r\n...c\r\n.\r\n"


@pytest.mark.parametrize("raw", [b".", b"a", b"\r\n", b"\r\n.", b".\r\n.\r\n", b"a\r\n.b", b"..\r\n...", b"a\r\n"])
def test_dot_stuffing_is_each_line_with_a_leading_dot_doubled(raw: bytes) -> None:
    lines = raw.split(b"\r\n")
    if lines[-1] == b"":
        lines.pop()
    expected = b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines) + b".\r\n"
    assert _stuff(raw) == expected


class _Checking:
    """A transport whose connections check, at each send, that the journal (read through its own SQLite
    connection) has committed as sent the message that connection sent before."""

    connections = 8
    rate_per_connection = None

    def __init__(self, path: Path) -> None:
        self.path = path
        self.violations: list[int] = []
        self.together = threading.Barrier(self.connections, timeout=0.05)

    def connect(self) -> _Checking.Connection:
        return _Checking.Connection(self)

    class Connection:
        def __init__(self, transport: _Checking) -> None:
            self.transport = transport
            self.last: int | None = None

        def send(self, envelope, raw):  # type: ignore[no-untyped-def]
            import sqlite3

            from mailkit._smtp import Reply

            if self.last is not None:
                with sqlite3.connect(self.transport.path) as db:
                    row = db.execute("SELECT state FROM recipients WHERE position = ?", (self.last,)).fetchone()
                if row != ("sent",):
                    self.transport.violations.append(self.last)
            self.last = envelope.position
            # the connections' replies arrive together, as from a server that answers in bursts: whether
            # outcomes share a commit then depends on grouping, not on how the threads happen to interleave
            try:
                self.transport.together.wait()
            except threading.BrokenBarrierError:
                self.transport.together.reset()  # the last few messages: fewer than 8 connections left
            return Reply(250, "OK")

        def close(self) -> None:
            pass


def test_journal_commits_are_grouped_and_each_is_on_disk_before_its_connection_sends_again(prepared, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "j.sqlite"
    transport = _Checking(path)
    commits = []
    original = Journal._write

    def counting(self, rows):  # type: ignore[no-untyped-def]
        commits.append(len(rows))
        original(self, rows)

    Journal._write = counting  # type: ignore[method-assign]
    try:
        report = deliver(prepared, iter(readers(2000)), transport, journal=path)  # type: ignore[arg-type]
    finally:
        Journal._write = original  # type: ignore[method-assign]
    assert report.sent == 2000 and transport.violations == []
    assert sum(commits) == 2000 and len(commits) < 1500  # several outcomes a transaction, not one each


def test_a_journal_commit_that_fails_stops_the_run_with_a_send_error_for_every_connection(prepared, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "j.sqlite"
    original = Journal._write
    calls = []

    def failing(self, rows):  # type: ignore[no-untyped-def]
        calls.append(len(rows))
        if len(calls) > 3:
            raise mailkit.SendError(f"journal {self.path}: disk I/O error")
        original(self, rows)

    Journal._write = failing  # type: ignore[method-assign]
    try:
        with pytest.raises(mailkit.SendError, match=r"journal .*j\.sqlite: disk I/O error"):
            deliver(prepared, iter(readers(500)), _Checking(path), journal=path)  # type: ignore[arg-type]
    finally:
        Journal._write = original  # type: ignore[method-assign]


def write_csv(path: Path, n: int) -> Path:
    with path.open("w") as out:
        out.write("email,first_name,link_params\n")
        out.writelines(f"reader{i}@example.org,R{i},rid={i}\n" for i in range(n))
    return path


def test_cli_kill_9_and_resume_send_each_reader_once_but_one_per_connection(server, tmp_path):  # type: ignore[no-untyped-def]
    handler, port = server
    recipients = write_csv(tmp_path / "readers.csv", 300)
    journal = tmp_path / "alert.journal"
    command = [sys.executable, "-m", "mailkit", "deliver", "breaking", str(SEED), "--recipients", str(recipients),
               "--smtp", f"127.0.0.1:{port}", "--connections", "3", "--journal", str(journal)]
    child = subprocess.Popen([*command, "--rate", "150"], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while len(handler.accepted) < 100 and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    before = len(handler.accepted)
    assert 100 <= before < 300
    done = subprocess.run([*command, "--resume"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "already done by an earlier run" in done.stdout
    counts = handler.count()
    assert len(counts) == 300  # nothing lost
    assert sum(counts.values()) - 300 <= 3  # at most one twice per connection the killed run held


def test_cli_report_and_exit_status(server, tmp_path):  # type: ignore[no-untyped-def]
    handler, port = server
    handler.permanent = {"reader1@example.org"}
    recipients = write_csv(tmp_path / "readers.csv", 4)
    result = CliRunner().invoke(main, ["deliver", "breaking", str(SEED), "--recipients", str(recipients),
                                       "--smtp", f"127.0.0.1:{port}", "--connections", "2"])
    assert result.exit_code == 3, result.output
    assert "3 accepted through" in result.output and "1 failed" in result.output
    assert "recipients[1] reader1@example.org: failed: 550 5.1.1 no such mailbox" in result.output


def test_progress_line_shows_counts_rate_and_time_left() -> None:
    progress = Progress(sent=90, deferred=5, failed=5, total=200, started=time.monotonic() - 10)
    line = _progress_line(progress)
    assert "sent 90  deferred 5  failed 5" in line and "(100/200)" in line and "10/s" in line
    assert "left 0:00:10" in line


def test_dry_run_writes_an_mbox_and_a_folder(tmp_path):  # type: ignore[no-untyped-def]
    recipients = write_csv(tmp_path / "readers.csv", 5)
    runner = CliRunner()
    mbox = tmp_path / "out.mbox"
    result = runner.invoke(main, ["deliver", "breaking", str(SEED), "--recipients", str(recipients), "--dry-run",
                                  "--out", str(mbox)])
    assert result.exit_code == 0, result.output
    box = mailbox.mbox(mbox)
    try:
        assert sorted(m["To"] for m in box) == sorted(f"R{i} <reader{i}@example.org>" for i in range(5))
    finally:
        box.close()
    folder = tmp_path / "eml"
    result = runner.invoke(main, ["deliver", "breaking", str(SEED), "--recipients", str(recipients), "--dry-run",
                                  "--out", str(folder)])
    assert result.exit_code == 0, result.output
    assert len(list(folder.glob("*.eml"))) == 5


# The child's own peak: VmHWM, not ru_maxrss, which Linux keeps across execve (getrusage(2)),
# so a child of a large pytest process would report pytest's peak.
MEMORY_CHILD = """
import re, sys
from click.testing import CliRunner
from mailkit._cli import main
result = CliRunner().invoke(main, ["deliver", "breaking", sys.argv[1], "--recipients", sys.argv[2], "--dry-run",
                                   "--out", "/dev/null", "-q"])
assert result.exit_code == 0, result.output
with open("/proc/self/status") as status:
    print(int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1)) // 1024)
"""


@pytest.mark.slow
def test_a_large_recipients_file_streams_through_dry_run_in_bounded_memory(tmp_path):  # type: ignore[no-untyped-def]
    n = int(os.environ.get("MAILKIT_DELIVER_MEMORY_RECIPIENTS", "50000"))
    recipients = write_csv(tmp_path / "readers.csv", n)
    child = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(SEED), str(recipients)], check=False, cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    assert child.returncode == 0, child.stderr
    assert int(child.stdout.split()[-1]) < 150  # MB, peak RSS of the whole process


def test_read_recipients_streams_csv_and_jsonl(tmp_path):  # type: ignore[no-untyped-def]
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text('{"email": "a@example.org", "link_params": {"rid": "1"}}\n\n{"email": "b@example.org"}\n')
    got = list(read_recipients(jsonl))
    assert [r.email for r in got] == ["a@example.org", "b@example.org"]
    assert got[0].link_params == {"rid": "1"}  # type: ignore[union-attr]
    csv_file = write_csv(tmp_path / "r.csv", 2)
    assert [r.link_params for r in read_recipients(csv_file)] == [{"rid": "0"}, {"rid": "1"}]  # type: ignore[union-attr]


def test_mbox_transport_writes_to_dev_null(prepared):  # type: ignore[no-untyped-def]
    report = deliver(prepared, readers(3), MboxTransport(Path(os.devnull)))
    assert report.sent == 3


# -- the SMTP client's cost a message (issue 16) -------------------------------------------------


class _CountingSocket:
    """A socket whose calls are counted (socket objects take no new attributes, so a proxy)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.calls: collections.Counter[str] = collections.Counter()

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        attribute = getattr(self.sock, name)
        if not callable(attribute):
            return attribute

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls[name] += 1
            return attribute(*args, **kwargs)
        return counted


def test_the_replies_to_a_pipelined_group_cost_one_read_and_no_timeout_change() -> None:
    # per line, the reader used to set the socket's timeout twice and peek: most of the client's CPU
    # under 8 connections, each blocking call handing the GIL to another thread
    from mailkit._smtp import _SMTP

    ours, server = socket.socketpair()
    with ours, server:
        ours.settimeout(5)
        smtp = _SMTP(timeout=5)
        counting = _CountingSocket(ours)
        smtp.sock = counting
        server.sendall(b"250 reset\r\n250 sender ok\r\n250-recipient\r\n250 ok\r\n354 go ahead\r\n")
        replies = [smtp.getreply() for _ in range(4)]
        assert replies == [(250, b"reset"), (250, b"sender ok"), (250, b"recipient\nok"), (354, b"go ahead")]
        assert counting.calls["settimeout"] == 0 and counting.calls["recv"] == 1, counting.calls
        smtp.sock = None  # not closed twice


def test_a_plain_session_loads_no_tls_certificates(monkeypatch, server):  # type: ignore[no-untyped-def]
    # ssl.create_default_context() takes about 17 ms of CPU: 8 plain connections paid 0.14 s for nothing
    import ssl

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a TLS context for a plain session")

    monkeypatch.setattr(ssl, "create_default_context", refuse)
    _, port = server
    SMTPTransport(host="127.0.0.1", port=port, connections=1).connect().close()


def test_an_smtp_connection_waits_for_the_commit_after_the_envelope_before_the_content() -> None:
    # the journal's commit of the last outcome is handed to send(): called once DATA has its 354, before
    # any content goes out, it comes late enough that other connections' outcomes share the commit
    from mailkit._smtp import Envelope

    events: list[str] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as reader:
            conn.sendall(b"220 hi\r\n")
            while line := reader.readline():
                line = line.upper()
                events.append(line.split()[0].decode() if line.strip() else "")
                if line.startswith(b"EHLO"):
                    conn.sendall(b"250-hi\r\n250 PIPELINING\r\n")
                elif line.startswith(b"DATA"):
                    conn.sendall(b"354 go\r\n")
                    while reader.readline() != b".\r\n":
                        pass
                    events.append("content")
                    conn.sendall(b"250 queued\r\n")
                elif line.startswith(b"QUIT"):
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    with listener:
        connection = SMTPTransport(host="127.0.0.1", port=listener.getsockname()[1], connections=1).connect()
        reply = connection.send(Envelope(0, "desk@example.org", "a@example.org"), b"Subject: x\r\n\r\nhi\r\n",
                                before_content=lambda: events.append("commit"))
        connection.close()
        thread.join(5)
    assert reply.code == 250
    assert events == ["EHLO", "MAIL", "RCPT", "DATA", "commit", "content", "QUIT"]


def test_over_smtp_each_outcome_is_committed_before_its_connections_next_content(server, prepared, tmp_path):  # type: ignore[no-untyped-def]
    import sqlite3

    handler, port = server
    path = tmp_path / "j.sqlite"
    last: dict[int, str] = {}  # per session: the reader whose message it accepted last
    violations: list[str] = []
    original = handler.handle_DATA

    async def checking(smtp, session, envelope):  # type: ignore[no-untyped-def]
        previous = last.get(id(session))
        if previous is not None:
            with sqlite3.connect(path) as db:
                row = db.execute("SELECT state FROM recipients WHERE email = ?", (previous,)).fetchone()
            if row != ("sent",):
                violations.append(previous)
        last[id(session)] = envelope.rcpt_tos[0]
        return await original(smtp, session, envelope)

    handler.handle_DATA = checking
    report = deliver(prepared, readers(300), SMTPTransport(host="127.0.0.1", port=port, connections=4), journal=path)
    assert report.sent == 300 and violations == []


def test_a_full_queue_wakes_the_feeder_once_half_of_it_has_settled_not_at_every_settle() -> None:
    # each wake-up is a thread switch: the feeder woke on every settle once the queue was full (14 us a message)
    from mailkit._deliver import _Item, _Work

    work = _Work(limit=8)
    wakes = []

    class Counting(threading.Condition):
        def notify_all(self) -> None:
            wakes.append(work.outstanding)
            super().notify_all()

    work.cond = Counting()
    for position in range(8):
        work.put(_Item(position, mailkit.Recipient(email=f"r{position}@example.org"), 0))
    for _ in range(8):
        assert work.take() is not None
        work.settle()
    assert wakes == [4]  # room for half a queue: one wake-up


def _scripted_server(read_slowly: float = 0.0) -> tuple[socket.socket, list[bytes]]:
    """A one-session SMTP server with PIPELINING on 127.0.0.1; each message's content lands in the list.
    ``read_slowly``: seconds it waits before reading a message's content (the client's writes fill up)."""
    listener = socket.create_server(("127.0.0.1", 0))
    contents: list[bytes] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as reader:
            conn.sendall(b"220 hi\r\n")
            while line := reader.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    conn.sendall(b"250-hi\r\n250 PIPELINING\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go\r\n")
                    time.sleep(read_slowly)
                    parts = []
                    while (part := reader.readline()) not in (b".\r\n", b""):
                        parts.append(part)
                    contents.append(b"".join(parts))
                    conn.sendall(b"250 queued\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")

    threading.Thread(target=serve, daemon=True).start()
    return listener, contents


def test_a_plain_session_writes_each_command_group_and_content_with_one_write_not_a_poll_first() -> None:
    # socket.sendall on a socket with a timeout polls before it writes: a second hand-over of the GIL
    # between the connection threads, for each of a message's two writes
    from mailkit._smtp import Envelope

    listener, contents = _scripted_server()
    with listener:
        connection = SMTPTransport(host="127.0.0.1", port=listener.getsockname()[1], connections=1).connect()
        counting = _CountingSocket(connection.smtp.sock)
        connection.smtp.sock = counting
        reply = connection.send(Envelope(0, "desk@example.org", "a@example.org"), b"Subject: x\r\n\r\n.hi\r\n")
        connection.smtp.sock = counting.sock
        connection.close()
    assert reply.code == 250 and contents == [b"Subject: x\r\n\r\n..hi\r\n"]
    assert counting.calls["sendall"] == 0 and counting.calls["send"] == 0, counting.calls


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("final", [True, False])
def test_count_recipients_counts_every_line_ending_the_reader_accepts(tmp_path: Path, end: str, final: bool) -> None:
    """The progress bar's total (time left) is the number of readers whatever the file's line
    endings: a bare-CR CSV (an old spreadsheet export) counted 0, and a last line without an
    end was left out. Here across the reader's 1 MiB chunks too."""
    from mailkit._deliver import count_recipients, read_recipients

    rows = [f"reader{i}@example.org,Reader {i}" for i in range(60_000)]  # about 2 MB: two chunk boundaries
    text = "email,first_name" + end + end.join(rows) + (end if final else "")
    path = tmp_path / "readers.csv"
    path.write_bytes(text.encode())
    assert count_recipients(path) == 60_000
    assert sum(1 for _ in read_recipients(path)) == 60_000
    jsonl = tmp_path / "readers.jsonl"
    jsonl.write_bytes(end.join(f'{{"email": "r{i}@example.org"}}' for i in range(3)).encode())
    assert count_recipients(jsonl) == 3


def test_a_reason_quoting_a_key_from_the_file_escapes_what_a_terminal_or_log_would_obey(tmp_path: Path) -> None:
    """Unusable.reason (in the Python API, the journal and a caller's logs) quoted a
    link-parameter key as it was: a CR/LF in it split a log line, ESC and bidi controls
    reached the operator's terminal. Field paths in every InvalidFixtureError escape them."""
    import mailkit
    from mailkit._deliver import Unusable, read_recipients

    path = tmp_path / "readers.csv"
    path.write_text('email,link_params\na@example.org,a%0D%0AX-Evil%3A 1%1B[2J%E2%80%AE=v\n')
    (unusable,) = list(read_recipients(path))
    assert isinstance(unusable, Unusable)
    assert "\r" not in unusable.reason and "\n" not in unusable.reason and "\x1b" not in unusable.reason
    assert "\u202e" not in unusable.reason
    assert "link_params.a\\r\\nX-Evil: 1\\x1b[2J\\u202e (key)" in unusable.reason, unusable.reason
    # in a JSON Lines file such a key is refused with the whole file (the walk every reader's data goes through)
    jsonl = tmp_path / "readers.jsonl"
    jsonl.write_text('{"email": "a@example.org", "link_params": {"a\\r\\nX": "v"}}\n')
    with pytest.raises(mailkit.UnsafeInputError, match=r"readers\.jsonl: line 1: link_params: key 'a\\r\\nX'"):
        list(read_recipients(jsonl))
    with pytest.raises(mailkit.InvalidFixtureError) as info:
        mailkit.Recipient(email="a@example.org", **{"first\u2028name": "x"})
    assert "first\\u2028name: unknown field" in str(info.value)
