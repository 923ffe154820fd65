"""Delivery as an alert service runs it, tested from outside (the catalogue of tests/test_hostile_input.py,
for sending): a real SMTP server (aiosmtpd, in this process, on loopback) that fails on demand, recipients
files with bad rows among good ones, signals mid-run, a second run on the same journal. Each case: the
good readers are sent once each, each bad one is reported naming its line and field (or the run stops with
a named :class:`mailkit.MailkitError`), never a traceback, a hang, or a reader sent twice.
"""

from __future__ import annotations

import base64
import collections
import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from conftest import ROOT
from test_deliver import smtp_sink

import mailkit
from mailkit._cli import main
from mailkit._deliver import RetryPolicy, campaign_id, deliver, read_recipients
from mailkit._journal import Journal
from mailkit._smtp import SMTPTransport

FAST = RetryPolicy(attempts=3, first_delay=0.02, max_delay=0.05)
FIXTURE = ROOT / "fixtures" / "breaking-china-cyberspying.yaml"


@pytest.fixture(scope="module")
def prepared() -> mailkit.PreparedEmail:
    return mailkit.prepare("breaking", FIXTURE)


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    yield from smtp_sink()


def _mixed_csv(path: Path, n: int = 2000) -> dict[int, str]:
    """``n`` readers with a BOM and CRLF line ends, and bad rows in the middle: {file line: the bad field}."""
    bad = {500: ("not-an-address", "R500", ""), 900: ("reader900@example.org", "bad\x07name", ""),
           1300: ("reader1300@example.org", "two\nlines", ""),
           1500: ("reader1500@example.org", "R1500", "javascript:alert(1)")}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["email", "first_name", "unsubscribe_url"])
    for i in range(n):
        writer.writerow(bad.get(i, (f"reader{i}@example.org", f"R{i}", "")))
    path.write_text("\ufeff" + out.getvalue(), encoding="utf-8", newline="")
    return {502: "email", 902: "first_name", 1303: "first_name", 1503: "unsubscribe_url"}  # the quoted line break: one more line


def test_a_2000_reader_file_with_bad_rows_sends_the_good_ones_once_and_names_each_bad_line(server, prepared, tmp_path):  # type: ignore[no-untyped-def]
    handler, port = server
    lines = _mixed_csv(tmp_path / "readers.csv")
    report = deliver(prepared, read_recipients(tmp_path / "readers.csv"),
                     SMTPTransport(host="127.0.0.1", port=port, connections=4), journal=tmp_path / "j", retry=FAST)
    assert (report.sent, report.failed, report.deferred, report.ok) == (1996, 4, 0, False)
    assert len(handler.count()) == 1996 and set(handler.count().values()) == {1}
    failed = {position: reply for position, _, state, reply in report.problems if state == "failed"}
    assert sorted(failed) == [500, 900, 1300, 1500]
    for (line, field), reply in zip(sorted(lines.items()), (failed[p] for p in sorted(failed)), strict=True):
        assert f"readers.csv line{'s 1302-' if line == 1303 else ' '}{line}: {field}" in reply, reply


@pytest.mark.parametrize("text", ["", "email,first_name\r\n", "\ufeffemail,first_name\n"])
def test_an_empty_file_is_an_error_and_a_header_only_file_sends_nothing(server, prepared, tmp_path, text):  # type: ignore[no-untyped-def]
    _, port = server
    (tmp_path / "r.csv").write_text(text, encoding="utf-8")
    if not text:
        with pytest.raises(mailkit.InvalidFixtureError, match=r"r\.csv: the file is empty: a CSV of readers starts with"):
            list(read_recipients(tmp_path / "r.csv"))
        return
    report = deliver(prepared, read_recipients(tmp_path / "r.csv"), SMTPTransport(host="127.0.0.1", port=port))
    assert (report.sent, report.failed, report.ok) == (0, 0, True)


def test_a_10_mb_line_stops_the_run_naming_it_before_it_is_read_whole(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "r.csv").write_text("email,first_name\na@example.org,A\nb@example.org," + "x" * 10_000_000 + "\n")
    with pytest.raises(mailkit.InvalidFixtureError, match="line 3: longer than 1,048,576 characters"):
        list(read_recipients(tmp_path / "r.csv"))


@pytest.mark.parametrize("address", ["josé@example.com", "用户@例子.广告"])
def test_an_internationalised_address_is_refused_clearly_at_load_needing_smtputf8(address) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(mailkit.InvalidFixtureError, match=r"email: .*needs SMTPUTF8, which mailkit does not use"):
        mailkit.Recipient(email=address)


@pytest.mark.parametrize("url", ["mailto:unsub@example.org?bcc=victim@example.net",
                                 "mailto:unsub@example.org?cc=victim@example.net&subject=x",
                                 "mailto:unsub@example.org,victim@example.net",
                                 "mailto:unsub@example.org?to=victim@example.net",
                                 "mailto:unsub@example.org?subject=x&In-Reply-To=%3Cx%40y%3E"])
def test_a_mailto_unsubscribe_sending_to_anyone_else_is_refused(prepared, url) -> None:  # type: ignore[no-untyped-def]
    # a mail client's unsubscribe button (Gmail's, Apple Mail's) sends that mail itself, unseen by the reader:
    # a bcc= in a reader's unsubscribe URL had every click mail a third party from the reader's own address
    # refused where the reader is read (tests/test_hostile_unsubscribe.py); a reader made without
    # validation (model_construct) is refused again where the header is written
    with pytest.raises(mailkit.InvalidFixtureError, match=r"unsubscribe_url: .*mailto"):
        mailkit.Recipient(email="a@example.org", unsubscribe_url=url)
    bulk = mailkit.BulkMessages(prepared)
    with pytest.raises(mailkit.HeaderError, match=r"List-Unsubscribe: .*mailto"):
        bulk.message(mailkit.Recipient.model_construct(email="a@example.org", first_name="", unsubscribe_url=url,
                                                       preferences_url=None, link_params={}))


def test_a_plain_mailto_unsubscribe_with_a_subject_and_body_is_still_written(prepared) -> None:  # type: ignore[no-untyped-def]
    raw = mailkit.BulkMessages(prepared).message(mailkit.Recipient(
        email="a@example.org", unsubscribe_url="mailto:unsub+42@example.org?subject=unsubscribe%2042&body=stop"))
    assert b"List-Unsubscribe: <mailto:unsub+42@example.org?subject=unsubscribe%2042&body=stop>" in raw


def test_550_on_one_rcpt_fails_that_reader_only_421_is_retried_and_a_resume_sends_nobody_twice(server, prepared, tmp_path):  # type: ignore[no-untyped-def]
    handler, port = server
    people = [mailkit.Recipient(email=f"reader{i}@example.org") for i in range(120)]
    handler.permanent.add("reader7@example.org")
    handler.busy.add("reader60@example.org")  # 451 every time: deferred after the last attempt
    handler.temporary.add("reader30@example.org")  # 421 and the connection closed, the first time
    report = deliver(prepared, iter(people), SMTPTransport(host="127.0.0.1", port=port, connections=3),
                     journal=tmp_path / "j", retry=FAST)
    assert (report.sent, report.failed, report.deferred) == (118, 1, 1)
    assert ("failed", "550 5.1.1 no such mailbox") in {(s, r) for _, _, s, r in report.problems}
    handler.busy.clear()
    again = deliver(prepared, iter(people), SMTPTransport(host="127.0.0.1", port=port, connections=3),
                    journal=tmp_path / "j", resume=True, retry=FAST)
    # the 550 stays failed, never retried, and the resumed run is not "ok": a reader was never accepted
    assert (again.sent, again.skipped, again.ok) == (1, 119, False)
    assert handler.rcpt_attempts["reader7@example.org"] == 1
    assert len(handler.count()) == 119 and set(handler.count().values()) == {1}


def test_a_server_that_never_answers_data_times_out_instead_of_hanging(prepared) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    gen = smtp_sink()
    handler, port = next(gen)

    async def stall(server, session, envelope):  # type: ignore[no-untyped-def]
        await asyncio.sleep(30)
        return "250 too late"

    handler.handle_DATA = stall  # type: ignore[method-assign]
    try:
        started = time.monotonic()
        report = deliver(prepared, [mailkit.Recipient(email="a@example.org")],
                         SMTPTransport(host="127.0.0.1", port=port, connections=1, timeout=0.5),
                         retry=RetryPolicy(attempts=2, first_delay=0.01, max_delay=0.02))
        assert time.monotonic() - started < 5
        assert (report.deferred, report.sent) == (1, 0)
        assert "no complete reply within 0.5 s" in report.problems[0][3] or "timed out" in report.problems[0][3]
    finally:
        gen.close()


def test_two_runs_on_one_journal_at_once_the_second_is_refused(prepared, tmp_path) -> None:  # type: ignore[no-untyped-def]
    campaign = campaign_id(mailkit.BulkMessages(prepared))
    first = Journal(tmp_path / "j", campaign)
    try:
        with pytest.raises(mailkit.SendError, match="is in use by another run"):
            Journal(tmp_path / "j", campaign, resume=True)
    finally:
        first.close()


def test_smuggling_line_ends_in_a_name_never_reach_data_and_bodies_are_dot_stuffed(server, prepared) -> None:  # type: ignore[no-untyped-def]
    handler, port = server
    names = ["x\r\n.\r\nMAIL FROM:<evil@example.net>", "x\n.\nQUIT", "x\r.\rRSET", ".\r\n.", "..."]
    people = [mailkit.Recipient(email=f"r{i}@example.org", first_name=name) for i, name in enumerate(names)]
    report = deliver(prepared, iter(people), SMTPTransport(host="127.0.0.1", port=port, connections=1), retry=FAST)
    assert report.sent == len(names) and len(handler.accepted) == len(names)
    bulk = mailkit.BulkMessages(prepared)
    for person, (rcpt, raw, _) in zip(people, handler.accepted, strict=True):
        # one transaction each: the line ends became spaces in the To name, nothing ends a line or the data
        assert rcpt == person.email and b"\r\n.\r\n" not in raw and b"\r\nMAIL FROM" not in raw
        assert not re.search(rb"\r(?!\n)|(?<!\r)\n", raw)
        head = BytesParser().parsebytes(raw, headersonly=True)
        assert raw == bulk.message(person, date=parsedate_to_datetime(head["Date"]), message_id=head["Message-ID"])


def test_each_message_over_smtp_is_byte_identical_to_bulk_messages_and_its_dkim_signature_verifies(server, prepared, tmp_path):  # type: ignore[no-untyped-def]
    dkim = pytest.importorskip("dkim", reason="mailkit[dkim] (dkimpy) is not installed")
    from mailkit._dkim import DkimSigner

    handler, port = server
    private = tmp_path / "k.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(private), "2048"], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", str(private), "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)
    bulk = mailkit.BulkMessages(prepared)
    domain = bulk.sender.address.rpartition("@")[2]
    signer = DkimSigner(selector="alerts", domain=domain, private_key=private.read_bytes())
    people = [mailkit.Recipient(email=f"r{i}@example.org", first_name=f"Ré {i}", link_params={"rid": str(i)})
              for i in range(12)]
    report = deliver(prepared, iter(people), SMTPTransport(host="127.0.0.1", port=port, connections=3),
                     dkim=signer, retry=FAST)
    assert report.sent == 12
    by_address = {p.email: p for p in people}
    for rcpt, raw, _ in handler.accepted:
        head = BytesParser().parsebytes(raw, headersonly=True)
        expected = bulk.message(by_address[rcpt], date=parsedate_to_datetime(head["Date"]),
                                message_id=head["Message-ID"])
        # the signature (its t= is the second it was made) before the very bytes BulkMessages writes
        assert raw.startswith(b"DKIM-Signature: ") and raw.endswith(b"\r\n" + expected)
        assert raw[: -len(expected)].count(b"\r\n") == raw[: -len(expected)].count(b"\r\n ") + 1
        assert dkim.verify(raw, dnsfunc=lambda name, timeout=5: record)


def test_send_with_no_smtp_server_is_one_line_naming_host_and_port(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner
    from test_deliver import free_port

    port = free_port()
    result = CliRunner().invoke(main, ["send", "breaking", str(FIXTURE), "--to", "a@example.org",
                                       "--smtp", f"127.0.0.1:{port}", "--timeout", "2"])
    assert result.exit_code == 1  # the README's status for an error (2 is a usage error)
    assert f"through 127.0.0.1:{port} failed: [Errno 111] Connection refused" in result.output
    assert "Traceback" not in result.output


def _slow_server():  # type: ignore[no-untyped-def]
    import asyncio

    gen = smtp_sink()
    handler, port = next(gen)
    original = handler.handle_DATA

    async def slow(server, session, envelope):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.01)
        return await original(server, session, envelope)

    handler.handle_DATA = slow  # type: ignore[method-assign]
    return gen, handler, port


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_run_stops_cleanly_and_resume_sends_everyone_once(tmp_path, sig) -> None:  # type: ignore[no-untyped-def]
    # SIGTERM is what systemd, Docker and Kubernetes send to stop a service: it killed the run outright, as
    # kill -9 does (up to one reader per connection sent twice on --resume); now it stops as Ctrl-C does
    gen, handler, port = _slow_server()
    try:
        (tmp_path / "r.csv").write_text("email\n" + "".join(f"reader{i}@example.org\n" for i in range(400)))
        command = [sys.executable, "-m", "mailkit", "deliver", "breaking", str(FIXTURE), "--recipients",
                   str(tmp_path / "r.csv"), "--smtp", f"127.0.0.1:{port}", "--connections", "4", "--journal",
                   str(tmp_path / "j"), "-q"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while len(handler.accepted) < 40 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.01)
        process.send_signal(sig)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 3, (process.returncode, out, err)
        assert b"interrupted: continue with --resume" in out and b"Traceback" not in err
        sent_first = len(handler.accepted)
        assert sent_first < 400
        counts = Journal(tmp_path / "j", campaign_id(mailkit.BulkMessages(mailkit.prepare("breaking", FIXTURE))),
                         resume=True)
        try:
            assert counts.counts()["sent"] == sent_first  # every message the server took is in the journal
        finally:
            counts.close()
        again = subprocess.run([*command, "--resume"], check=False, cwd=ROOT, env=env, capture_output=True, timeout=60)
        assert again.returncode == 0, again
        assert collections.Counter(rcpt for rcpt, _, _ in handler.accepted) == {
            f"reader{i}@example.org": 1 for i in range(400)}
    finally:
        gen.close()


def test_a_server_that_does_not_offer_starttls_stops_the_run_naming_it_not_deferring_everyone(server, prepared):  # type: ignore[no-untyped-def]
    # no STARTTLS in the EHLO reply: a server set up without it, or someone between stripping it (STRIPTLS).
    # Trying again cannot help, and each reader was deferred after attempts x connections lost sessions
    # (30 s with the defaults), exit status 3 as if some readers had merely been slow
    handler, port = server
    started = time.monotonic()
    with pytest.raises(mailkit.SendError, match=rf"127\.0\.0\.1:{port} does not offer STARTTLS"):
        deliver(prepared, [mailkit.Recipient(email=f"r{i}@example.org") for i in range(20)],
                SMTPTransport(host="127.0.0.1", port=port, connections=2, starttls=True),
                retry=RetryPolicy(attempts=5, first_delay=0.5, max_delay=1))
    assert time.monotonic() - started < 3 and not handler.accepted


def test_on_celery_a_run_resumed_after_a_550_is_not_exit_0(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    # the README: exit 0 only when every reader was accepted, now or by the run it resumes. A reader an
    # earlier run failed (550) is skipped, never accepted: the command said 0 on Celery as on one machine
    pytest.importorskip("celery", reason="mailkit[celery] is not installed")
    from click.testing import CliRunner

    from mailkit import celery as mc
    from mailkit._deliver import Progress

    class Journal:
        def __init__(self) -> None:
            self.done_before = {"sent": 2, "failed": 1}

        def problems(self) -> list[tuple[int, str, str, str]]:
            return [(1, "r1@example.org", "failed", "550 5.1.1 no such mailbox")]

    monkeypatch.setattr(mc, "enqueue", lambda *a, **k: (Journal(), 3))
    monkeypatch.setattr(mc, "follow", lambda journal, total, **k: Progress(skipped=3, total=3))
    (tmp_path / "r.csv").write_text("email\n" + "".join(f"r{i}@example.org\n" for i in range(3)))
    result = CliRunner().invoke(main, ["deliver", "breaking", str(FIXTURE), "--recipients", str(tmp_path / "r.csv"),
                                       "--smtp", "127.0.0.1:2525", "--celery", "redis://127.0.0.1:1/0"])
    assert "r1@example.org: failed: 550" in result.output
    assert result.exit_code == 3, result.output
