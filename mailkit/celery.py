"""Fan-out on Celery with Redis (``pip install 'mailkit[celery]'``): many machines, one journal.

Workers start with::

    MAILKIT_CELERY_BROKER=redis://127.0.0.1:6379/0 celery -A mailkit.celery worker --concurrency 2

and ``mailkit deliver ... --celery redis://127.0.0.1:6379/0`` (or :func:`enqueue`
then :func:`follow`) sends through them. The prepared email is stored once in
Redis, pickled, under its content hash (only mailkit's own workers read that
key: keep the Redis private, as a Celery broker must be anyway). Each task
carries a batch of recipients with their positions, and runs the same
:func:`mailkit.deliver` as one machine does, with a journal in Redis: each
recipient's state is checked before the send and set after it, so a batch
redelivered after a worker died re-sends at most the messages each of its
connections had handed over but not yet recorded.

Tasks are acknowledged late and rejected when their worker is lost; Redis
gives an unacknowledged task back after ``visibility_timeout`` (45 s here, not
kombu's default of an hour) at the workers' next sweep (every 5 s here, not
every 100 s): a dead worker's batch is running again within 50 s. A batch
must finish well within the timeout, or Redis hands it to a second worker
while the first still runs: 1,000 messages take a second or two at full
speed (``--batch`` makes them fewer for a slow server or a low rate).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from collections.abc import Callable, Iterable
from typing import Any

import redis
from celery import Celery

from .deliver import Progress, RetryPolicy, Unusable, campaign_id, deliver
from .errors import SendError
from .journal import STATES, Journal, Outcome
from .message import BulkMessages
from .models import Recipient, Sender
from .personalize import PreparedEmail
from .smtp import SMTPTransport

__all__ = ["BATCH", "RedisJournal", "app", "deliver_batch", "enqueue", "follow", "store_prepared"]

BATCH = 1000
# seconds before Redis gives a dead worker's task to another: longer than a batch takes
VISIBILITY_TIMEOUT = int(os.environ.get("MAILKIT_CELERY_VISIBILITY_TIMEOUT", "45"))
# seconds between the workers' sweeps for such tasks: kombu's default sweep is every
# unacked_restore_interval (10) x unacked_restore_throttle (10) = 100 s in a worker's event loop
RESTORE_INTERVAL = 5

app = Celery("mailkit", broker=os.environ.get("MAILKIT_CELERY_BROKER", "redis://127.0.0.1:6379/0"))
app.conf.update(
    task_acks_late=True,  # a task is acknowledged when done, not when received
    task_reject_on_worker_lost=True,  # ... and given back when its worker process dies
    worker_prefetch_multiplier=1,  # a worker holds one batch at a time, not four
    broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT, "unacked_restore_interval": RESTORE_INTERVAL,
                              "unacked_restore_throttle": 1},
    task_serializer="json",
    accept_content=["json"],
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)


def _client(url: str | None = None) -> redis.Redis:
    return redis.Redis.from_url(url or app.conf.broker_url)


def store_prepared(client: redis.Redis, prepared: PreparedEmail) -> str:
    """Store ``prepared`` once, pickled under its content hash; return the key."""
    blob = pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL)
    key = "mailkit:prepared:" + hashlib.sha256(blob).hexdigest()
    client.set(key, blob, nx=True)
    return key


_PREPARED: dict[str, PreparedEmail] = {}  # per worker process: each email unpickled once


def _load_prepared(client: redis.Redis, key: str) -> PreparedEmail:
    if key not in _PREPARED:
        blob = client.get(key)
        if not isinstance(blob, bytes):
            raise SendError(f"{key}: not in Redis (expired, or another Redis database)")
        _PREPARED[key] = pickle.loads(blob)  # written by store_prepared, in our own Redis
    return _PREPARED[key]


_RECORD = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local previous = 'pending'
if old then previous = cjson.decode(old)[2] end
if previous ~= ARGV[3] then
  redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
  if previous ~= 'pending' then redis.call('HINCRBY', KEYS[2], previous, -1) end
end
"""


class RedisJournal(Journal):
    """The journal's states in a Redis hash per campaign, shared by every worker."""

    def __init__(self, client: redis.Redis, campaign: str) -> None:  # nothing of SQLite to set up
        self.client = client
        self.campaign = campaign
        self.key = f"mailkit:campaign:{campaign}"
        self.path = f"redis {self.key}"
        self._record = client.register_script(_RECORD)
        self._group_commits()

    @property
    def started(self) -> float:
        value = self.client.hget(self.key + ":meta", "started")
        return float(value) if value is not None else time.time()

    def states(self, first: int, last: int) -> dict[int, tuple[str, str]]:
        positions = list(range(first, last + 1))
        values = self.client.hmget(self.key + ":state", positions)
        return {p: tuple(json.loads(v)[:2]) for p, v in zip(positions, values, strict=True)
                if v is not None}

    def begin(self, rows: Iterable[tuple[int, str]]) -> None:
        with self.client.pipeline(transaction=False) as pipe:
            for position, email in rows:
                pipe.hsetnx(self.key + ":state", str(position), json.dumps([email, "pending", None, ""]))
            pipe.execute()

    def _write(self, rows: list[Outcome]) -> None:
        # one round trip for every outcome posted since the last (see Journal.wait); each script is atomic:
        # a state and the per-state counts move together
        with self.client.pipeline(transaction=False) as pipe:
            for row in rows:
                self._record(keys=[self.key + ":state", self.key + ":counts"],
                             args=[str(row.position), json.dumps([row.email, row.state, row.code, row.reply]),
                                   row.state], client=pipe)
            pipe.execute()

    def counts(self) -> dict[str, int]:
        raw = self.client.hgetall(self.key + ":counts")
        counts = {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}
        return {state: counts.get(state, 0) for state in STATES}

    def problems(self, limit: int = 10) -> list[tuple[int, str, str, str]]:
        found = []
        for position, value in self.client.hscan_iter(self.key + ":state", count=1000):
            email, state, _, reply = json.loads(value)
            if state in ("failed", "deferred"):
                found.append((int(position), email, state, reply))
        return sorted(found)[:limit]

    def close(self) -> None:
        pass


@app.task(name="mailkit.deliver_batch", acks_late=True, reject_on_worker_lost=True)
def deliver_batch(prepared_key: str, campaign: str, first_position: int, recipients: list[dict[str, Any]],
                  transport: dict[str, Any], options: dict[str, Any]) -> dict[str, int]:
    """Deliver one batch (recipients numbered from ``first_position``); what it did, by state."""
    client = _client()
    prepared = _load_prepared(client, prepared_key)
    sender = Sender.model_validate(options["sender"]) if options.get("sender") else None
    people = [Recipient.model_validate(r) if "reason" not in r else Unusable(r["email"], r["reason"])
              for r in recipients]
    smtp = SMTPTransport(**transport, user=os.environ.get("MAILKIT_SMTP_USER"),
                         password=os.environ.get("MAILKIT_SMTP_PASSWORD"))
    journal = RedisJournal(client, campaign)
    report = deliver(prepared, people, smtp, journal=journal, sender=sender, first_position=first_position,
                     retry=RetryPolicy(**options.get("retry", {})), rate=options.get("rate"))
    return {"sent": report.sent, "deferred": report.deferred, "failed": report.failed, "skipped": report.skipped}


def enqueue(prepared: PreparedEmail, recipients: Iterable[Recipient | Unusable], transport: SMTPTransport, *,
            broker: str, sender: Sender | None = None, retry: RetryPolicy | None = None,
            rate_per_worker: float | None = None, batch: int = BATCH) -> tuple[RedisJournal, int]:
    """Store the email, record the campaign's start, and queue the recipients in batches.

    Returns the campaign's journal and how many recipients were queued. Running it
    again for the same email and list is a resume: what the journal has as
    sent or failed is skipped by the workers.
    """
    client = _client(broker)
    app.conf.broker_url = broker
    campaign = campaign_id(BulkMessages(prepared, sender=sender))
    journal = RedisJournal(client, campaign)
    client.hsetnx(journal.key + ":meta", "started", repr(float(int(time.time()))))
    key = store_prepared(client, prepared)
    config = {"host": transport.host, "port": transport.port, "connections": transport.connections,
              "starttls": transport.starttls, "use_ssl": transport.use_ssl,
              "insecure_loopback_login": transport.insecure_loopback_login, "timeout": transport.timeout,
              "rate_per_connection": transport.rate_per_connection}
    retry = retry or RetryPolicy()
    options = {"sender": sender.model_dump(mode="json") if sender else None, "rate": rate_per_worker,
               "retry": {"attempts": retry.attempts, "first_delay": retry.first_delay, "max_delay": retry.max_delay}}
    queued = 0
    chunk: list[dict[str, Any]] = []
    for recipient in recipients:
        chunk.append(recipient.model_dump(mode="json", exclude_none=True) if isinstance(recipient, Recipient)
                     else {"email": recipient.email, "reason": recipient.reason})
        if len(chunk) == batch:
            deliver_batch.delay(key, campaign, queued, chunk, config, options)
            queued += len(chunk)
            chunk = []
    if chunk:
        deliver_batch.delay(key, campaign, queued, chunk, config, options)
        queued += len(chunk)
    return journal, queued


def follow(journal: RedisJournal, total: int, *, on_progress: Callable[[Progress], None] | None = None,
           interval: float = 0.5, timeout: float | None = None) -> Progress:
    """Wait until every queued recipient is settled (sent, failed or deferred); the counts."""
    progress = Progress(total=total)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        counts = journal.counts()
        progress.sent, progress.deferred, progress.failed = counts["sent"], counts["deferred"], counts["failed"]
        if on_progress is not None:
            on_progress(progress)
        if progress.sent + progress.deferred + progress.failed >= total:
            return progress
        if deadline is not None and time.monotonic() > deadline:
            raise SendError(f"{journal.path}: {total - progress.done} recipients not settled within {timeout:g} s")
        time.sleep(interval)

