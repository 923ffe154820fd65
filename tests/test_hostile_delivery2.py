"""Hostile input for the Celery path and its Redis record (the catalogue of tests/test_hostile_input.py, for delivery).

Each case runs the worker's task in this process (``deliver_batch(...)`` runs it here) against a
redis-server of its own and a real SMTP server (aiosmtpd): the outcome is a safe delivery, or a named
:class:`mailkit.SendError` saying what was refused and where, never a traceback, a hang, or code run
from Redis.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED
from test_deliver import Server, free_port, readers, smtp_sink

import mailkit

pytest.importorskip("celery", reason="mailkit[celery] is not installed")
import redis

from mailkit import celery as mc
from mailkit._deliver import campaign_id
from mailkit._smtp import Envelope, SMTPTransport

SECRET = "hostile-test-" + "0123456789abcdef" * 2
FAST = {"retry": {"attempts": 3, "first_delay": 0.02, "max_delay": 0.1}}


class RedisServer:
    """A redis-server of our own on a free loopback port; ``folder`` keeps an append-only file, synced
    at every write, so a killed server restarts with what it had acknowledged."""

    def __init__(self, folder: Path | None = None) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.path.exists(binary):
            if os.environ.get("MAILKIT_REQUIRE_BROWSER"):
                pytest.fail("redis-server is not installed (apt-get install redis-server)")
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        persist = (["--dir", str(self.folder), "--appendonly", "yes", "--appendfsync", "always"] if self.folder
                   else ["--appendonly", "no"])
        self.process = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         *persist], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.close()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def own_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisServer]:
    server = RedisServer()
    monkeypatch.setattr(mc.app.conf, "broker_url", server.url)
    monkeypatch.setenv("MAILKIT_CELERY_SECRET", SECRET)
    mc._PREPARED.clear()
    try:
        yield server
    finally:
        server.kill()
        mc._PREPARED.clear()


@pytest.fixture
def smtp() -> Iterator[tuple[Server, int]]:
    yield from smtp_sink()


@pytest.fixture(scope="module")
def prepared() -> mailkit.PreparedEmail:
    return mailkit.prepare("breaking", SEED)


def transport(port: int, connections: int = 2) -> dict[str, Any]:
    return {"host": "127.0.0.1", "port": port, "connections": connections}


def campaign(prepared: mailkit.PreparedEmail, sender: mailkit.Sender | None = None) -> str:
    return campaign_id(mailkit.BulkMessages(prepared, sender=sender))


def dumped(people: list[mailkit.Recipient]) -> list[dict[str, Any]]:
    return [p.model_dump(mode="json", exclude_none=True) for p in people]


class Boom:
    """A pickle that runs code when loaded: it creates ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (str(self.path),))


# -- the stored email ---------------------------------------------------------------------------


def test_a_pickle_in_redis_without_our_hmac_is_never_unpickled(own_redis, prepared, tmp_path):  # type: ignore[no-untyped-def]
    """Whoever can write to the Redis stores a pickle that runs code, under the key its hash names."""
    client = redis.Redis.from_url(own_redis.url)
    blob = pickle.dumps(Boom(tmp_path / "pwned"))
    name = "mailkit:prepared:" + hashlib.sha256(blob).hexdigest()
    client.set(name, b"\0" * 32 + blob)
    with pytest.raises(mailkit.SendError, match=r"mailkit:prepared:[0-9a-f]{64}: its HMAC does not match .* not unpickled"):
        mc.deliver_batch(name, campaign(prepared), 0, dumped(readers(1)), transport(1), {})
    assert not (tmp_path / "pwned").exists()
    assert b"HMAC does not match" in client.lindex(f"mailkit:campaign:{campaign(prepared)}:refused", 0)


def test_a_pickle_signed_with_another_secret_is_refused(own_redis, prepared, tmp_path):  # type: ignore[no-untyped-def]
    client = redis.Redis.from_url(own_redis.url)
    name = mc.store_prepared(client, prepared, mc.secret("another-" + "f" * 32))
    with pytest.raises(mailkit.SendError, match="HMAC does not match"):
        mc.deliver_batch(name, campaign(prepared), 0, dumped(readers(1)), transport(1), {})


def test_a_signed_pickle_moved_under_another_hash_is_refused(own_redis, prepared, tmp_path):  # type: ignore[no-untyped-def]
    client = redis.Redis.from_url(own_redis.url)
    name = mc.store_prepared(client, prepared)
    other = "mailkit:prepared:" + "0" * 64
    client.set(other, client.get(name))  # the HMAC covers the key's name: a copy elsewhere does not verify
    with pytest.raises(mailkit.SendError, match="HMAC does not match"):
        mc.deliver_batch(other, campaign(prepared), 0, dumped(readers(1)), transport(1), {})


@pytest.mark.parametrize("value", ["", "short", None])
def test_without_a_shared_secret_nothing_is_queued(own_redis, prepared, monkeypatch, value):  # type: ignore[no-untyped-def]
    if value is None:
        monkeypatch.delenv("MAILKIT_CELERY_SECRET")
    else:
        monkeypatch.setenv("MAILKIT_CELERY_SECRET", value)
    with pytest.raises(mailkit.SendError, match="MAILKIT_CELERY_SECRET: set it"):
        mc.enqueue(prepared, readers(2), SMTPTransport(host="127.0.0.1", port=1), broker=own_redis.url)
    assert redis.Redis.from_url(own_redis.url).dbsize() == 0


@pytest.mark.parametrize("name", ["mailkit:campaign:" + "a" * 64 + ":state", "mailkit:prepared:../x", "other"])
def test_a_task_naming_a_key_that_is_not_a_stored_email_is_refused(own_redis, prepared, name):  # type: ignore[no-untyped-def]
    with pytest.raises(mailkit.SendError, match=r"task: prepared email key .* is not mailkit:prepared:<sha256>"):
        mc.deliver_batch(name, campaign(prepared), 0, dumped(readers(1)), transport(1), {})


# -- the per-campaign record ----------------------------------------------------------------------


@pytest.mark.parametrize("forged", ["x:state", "A" * 64, "a" * 63, "a" * 64 + ":counts", ""])
def test_a_campaign_that_is_not_a_hash_is_refused(own_redis, prepared, forged):  # type: ignore[no-untyped-def]
    client = redis.Redis.from_url(own_redis.url)
    name = mc.store_prepared(client, prepared)
    with pytest.raises(mailkit.SendError, match=r"task: campaign .* is not a SHA-256 in hex"):
        mc.deliver_batch(name, forged, 0, dumped(readers(1)), transport(1), {})
    assert not client.keys("mailkit:campaign:*:state")


def test_a_task_that_names_another_campaigns_record_is_refused_and_writes_nothing_there(own_redis, prepared, smtp):  # type: ignore[no-untyped-def]
    """Campaign B's record (already holding a sent reader) is named by a task that carries email A."""
    handler, port = smtp
    client = redis.Redis.from_url(own_redis.url)
    other = mailkit.Sender(name="Other desk", address="other@example.org")
    victim = campaign(prepared, other)
    journal = mc.RedisJournal(client, victim)
    journal.record(0, "reader0@example.org", "sent", 250, "250 OK", 1)
    before = client.hgetall(journal.key + ":state"), client.hgetall(journal.key + ":counts")
    name = mc.store_prepared(client, prepared)
    with pytest.raises(mailkit.SendError, match=f"task: campaign {victim[:12]} is not the hash of the email"):
        mc.deliver_batch(name, victim, 0, dumped(readers(3)), transport(port), {})
    assert (client.hgetall(journal.key + ":state"), client.hgetall(journal.key + ":counts")) == before
    assert handler.accepted == []
    with pytest.raises(mailkit.SendError, match="a worker refused a batch: task: campaign"):
        mc.follow(journal, 3, interval=0.01, timeout=5)


def test_two_copies_of_one_batch_at_once_send_each_reader_once(own_redis, prepared, smtp):  # type: ignore[no-untyped-def]
    """Redis hands a batch out again when it runs longer than the visibility timeout, while the first copy
    still runs: the second waits for the batch's lock, then skips what the first recorded."""
    handler, port = smtp
    name = mc.store_prepared(redis.Redis.from_url(own_redis.url), prepared)
    people = dumped(readers(300))
    results: list[dict[str, int]] = []
    copies = [threading.Thread(target=lambda: results.append(
        mc.deliver_batch(name, campaign(prepared), 0, people, transport(port), FAST))) for _ in range(2)]
    for copy in copies:
        copy.start()
    for copy in copies:
        copy.join(120)
    assert sorted(r["sent"] for r in results) == [0, 300] and sorted(r["skipped"] for r in results) == [0, 300]
    assert len(handler.count()) == 300 and set(handler.count().values()) == {1}


def test_redis_down_mid_run_is_a_send_error_and_the_same_task_resumes(prepared, smtp, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    handler, port = smtp
    server = RedisServer(tmp_path)
    monkeypatch.setattr(mc.app.conf, "broker_url", server.url)
    monkeypatch.setenv("MAILKIT_CELERY_SECRET", SECRET)
    mc._PREPARED.clear()
    try:
        name = mc.store_prepared(redis.Redis.from_url(server.url), prepared)
        people = dumped(readers(400))
        original = handler.handle_DATA

        async def killing(*args: Any) -> str:
            reply = await original(*args)
            if len(handler.accepted) == 100:
                server.kill()
            return reply

        handler.handle_DATA = killing  # type: ignore[method-assign]
        with pytest.raises(mailkit.SendError, match=r"redis mailkit:campaign:[0-9a-f]{64}: Redis failed .* "
                                                    "running the same command again resumes it"):
            mc.deliver_batch(name, campaign(prepared), 0, people, transport(port), FAST)
        sent_before = len(handler.accepted)
        assert 100 <= sent_before < 400
        server.start()  # with what it had acknowledged (append-only, synced at every write)
        result = mc.deliver_batch(name, campaign(prepared), 0, people, transport(port), FAST)
        counts = handler.count()
        assert len(counts) == 400  # nothing lost
        assert sum(counts.values()) - 400 <= 2  # at most one per connection held when Redis went away
        assert result["skipped"] >= 100 - 2
    finally:
        server.kill()
        mc._PREPARED.clear()


# -- recipients ---------------------------------------------------------------------------------


def test_recipients_with_line_breaks_in_a_task_are_failed_naming_the_field_and_inject_nothing(own_redis, prepared, smtp):  # type: ignore[no-untyped-def]
    handler, port = smtp
    client = redis.Redis.from_url(own_redis.url)
    name = mc.store_prepared(client, prepared)
    people = [{"email": "a@example.org\r\nRCPT TO:<evil@example.org>"},
              {"email": "b@example.org", "first_name": "B\r\nBcc: evil@example.org"},
              {"email": "c@example.org", "first_name": "C"}, "not an object"]
    result = mc.deliver_batch(name, campaign(prepared), 10, people, transport(port), FAST)
    # the address is refused; the name's line break is folded to a space by Recipient: no header is injected
    assert (result["sent"], result["failed"]) == (2, 2)
    assert sorted(handler.count()) == ["b@example.org", "c@example.org"]
    for _, raw, _ in handler.accepted:
        head = raw.partition(b"\r\n\r\n")[0]
        assert not any(line.lower().startswith(b"bcc:") for line in head.split(b"\r\n"))
    assert not handler.rcpt_attempts["evil@example.org"]
    problems = {position: reply for position, _, state, reply in mc.RedisJournal(client, campaign(prepared)).problems()}
    assert problems[10].startswith("recipients[10].email: ")
    assert problems[13] == "recipients[13]: not an object"


@pytest.mark.parametrize("address", ["a@example.org\r\nRCPT TO:<evil@example.org>", "a@example.org\nDATA",
                                     "a@example.org>\r\n", "a b@example.org", "é@example.org", "a@example.org\0"])
def test_an_envelope_address_with_a_line_break_never_reaches_the_wire(smtp, address):  # type: ignore[no-untyped-def]
    """The SMTP connection itself refuses it, whatever built the envelope (a Recipient checks too)."""
    handler, port = smtp
    connection = SMTPTransport(host="127.0.0.1", port=port, connections=1).connect()
    try:
        reply = connection.send(Envelope(0, "desk@example.org", address), b"Subject: x\r\n\r\nbody\r\n")
        assert reply.code == 553 and "mailkit did not send it" in reply.text and reply.permanent
        ok = connection.send(Envelope(1, "desk@example.org", "ok@example.org"), b"Subject: x\r\n\r\nbody\r\n")
        assert ok.accepted  # the session is still in step
    finally:
        connection.close()
    assert list(handler.count()) == ["ok@example.org"] and not handler.rcpt_attempts["evil@example.org"]


def test_redis_down_when_queueing_is_a_send_error_not_a_traceback(own_redis, prepared):  # type: ignore[no-untyped-def]
    own_redis.kill()
    with pytest.raises(mailkit.SendError, match=r"redis mailkit:campaign:[0-9a-f]{64}: Redis failed"):
        mc.enqueue(prepared, readers(2), SMTPTransport(host="127.0.0.1", port=1), broker=own_redis.url)
