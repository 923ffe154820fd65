"""Delivery benchmark: messages a second into Postfix's smtp-sink, against Postfix's own smtp-source.

    python bench/deliver.py                      # 20,000 breaking alerts, 8 connections, 3 rounds
    python bench/deliver.py --messages 5000 --connections 4 --celery

Starts ``smtp-sink`` (Debian package ``postfix``) on a free loopback port,
then, in the same run and against the same sink: ``smtp-source -s C`` (C
sessions, Postfix's C load generator) sending messages of the alert's size,
and ``mailkit.deliver`` from one process with C connections (no journal, and
with an SQLite journal), and with ``--celery`` 2 Celery workers. Each
measurement runs once a round, interleaved, for ``--rounds`` rounds; prints the
median rates, mailkit's ratio to smtp-source and its CPU time a message. Not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mailkit  # noqa: E402
from mailkit._deliver import deliver  # noqa: E402
from mailkit._smtp import SMTPTransport  # noqa: E402

SEED = ROOT / "fixtures" / "breaking-china-cyberspying.yaml"
SECRET = "bench-" + "0123456789abcdef" * 2  # signs the email stored in Redis (MAILKIT_CELERY_SECRET)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tool(name: str) -> str:
    path = shutil.which(name) or f"/usr/sbin/{name}"
    if not os.path.exists(path):
        sys.exit(f"{name} not found: apt-get install postfix (only its smtp-sink and smtp-source binaries are used)")
    return path


class CeleryBench:
    """A redis-server and 2 Celery workers (each its own process), started once for every round."""

    def __init__(self) -> None:
        import redis

        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.server = subprocess.Popen([shutil.which("redis-server") or "/usr/bin/redis-server", "--port",
                                        str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                                       stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        env = {**os.environ, "MAILKIT_CELERY_BROKER": self.url, "MAILKIT_CELERY_SECRET": SECRET}
        self.workers = [subprocess.Popen([sys.executable, "-m", "celery", "-A", "mailkit.celery", "worker", "--pool",
                                          "solo", "--without-gossip", "--without-mingle", "-n", f"bench{i}@%h",
                                          "--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL) for i in range(2)]
        self.client = redis.Redis(port=self.port)
        while not self.client.exists("_kombu.binding.celery"):
            time.sleep(0.2)  # until the workers listen
        time.sleep(2)

    def rate(self, prepared: mailkit.PreparedEmail, smtp_port: int, n: int, connections: int) -> float:
        """Messages a second, timed from queueing to the last reply."""
        from mailkit.celery import enqueue, follow

        for key in self.client.scan_iter("mailkit:campaign:*"):  # a new run, not a resume of the last round
            self.client.delete(key)
        readers = (mailkit.Recipient(email=f"reader{i}@example.org", first_name=f"R{i}") for i in range(n))
        start = time.perf_counter()
        journal, total = enqueue(prepared, readers, SMTPTransport(host="127.0.0.1", port=smtp_port,
                                                                  connections=connections), broker=self.url, key=SECRET)
        progress = follow(journal, total, interval=0.1)
        assert progress.sent == n, progress
        return n / (time.perf_counter() - start)

    def close(self) -> None:
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            worker.wait()
        self.server.terminate()
        self.server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3,
                        help="Rounds of every measurement, interleaved; the medians are compared.")
    parser.add_argument("--celery", action="store_true", help="Also 2 Celery workers (needs redis-server and mailkit[celery]).")
    args = parser.parse_args()
    n, c = args.messages, args.connections

    prepared = mailkit.prepare("breaking", SEED)
    size = len(mailkit.BulkMessages(prepared).message(mailkit.Recipient(email="reader1@example.org")))
    port = free_port()
    sink_cmd = [tool("smtp-sink"), *(["-u", "nobody"] if os.geteuid() == 0 else []), "-c", f"127.0.0.1:{port}", "256"]
    sink = subprocess.Popen(sink_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    transport = SMTPTransport(host="127.0.0.1", port=port, connections=c)
    rates: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}

    def readers() -> Iterator[mailkit.Recipient]:
        return (mailkit.Recipient(email=f"reader{i}@example.org", first_name=f"R{i}", link_params={"rid": str(i)})
                for i in range(n))

    def timed(name: str, run: Callable[[], None]) -> None:
        cpu_start, start = time.process_time(), time.perf_counter()
        run()
        rates.setdefault(name, []).append(n / (time.perf_counter() - start))
        cpu.setdefault(name, []).append(1e6 * (time.process_time() - cpu_start) / n)

    def one_process(journal: bool) -> None:
        with tempfile.TemporaryDirectory() as folder:
            report = deliver(prepared, readers(), transport,
                             journal=Path(folder) / "journal.sqlite" if journal else None)
        assert report.sent == n, report

    # the machine is shared: every measurement runs in each round, one after another, against the same
    # sink, so a busy spell slows all of them alike; the medians of the rounds are compared
    names = {"source": f"smtp-source -s {c}", "plain": f"mailkit.deliver, 1 process x {c} connections",
             "journal": "mailkit.deliver with an SQLite journal", "celery": f"2 Celery workers x {c // 2} connections"}
    celery = CeleryBench() if args.celery else None
    try:
        for _ in range(args.rounds):
            timed("source", lambda: subprocess.run(
                [tool("smtp-source"), "-s", str(c), "-m", str(n), "-l", str(size), "-f", "desk@example.org",
                 "-t", "reader@example.org", f"127.0.0.1:{port}"], check=True))
            timed("plain", lambda: one_process(journal=False))
            timed("journal", lambda: one_process(journal=True))
            if celery is not None:
                rates.setdefault("celery", []).append(celery.rate(prepared, port, n, c // 2))
    finally:
        if celery is not None:
            celery.close()
        sink.terminate()
        sink.wait()
    source = statistics.median(rates["source"])
    print(f"{n:,} messages of {size:,} bytes, {args.rounds} rounds, median messages/s (each round's):")
    for key, label in names.items():
        if key not in rates:
            continue
        median = statistics.median(rates[key])
        each = ", ".join(f"{rate:,.0f}" for rate in rates[key])
        line = f"  {label}: {median:,.0f} ({each})"
        if key != "source":
            line += f", {median / source:.2f}x smtp-source"
        if key in ("plain", "journal"):
            line += f", {statistics.median(cpu[key]):.0f} us CPU a message"
        print(line)


if __name__ == "__main__":
    main()
