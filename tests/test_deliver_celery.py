"""Fan-out on Celery: real redis-server, real workers (subprocesses), a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

import pytest
from conftest import ROOT, SEED
from test_deliver import Server, free_port, readers, smtp_sink, write_csv

import mailkit

pytest.importorskip("celery", reason="mailkit[celery] is not installed")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """MAILKIT_TEST_REDIS_URL (.ci/run starts one), else a redis-server of our own on a free loopback port."""
    if os.environ.get("MAILKIT_TEST_REDIS_URL"):
        yield os.environ["MAILKIT_TEST_REDIS_URL"]
        return
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(binary):
        if os.environ.get("MAILKIT_REQUIRE_BROWSER"):  # .ci/run: every tool the tests need is there
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    client.close()
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait()


@pytest.fixture
def broker(redis_url: str) -> Iterator[str]:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    yield redis_url


@pytest.fixture
def server() -> Iterator[tuple[Server, int]]:
    yield from smtp_sink()


# a killed worker's batch comes back after this many seconds (60 by default: a test need not wait that long)
VISIBILITY = {"MAILKIT_CELERY_VISIBILITY_TIMEOUT": "8"}
# the enqueuer's and the workers' shared secret, which signs the email stored in Redis
SECRET = {"MAILKIT_CELERY_SECRET": "test-secret-" + "0123456789abcdef" * 2}


def start_workers(broker: str, n: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, **VISIBILITY, **SECRET, "MAILKIT_CELERY_BROKER": broker}
    return [subprocess.Popen([sys.executable, "-m", "celery", "-A", "mailkit.celery", "worker", "--concurrency", "1",
                              "--pool", "solo", "--without-gossip", "--without-mingle", "-n", f"w{i}@%h",
                              "--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL) for i in range(n)]


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def run_cli(broker: str, port: int, recipients: object, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mailkit", "deliver", "breaking", str(SEED), "--recipients",
                           str(recipients), "--smtp", f"127.0.0.1:{port}", "--connections", "2", "--celery", broker,
                           *extra], check=False, cwd=ROOT, capture_output=True, text=True, timeout=180,
                          env={**os.environ, **SECRET})


def test_two_workers_deliver_each_reader_once_byte_identical_to_bulk_messages(broker, server, tmp_path):  # type: ignore[no-untyped-def]
    handler, port = server
    # the 10,000: 55-85 s on this 2-core machine at load 18-25 shared with other work, less when it is
    # quiet (MAILKIT_CELERY_RECIPIENTS changes it)
    n = int(os.environ.get("MAILKIT_CELERY_RECIPIENTS", "10000"))
    recipients = write_csv(tmp_path / "readers.csv", n)
    workers = start_workers(broker, 2)
    try:
        done = run_cli(broker, port, recipients)
    finally:
        stop(workers)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{n} accepted through" in done.stdout
    counts = handler.count()
    assert len(counts) == n and set(counts.values()) == {1}
    bulk = mailkit.BulkMessages(mailkit.prepare("breaking", SEED))
    for rcpt, raw, _ in handler.accepted[:: max(n // 40, 1)]:
        i = int(rcpt.removeprefix("reader").partition("@")[0])
        head = BytesParser().parsebytes(raw, headersonly=True)
        reader = readers(1, i)[0]
        assert raw == bulk.message(reader, date=parsedate_to_datetime(head["Date"]), message_id=head["Message-ID"])


def test_a_worker_killed_mid_run_loses_nothing_and_duplicates_at_most_one_per_connection(broker, server, tmp_path):  # type: ignore[no-untyped-def]
    handler, port = server
    n = 1500
    recipients = write_csv(tmp_path / "readers.csv", n)
    workers = start_workers(broker, 2)
    try:
        cli = subprocess.Popen([sys.executable, "-m", "mailkit", "deliver", "breaking", str(SEED), "--recipients",
                                str(recipients), "--smtp", f"127.0.0.1:{port}", "--connections", "2", "--celery",
                                broker, "--batch", "100"], cwd=ROOT, env={**os.environ, **VISIBILITY, **SECRET},
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + 60
        while len(handler.accepted) < 400 and time.monotonic() < deadline:
            time.sleep(0.02)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait()
        killed = time.monotonic()
        assert len(handler.accepted) < n  # killed mid-run
        workers.append(start_workers(broker, 1)[0])  # the machine comes back; Redis redelivers after its timeout
        out, _ = cli.communicate(timeout=180)
        # picked up again within a minute, not at kombu's default sweep (every 100 s) or Redis's hour
        assert time.monotonic() - killed < 60
    finally:
        stop(workers)
    assert cli.returncode == 0, out
    counts = handler.count()
    assert len(counts) == n  # nothing lost
    assert sum(counts.values()) - n <= 2  # at most one per connection the killed worker held


# -- the --celery front end: interrupted, resumed, no worker, two brokers --------------------------


def own_redis_url() -> tuple[str, subprocess.Popen[bytes]]:
    import redis

    port = free_port()
    process = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port), "--bind",
                                "127.0.0.1", "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    client.close()
    return f"redis://127.0.0.1:{port}/0", process


def test_ctrl_c_while_following_the_workers_exits_3_saying_the_batches_go_on(broker, server, tmp_path):  # type: ignore[no-untyped-def]
    _, port = server
    recipients = write_csv(tmp_path / "readers.csv", 20)
    cli = subprocess.Popen([sys.executable, "-m", "mailkit", "deliver", "breaking", str(SEED), "--recipients",
                            str(recipients), "--smtp", f"127.0.0.1:{port}", "--celery", broker], cwd=ROOT,
                           env={**os.environ, **SECRET}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert cli.stderr is not None
    assert "queued 20 recipients" in cli.stderr.readline()  # no worker runs: it waits for them
    time.sleep(0.3)
    cli.send_signal(signal.SIGINT)
    out, err = cli.communicate(timeout=30)
    assert cli.returncode == 3, out + err  # README: 3 when the run was interrupted, as on one machine
    assert "interrupted" in out and "Traceback" not in err and "Aborted" not in err


def test_with_no_worker_running_the_command_says_so_instead_of_waiting_for_ever(broker, server, tmp_path):  # type: ignore[no-untyped-def]
    _, port = server
    recipients = write_csv(tmp_path / "readers.csv", 5)
    done = run_cli(broker, port, recipients, "--celery-stall", "1")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "no Celery worker answered" in done.stderr and "celery -A mailkit.celery worker" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_resumed_celery_run_reports_what_it_sent_and_what_an_earlier_run_had_done(broker, server, tmp_path):  # type: ignore[no-untyped-def]
    handler, port = server
    workers = start_workers(broker, 1)
    try:
        first = run_cli(broker, port, write_csv(tmp_path / "ten.csv", 10))
        assert first.returncode == 0, first.stdout + first.stderr
        second = run_cli(broker, port, write_csv(tmp_path / "fifteen.csv", 15))  # the same ten, and five more
    finally:
        stop(workers)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "5 accepted through" in second.stdout and "10 already done by an earlier run" in second.stdout
    assert len(handler.accepted) == 15


def test_enqueue_to_a_second_broker_queues_there_not_on_the_first(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import redis

    from mailkit import celery as mc

    monkeypatch.setenv("MAILKIT_CELERY_SECRET", SECRET["MAILKIT_CELERY_SECRET"])
    prepared = mailkit.prepare("breaking", SEED)
    transport = mailkit.SMTPTransport(host="127.0.0.1", port=1)
    (first, one), (second, two) = own_redis_url(), own_redis_url()
    try:
        monkeypatch.setattr(mc.app.conf, "broker_url", first)
        mc.enqueue(prepared, readers(3), transport, broker=first)
        mc.enqueue(prepared, readers(3, 3), transport, broker=second)
        assert redis.Redis.from_url(first).llen("celery") == 1
        assert redis.Redis.from_url(second).llen("celery") == 1  # was 0: the second batch went to the first
    finally:
        for process in (one, two):
            process.terminate()
            process.wait()
