"""Outside tester (probeb): an alert service's operator following README "Delivering to many readers".

Each case a hostile or broken input and its outcome: delivered safely, or a named
:class:`mailkit.MailkitError` saying what and where; never a traceback, a hang, or a file that was
not the operator's to change.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SEED
from packaging.requirements import Requirement
from test_hostile_probe3 import DISCARD, FAST, FakeServer, bounded, readers, transport

import mailkit
from mailkit import SMTPTransport, deliver, read_recipients


@pytest.fixture(scope="module")
def prepared() -> mailkit.PreparedEmail:
    return mailkit.prepare("breaking", SEED)


@pytest.fixture
def fake() -> Iterator[Callable[..., FakeServer]]:
    """Scripted SMTP servers (tests/test_hostile_probe3.py's), closed after the test."""
    servers: list[FakeServer] = []

    def make(session: Callable[[Any, Callable[[bytes], None]], None]) -> FakeServer:
        servers.append(FakeServer(session))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


# -- installing what the README says installs ----------------------------------------------------------


def _closure(requirements: list[Requirement]) -> set[str]:
    """The distribution names ``requirements`` pull in, extras and all, read from the installed metadata."""
    seen: set[str] = set()
    todo = [(r, frozenset(r.extras)) for r in requirements]
    while todo:
        requirement, extras = todo.pop()
        name = requirement.name.lower().replace("_", "-")
        key = f"{name}[{','.join(sorted(extras))}]"
        if key in seen:
            continue
        seen.add(key)
        for line in metadata.requires(name) or []:
            dependency = Requirement(line)
            wanted = dependency.marker is None or any(dependency.marker.evaluate({"extra": e}) for e in {"", *extras})
            if wanted:
                todo.append((dependency, frozenset(dependency.extras)))
    return {key.partition("[")[0] for key in seen}


def test_the_celery_extra_installs_what_the_readmes_redis_broker_imports() -> None:
    # `pip install 'mailkit[celery]'` then the README's `celery -A mailkit.celery worker` with a redis:// broker
    # died at start in a fresh venv: kombu's Redis transport imports packaging, which only kombu's `redis` extra
    # (celery[redis]) installs; the test suite never saw it because pytest happens to bring packaging.
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["celery"]
    pulled = _closure([Requirement(r) for r in extra])
    transport = {Requirement(r).name for r in metadata.requires("kombu") or [] if 'extra == "redis"' in r}
    assert transport, "kombu no longer has a redis extra: read kombu's packaging again"
    assert transport <= pulled, f"mailkit[celery] does not install {sorted(transport - pulled)}"
    # and kombu really imports it (pins the upstream behaviour the extra answers)
    hide = "import sys; sys.modules['packaging'] = None; sys.modules['packaging.version'] = None\n"
    done = subprocess.run([sys.executable, "-c", hide + "import kombu.transport.redis"], capture_output=True,
                          text=True, check=False)
    if "packaging" in transport:
        assert done.returncode != 0 and "packaging" in done.stderr


# -- the SMTP server answers slowly, or never ----------------------------------------------------------


def test_a_reply_trickled_a_byte_at_a_time_is_bounded_by_the_timeout(prepared, fake):  # type: ignore[no-untyped-def]
    # README: `timeout` bounds each reply: "still arriving `timeout` seconds after it began, drops the
    # connection". Only continuation lines were bounded: one long line at a byte per 50 ms, each byte
    # well inside the socket's timeout, held the connection (and so the run) for as long as the line lasted.
    def session(reader: Any, write: Any) -> None:
        for byte in b"220 " + b"x" * 2000 + b"\r\n":
            write(bytes([byte]))
            time.sleep(0.05)

    server = fake(session)
    started = time.monotonic()
    report = bounded(lambda: deliver(prepared, readers(1), transport(server), retry=FAST), seconds=30)
    assert (report.sent, report.deferred) == (0, 1)
    assert time.monotonic() - started < 2 * FAST.attempts * 1.0 + 2  # timeout=1.0 per reply, two attempts


# -- the journal is not a mailkit journal --------------------------------------------------------------


def _other_database(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
        db.execute("INSERT INTO notes VALUES ('precious')")
        db.commit()


def _schema(path: Path) -> list[tuple[str, str]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT type, name FROM sqlite_master ORDER BY name").fetchall() + \
            db.execute("PRAGMA journal_mode").fetchall()


@pytest.mark.parametrize("resume", [False, True])
@pytest.mark.parametrize("linked", [False, True], ids=["file", "symlink"])
def test_another_sqlite_database_as_journal_is_refused_and_left_as_it_was(prepared, tmp_path, resume, linked):  # type: ignore[no-untyped-def]
    # `--journal notes.db` (a typo, a tab completion): the run took the database over, adding its tables and
    # switching it to WAL, then sent; resumed, it failed mid-run naming a column
    other = tmp_path / "notes.db"
    _other_database(other)
    before = _schema(other)
    journal = tmp_path / "alert.journal"
    if linked:
        journal.symlink_to(other)
    with pytest.raises(mailkit.SendError, match=r"journal .*(notes\.db|alert\.journal): an SQLite database, but not "
                                                r"a mailkit journal"):
        deliver(prepared, readers(2), DISCARD, journal=other if not linked else journal, resume=resume)
    assert _schema(other) == before


def test_a_corrupt_journal_is_a_send_error_naming_it(prepared, tmp_path):  # type: ignore[no-untyped-def]
    journal = tmp_path / "alert.journal"
    deliver(prepared, readers(3), DISCARD, journal=journal)
    data = bytearray(journal.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page past the header: sqlite_master
    journal.write_bytes(bytes(data))
    with pytest.raises(mailkit.SendError, match=r"journal .*alert\.journal: "):
        deliver(prepared, readers(3), DISCARD, journal=journal, resume=True)


def test_the_journal_named_as_the_recipients_file_is_a_usage_error(tmp_path):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from mailkit._cli import main

    recipients = tmp_path / "readers.csv"
    recipients.write_text("email\na@example.org\n")
    before = recipients.read_bytes()
    for journal in (recipients, tmp_path / "." / "readers.csv"):
        result = CliRunner().invoke(main, ["deliver", "breaking", str(ROOT / "fixtures" / "breaking-china-cyberspying.yaml"),
                                           "--recipients", str(recipients), "--journal", str(journal), "--dry-run",
                                           "--out", os.devnull])
        assert result.exit_code == 2, result.output
        assert "--journal" in result.output and "is the recipients file" in result.output
    assert recipients.read_bytes() == before


# -- recipients files as spreadsheets and scripts write them ------------------------------------------


def test_a_byte_that_is_not_utf8_deep_in_a_large_file_is_named_by_line(tmp_path):  # type: ignore[no-untyped-def]
    # the error named "byte N" counted from the start of the decoder's 8 KiB chunk, not of the file: the operator
    # looked at the wrong place
    path = tmp_path / "readers.csv"
    lines = [b"email,first_name"] + [f"r{i}@example.org,R{i}".encode() for i in range(5000)]
    lines[4000] = b"r3999@example.org,Jos\xe9"  # Latin-1, line 4001
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(mailkit.InvalidFixtureError, match=r"readers\.csv: line 4001, column 22: not UTF-8"):
        list(read_recipients(path))


def test_a_utf16_spreadsheet_export_is_refused_saying_utf16(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "readers.csv"
    path.write_bytes("email,first_name\r\na@example.org,A\r\n".encode("utf-16"))
    with pytest.raises(mailkit.InvalidFixtureError, match=r"readers\.csv: line 1, column 1: not UTF-8 .*UTF-16"):
        list(read_recipients(path))


@pytest.mark.parametrize(("content", "outcome"), [
    (b"email,first_name\r\na@example.org,=HYPERLINK(\"http://x\")\r\n", (1, 0)),  # a formula is just a name
    (b"\xef\xbb\xbfemail\r\na@example.org\r\n", (1, 0)),
    (b"email,first_name\na@example.org,A\x00B\n", (0, 1)),  # that reader fails, naming the field
    (b"email\n" + b"a" * 200_000 + b"@example.org\n", "field larger than field limit"),
], ids=["formula-cell", "bom-crlf", "nul", "overlong-line"])
def test_recipients_files_with_odd_bytes(prepared, tmp_path, content, outcome):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    if isinstance(outcome, tuple):
        report = deliver(prepared, read_recipients(path), DISCARD)
        assert (report.sent, report.failed) == outcome
    else:
        with pytest.raises(mailkit.InvalidFixtureError, match=rf"r\.csv: line 2: CSV: ({outcome})"):
            list(read_recipients(path))


@pytest.mark.parametrize("server_kind", ["silent", "trickling"])
def test_a_server_that_never_answers_ends_the_run_in_bounded_time_whatever_the_list(prepared, fake, tmp_path,  # type: ignore[no-untyped-def]
                                                                                     server_kind):
    # every reader cost attempts x timeout: 100,000 readers on a black hole took weeks, "never a hang" held only
    # per reader. Past attempts x connections lost in a row, none answered, the readers left are deferred
    # untried, naming why, and --resume tries them again.
    def silent(reader: Any, write: Any) -> None:
        time.sleep(30)  # accepts, never greets

    def trickling(reader: Any, write: Any) -> None:
        for byte in b"220 " + b"x" * 5000:
            write(bytes([byte]))
            time.sleep(0.05)

    server = fake(silent if server_kind == "silent" else trickling)
    journal = tmp_path / "alert.journal"
    started = time.monotonic()
    slow = SMTPTransport(host="127.0.0.1", port=server.port, connections=2, timeout=0.5)
    report = bounded(lambda: deliver(prepared, readers(10_000), slow, retry=FAST, journal=journal), seconds=60)
    assert (report.sent, report.deferred, report.failed, report.ok) == (0, 10_000, 0, False)
    assert time.monotonic() - started < 20
    assert report.problems[-1][3].startswith("not tried: 5 connections in a row were lost, none answered (the "
                                             f"last: connecting to 127.0.0.1:{server.port}: ")
    with contextlib.closing(sqlite3.connect(journal)) as db:
        states = dict(db.execute("SELECT state, count(*) FROM recipients GROUP BY state").fetchall())
    assert states == {"deferred": 10_000}  # --resume tries every one again


# -- dry runs into files ------------------------------------------------------------------------------


@pytest.mark.parametrize("out_name", ["alert.mbox", "eml"])
def test_a_second_dry_run_into_the_same_out_is_refused_unless_it_resumes(tmp_path, out_name):  # type: ignore[no-untyped-def]
    # the mbox was appended to: a second dry run of 1,000 readers left 2,000 messages in it (and a folder kept
    # the .eml files of an earlier, longer list), so what the operator inspected was not what would be sent
    from click.testing import CliRunner

    from mailkit._cli import main

    recipients = tmp_path / "readers.csv"
    recipients.write_text("email\n" + "".join(f"r{i}@example.org\n" for i in range(3)))
    out, journal = tmp_path / out_name, tmp_path / "dry.journal"
    command = ["deliver", "breaking", str(SEED), "--recipients", str(recipients), "--dry-run", "--out", str(out),
               "-q"]
    assert CliRunner().invoke(main, [*command, "--journal", str(journal)]).exit_code == 0
    again = CliRunner().invoke(main, command)
    assert again.exit_code == 1
    assert f"mailkit: error: --out {out} already holds messages of an earlier run" in again.output
    resumed = CliRunner().invoke(main, [*command, "--journal", str(journal), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    if out_name.endswith(".mbox"):
        import mailbox

        box = mailbox.mbox(out)
        try:
            assert len(box) == 3
        finally:
            box.close()
    else:
        assert len(list(out.iterdir())) == 3
    assert CliRunner().invoke(main, [*command[:-3], "--out", os.devnull, "-q"]).exit_code == 0  # /dev/null, always


# -- the report on Celery ------------------------------------------------------------------------------


def test_the_celery_report_shows_a_servers_terminal_escapes_escaped_not_obeyed(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    # the one-machine report escaped control characters from the file and the server; the --celery one printed
    # them raw: a server's 550 could retitle, clear or rewrite the operator's terminal
    pytest.importorskip("celery", reason="mailkit[celery] is not installed")
    from aiosmtpd.controller import Controller
    from click.testing import CliRunner
    from test_deliver import Server, free_port
    from test_hostile_delivery2 import SECRET, RedisServer

    from mailkit import celery as mc
    from mailkit._cli import main

    class Hostile(Server):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
            if address.startswith("bad"):
                return "550 \x1b]0;pwned\x07\x1b[2J no such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    redis_server = RedisServer()
    port = free_port()
    controller = Controller(Hostile(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("MAILKIT_CELERY_SECRET", SECRET)
    monkeypatch.setattr(mc.app.conf, "task_always_eager", True)  # Celery runs each task here, as a worker would
    monkeypatch.setattr(mc.app.conf, "broker_url", redis_server.url)
    mc._PREPARED.clear()
    try:
        recipients = tmp_path / "readers.csv"
        recipients.write_text("email\nbad@example.org\ngood@example.org\n")
        result = CliRunner().invoke(main, ["deliver", "breaking", str(SEED), "--recipients", str(recipients),
                                           "--smtp", f"127.0.0.1:{port}", "--celery", redis_server.url, "-q"])
    finally:
        controller.stop()
        redis_server.kill()
        mc._PREPARED.clear()
    assert result.exit_code == 3, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert r"recipients[0] bad@example.org: failed: 550 \x1b]0;pwned\x07\x1b[2J no such mailbox" in result.output


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_one_enormous_line_is_refused_without_reading_it_into_memory(tmp_path, suffix):  # type: ignore[no-untyped-def]
    # "a bounded window of them in memory whatever their number" held for many lines, not for one: a 300 MB line
    # took 650 MB (CSV) and 6.5 GB and 268 s (JSON Lines) before it was refused or failed
    import tracemalloc

    path = tmp_path / f"readers{suffix}"
    huge = "x" * 20_000_000
    path.write_text("email,first_name\na@example.org,A\nb@example.org," + huge + "\n" if suffix == ".csv" else
                    '{"email": "a@example.org"}\n{"email": "b@example.org", "first_name": "' + huge + '"}\n')
    tracemalloc.start()
    try:
        with pytest.raises(mailkit.InvalidFixtureError,
                           match=rf"readers\{suffix}: line {3 if suffix == '.csv' else 2}: longer than 1,048,576 "
                                 "characters"):
            list(read_recipients(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 12_000_000  # bytes: the limit's worth of text, not the line's 20 MB


def test_a_problem_line_stays_one_line_whatever_the_reply_holds(capsys) -> None:  # type: ignore[no-untyped-def]
    # a server's reply (or a file's field) with a line break must not start a line of its own:
    # the report is one line per reader, and a forged second line could pass for another reader's
    from mailkit._cli import _echo_problems

    _echo_problems([(3, "a@example.org", "failed", "550 no\nrecipients[4] b@example.org: accepted\x1b[2J")])
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "\x1b" not in out and "recipients[3]" in out
