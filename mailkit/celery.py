"""Fan-out on Celery with Redis (``pip install 'mailkit[celery]'``): many machines, one journal.

Workers start with::

    MAILKIT_CELERY_BROKER=redis://127.0.0.1:6379/0 celery -A mailkit.celery worker --concurrency 2

and ``mailkit deliver ... --celery redis://127.0.0.1:6379/0`` (or :func:`enqueue`
then :func:`follow`) sends through them. The enqueuer and every worker share a
secret, ``MAILKIT_CELERY_SECRET`` (at least 32 characters; ``python -c "import
secrets; print(secrets.token_hex())"`` makes one). The prepared email is stored
once in Redis, pickled, under its content hash, with an HMAC-SHA256 of the key
and the pickle made with that secret: a worker unpickles only a value whose
HMAC and hash both match, so whoever can write to the Redis but lacks the
secret cannot have a worker run code (unpickling runs code) or send another
email. Each task
carries a batch of recipients with their positions, and runs the same
:func:`mailkit.deliver` as one machine does, with a journal in Redis: each
recipient's state is checked before the send and set after it, so a batch
redelivered after a worker died re-sends at most the messages each of its
connections had handed over but not yet recorded. A task names its campaign,
which must be the hash of the email it names (anything else is refused), so
no task can read or write another campaign's record. A batch runs under a lock
in Redis that its worker renews every few seconds: a copy of the task that
Redis hands out again while the first still runs (a batch slower than the
visibility timeout) waits for it, then skips what it recorded; a dead
worker's lock lapses within ``LOCK_SECONDS``.

Tasks are acknowledged late and rejected when their worker is lost; Redis
gives an unacknowledged task back after ``visibility_timeout`` (45 s here, not
kombu's default of an hour) at the workers' next sweep (every 5 s here, not
every 100 s): a dead worker's batch is running again within 50 s. A batch
must finish well within the timeout, or Redis hands it to a second worker
while the first still runs: 1,000 messages take a second or two at full
speed (``--batch`` makes them fewer for a slow server or a low rate).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import pickle
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import redis
from celery import Celery
from kombu.exceptions import OperationalError

from ._deliver import Progress, RetryPolicy, Unusable, campaign_id, deliver
from ._errors import InvalidFixtureError, SendError
from ._journal import STATES, Journal, Outcome
from ._models import Recipient, Sender
from ._personalize import BulkMessages, PreparedEmail
from ._smtp import SMTPTransport

__all__ = ["BATCH", "RedisJournal", "app", "deliver_batch", "enqueue", "follow", "secret", "store_prepared",
           "workers_answer"]

BATCH = 1000
# seconds before Redis gives a dead worker's task to another: longer than a batch takes
VISIBILITY_TIMEOUT = int(os.environ.get("MAILKIT_CELERY_VISIBILITY_TIMEOUT", "45"))
# seconds between the workers' sweeps for such tasks: kombu's default sweep is every
# unacked_restore_interval (10) x unacked_restore_throttle (10) = 100 s in a worker's event loop
RESTORE_INTERVAL = 5
# seconds a batch's lock outlives its worker (renewed every LOCK_SECONDS / 5 while the batch runs)
LOCK_SECONDS = 10
_HEX64 = re.compile(r"[0-9a-f]{64}")
_PREPARED_KEY = re.compile(r"mailkit:prepared:([0-9a-f]{64})")

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


def secret(value: str | bytes | None = None) -> bytes:
    """The shared secret that signs the stored email: ``value``, else ``MAILKIT_CELERY_SECRET``."""
    if value is None:
        value = os.environ.get("MAILKIT_CELERY_SECRET", "")
    key = value.encode("utf-8") if isinstance(value, str) else value
    if len(key) < 32:
        raise SendError("MAILKIT_CELERY_SECRET: set it, the same on the enqueuing machine and every worker, to at "
                        "least 32 characters (python -c 'import secrets; print(secrets.token_hex())'): the "
                        "workers unpickle the email stored in Redis only when its HMAC matches")
    return key


def _sign(key: bytes, name: str, blob: bytes) -> bytes:
    return hmac.new(key, name.encode("ascii") + b"\0" + blob, hashlib.sha256).digest()


def store_prepared(client: redis.Redis, prepared: PreparedEmail, key: bytes | None = None) -> str:
    """Store ``prepared`` once, pickled under its content hash and signed with ``key`` (:func:`secret`)."""
    key = secret() if key is None else key
    blob = pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL)
    name = "mailkit:prepared:" + hashlib.sha256(blob).hexdigest()
    client.set(name, _sign(key, name, blob) + blob)  # not nx: a value someone else put there is replaced
    return name


_PREPARED: dict[str, PreparedEmail] = {}  # per worker process: each email checked and unpickled once


def _load_prepared(client: redis.Redis, name: str, key: bytes) -> PreparedEmail:
    if name in _PREPARED:
        return _PREPARED[name]
    match = _PREPARED_KEY.fullmatch(name)
    if match is None:
        raise SendError(f"task: prepared email key {name[:100]!r} is not mailkit:prepared:<sha256>")
    stored = client.get(name)
    if not isinstance(stored, bytes):
        raise SendError(f"{name}: not in Redis (expired, or another Redis database)")
    mac, blob = stored[:32], stored[32:]
    # never unpickled unless signed with our secret: a pickle runs whatever code it names
    if not hmac.compare_digest(mac, _sign(key, name, blob)):
        raise SendError(f"{name}: its HMAC does not match (written by someone without MAILKIT_CELERY_SECRET, or "
                        "with another secret): not unpickled")
    if not hmac.compare_digest(hashlib.sha256(blob).hexdigest(), match[1]):
        raise SendError(f"{name}: the pickle's SHA-256 is not its key's: not unpickled")
    _PREPARED[name] = pickle.loads(blob)  # signed by store_prepared with our secret: checked above
    return _PREPARED[name]


def _redis_errors(where: str) -> contextlib.AbstractContextManager[None]:
    @contextlib.contextmanager
    def guard() -> Iterator[None]:
        try:
            yield
        except redis.RedisError as err:
            raise SendError(f"{where}: Redis failed ({type(err).__name__}: {err}): the run stopped; what it "
                            "recorded stays, so running the same command again resumes it") from err
    return guard()


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


# a deferred reader back to pending, its count with it (a resumed run tries it again)
_RETRY_DEFERRED = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old then return 0 end
local entry = cjson.decode(old)
if entry[2] ~= 'deferred' then return 0 end
entry[2] = 'pending'
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
redis.call('HINCRBY', KEYS[2], 'deferred', -1)
return 1
"""


class RedisJournal(Journal):
    """The journal's states in a Redis hash per campaign, shared by every worker.

    ``broker`` is the URL it was opened on, and ``done_before`` what earlier runs had
    settled for good (sent, failed) when :func:`enqueue` queued this run: :func:`follow`
    counts this run's outcomes apart from them.
    """

    def __init__(self, client: redis.Redis, campaign: str, broker: str | None = None) -> None:
        self.client = client  # nothing of SQLite to set up
        self.campaign = campaign
        self.broker = broker
        self.key = f"mailkit:campaign:{campaign}"
        self.path = f"redis {self.key}"
        self.done_before = {"sent": 0, "failed": 0}
        self._record = client.register_script(_RECORD)
        self._group_commits()

    def retry_deferred(self) -> int:
        """Put the readers earlier runs left deferred back to pending (this run tries them again); how many."""
        script = self.client.register_script(_RETRY_DEFERRED)
        moved = 0
        with _redis_errors(self.path):
            for position, value in self.client.hscan_iter(self.key + ":state", count=1000):
                if json.loads(value)[1] == "deferred":
                    moved += int(script(keys=[self.key + ":state", self.key + ":counts"], args=[position]))
        return moved

    @property
    def started(self) -> float:
        with _redis_errors(self.path):
            value = self.client.hget(self.key + ":meta", "started")
        return float(value) if value is not None else time.time()

    def states(self, first: int, last: int) -> dict[int, tuple[str, str]]:
        positions = list(range(first, last + 1))
        with _redis_errors(self.path):
            values = self.client.hmget(self.key + ":state", positions)
        return {p: tuple(json.loads(v)[:2]) for p, v in zip(positions, values, strict=True)
                if v is not None}

    def begin(self, rows: Iterable[tuple[int, str]]) -> None:
        with _redis_errors(self.path), self.client.pipeline(transaction=False) as pipe:
            for position, email in rows:
                pipe.hsetnx(self.key + ":state", str(position), json.dumps([email, "pending", None, ""]))
            pipe.execute()

    def _write(self, rows: list[Outcome]) -> None:
        # one round trip for every outcome posted since the last (see Journal.wait); each script is atomic:
        # a state and the per-state counts move together
        with _redis_errors(self.path), self.client.pipeline(transaction=False) as pipe:
            for row in rows:
                self._record(keys=[self.key + ":state", self.key + ":counts"],
                             args=[str(row.position), json.dumps([row.email, row.state, row.code, row.reply]),
                                   row.state], client=pipe)
            pipe.execute()

    def counts(self) -> dict[str, int]:
        with _redis_errors(self.path):
            raw = self.client.hgetall(self.key + ":counts")
        counts = {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}
        return {state: counts.get(state, 0) for state in STATES}

    def problems(self, limit: int = 10) -> list[tuple[int, str, str, str]]:
        found = []
        with _redis_errors(self.path):
            for position, value in self.client.hscan_iter(self.key + ":state", count=1000):
                email, state, _, reply = json.loads(value)
                if state in ("failed", "deferred"):
                    found.append((int(position), email, state, reply))
        return sorted(found)[:limit]

    def refused(self) -> list[str]:
        """Why workers refused this campaign's tasks (the newest first), for :func:`follow`."""
        with _redis_errors(self.path):
            values = self.client.lrange(self.key + ":refused", 0, 9)
        return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values]

    def close(self) -> None:
        pass


@contextlib.contextmanager
def _batch_lock(client: redis.Redis, name: str) -> Iterator[None]:
    """Hold ``name`` while a batch runs, renewed by a thread: a second copy of the task waits for it."""
    # thread_local=False: the renewing thread must see the token the acquiring thread got
    lock = client.lock(name, timeout=LOCK_SECONDS, sleep=0.2, thread_local=False)
    lock.acquire(blocking=True)
    done = threading.Event()

    def renew() -> None:
        while not done.wait(LOCK_SECONDS / 5):
            with contextlib.suppress(redis.RedisError):
                lock.extend(LOCK_SECONDS, replace_ttl=True)

    renewer = threading.Thread(target=renew, name="mailkit-batch-lock", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()
        with contextlib.suppress(redis.RedisError):
            lock.release()


def _people(first_position: int, recipients: list[Any]) -> list[Recipient | Unusable]:
    """A task's recipients: one that does not validate (a line break in an address, a field of the wrong
    type) is recorded as failed naming its position and field, not sent, and the others go on."""
    people: list[Recipient | Unusable] = []
    for offset, fields in enumerate(recipients):
        where = f"recipients[{first_position + offset}]"
        if not isinstance(fields, dict):
            people.append(Unusable("", f"{where}: not an object"))
            continue
        email = str(fields.get("email", ""))
        if "reason" in fields:
            people.append(Unusable(email, f"{where}: {fields['reason']}"))
            continue
        try:
            people.append(Recipient.model_validate(fields))
        except InvalidFixtureError as err:
            field, message = err.errors[0]
            people.append(Unusable(email, f"{where}.{field}: {message}" if field else f"{where}: {message}"))
    return people


@app.task(name="mailkit.deliver_batch", acks_late=True, reject_on_worker_lost=True)
def deliver_batch(prepared_key: str, campaign: str, first_position: int, recipients: list[dict[str, Any]],
                  transport: dict[str, Any], options: dict[str, Any]) -> dict[str, int]:
    """Deliver one batch (recipients numbered from ``first_position``); what it did, by state."""
    client = _client()
    if not isinstance(campaign, str) or not _HEX64.fullmatch(campaign):
        raise SendError(f"task: campaign {str(campaign)[:100]!r} is not a SHA-256 in hex")
    try:
        with _redis_errors(f"redis mailkit:campaign:{campaign}"):
            prepared = _load_prepared(client, prepared_key, secret())
            sender = Sender.model_validate(options["sender"]) if options.get("sender") else None
            if campaign_id(BulkMessages(prepared, sender=sender)) != campaign:
                raise SendError(f"task: campaign {campaign[:12]} is not the hash of the email {prepared_key} names: "
                                "refused (a task may only write its own email's record)")
    except SendError as err:
        with contextlib.suppress(redis.RedisError):  # for follow() to report, not wait for ever
            client.lpush(f"mailkit:campaign:{campaign}:refused", str(err))
            client.ltrim(f"mailkit:campaign:{campaign}:refused", 0, 99)
        raise
    people = _people(first_position, recipients)
    smtp = SMTPTransport(**transport, user=os.environ.get("MAILKIT_SMTP_USER"),
                         password=os.environ.get("MAILKIT_SMTP_PASSWORD"))
    journal = RedisJournal(client, campaign)
    with _redis_errors(journal.path), _batch_lock(client, f"{journal.key}:lock:{first_position}"):
        report = deliver(prepared, people, smtp, journal=journal, sender=sender, first_position=first_position,
                         retry=RetryPolicy(**options.get("retry", {})), rate=options.get("rate"))
    return {"sent": report.sent, "deferred": report.deferred, "failed": report.failed, "skipped": report.skipped}


def _queue(journal: RedisJournal, connection: Any, *args: Any) -> None:
    try:
        # on the connection to this broker: the app's own pool keeps the broker it first connected to,
        # so a second enqueue() to another URL queued its batches on the first
        deliver_batch.apply_async(args, connection=connection)
    except (OperationalError, redis.RedisError) as err:  # kombu's, when Redis went away while queueing
        raise SendError(f"{journal.path}: queueing a batch failed ({err}): the batches queued so far stay; "
                        "running the same command again resumes") from err


def enqueue(prepared: PreparedEmail, recipients: Iterable[Recipient | Unusable], transport: SMTPTransport, *,
            broker: str, sender: Sender | None = None, retry: RetryPolicy | None = None,
            rate_per_worker: float | None = None, batch: int = BATCH,
            key: str | bytes | None = None) -> tuple[RedisJournal, int]:
    """Store the email, record the campaign's start, and queue the recipients in batches.

    Returns the campaign's journal and how many recipients were queued. Running it
    again for the same email and list is a resume: what the journal has as
    sent or failed is skipped by the workers (with the same ``batch``: a batch's copies
    are serialised by its first position). ``key`` signs the stored email (:func:`secret`).
    """
    signing = secret(key)
    client = _client(broker)
    app.conf.broker_url = broker
    campaign = campaign_id(BulkMessages(prepared, sender=sender))
    journal = RedisJournal(client, campaign, broker)
    with _redis_errors(journal.path):
        client.hsetnx(journal.key + ":meta", "started", repr(float(int(time.time()))))
        client.delete(journal.key + ":refused")
        stored = store_prepared(client, prepared, signing)
    journal.retry_deferred()
    counts = journal.counts()
    journal.done_before = {"sent": counts["sent"], "failed": counts["failed"]}
    config = {"host": transport.host, "port": transport.port, "connections": transport.connections,
              "starttls": transport.starttls, "use_ssl": transport.use_ssl,
              "insecure_loopback_login": transport.insecure_loopback_login, "timeout": transport.timeout,
              "rate_per_connection": transport.rate_per_connection}
    retry = retry or RetryPolicy()
    options = {"sender": sender.model_dump(mode="json") if sender else None, "rate": rate_per_worker,
               "retry": {"attempts": retry.attempts, "first_delay": retry.first_delay, "max_delay": retry.max_delay}}
    queued = 0
    chunk: list[dict[str, Any]] = []
    with app.connection_for_write(broker) as connection:
        for recipient in recipients:
            chunk.append(recipient.model_dump(mode="json", exclude_none=True) if isinstance(recipient, Recipient)
                         else {"email": recipient.email, "reason": recipient.reason})
            if len(chunk) == batch:
                _queue(journal, connection, stored, campaign, queued, chunk, config, options)
                queued += len(chunk)
                chunk = []
        if chunk:
            _queue(journal, connection, stored, campaign, queued, chunk, config, options)
            queued += len(chunk)
    return journal, queued


def workers_answer(broker: str | None = None, timeout: float = 1.0) -> bool:
    """Whether any Celery worker on ``broker`` answers a ping within ``timeout`` seconds."""
    try:
        with app.connection_for_write(broker or app.conf.broker_url) as connection:
            return bool(app.control.ping(timeout=timeout, connection=connection))
    except (OperationalError, redis.RedisError, OSError) as err:
        raise SendError(f"{broker}: asking the workers failed ({err})") from err


def follow(journal: RedisJournal, total: int, *, on_progress: Callable[[Progress], None] | None = None,
           interval: float = 0.5, timeout: float | None = None, stall: float | None = None) -> Progress:
    """Wait until every queued recipient is settled (sent, failed or deferred); this run's counts.

    ``sent`` and ``failed`` count this run's outcomes; ``skipped`` what earlier runs had
    settled for good (see :attr:`RedisJournal.done_before`). ``stall``: when nothing is
    recorded for that many seconds and no worker answers a ping, a :class:`~mailkit.SendError`
    says so, instead of waiting for workers that do not run (the batches stay queued).
    """
    progress = Progress(total=total)
    deadline = None if timeout is None else time.monotonic() + timeout
    before = journal.done_before
    last_done, last_change = -1, time.monotonic()
    while True:
        counts = journal.counts()
        progress.sent = counts["sent"] - before["sent"]
        progress.failed = counts["failed"] - before["failed"]
        progress.deferred = counts["deferred"]
        progress.skipped = before["sent"] + before["failed"]
        if on_progress is not None:
            on_progress(progress)
        if progress.done >= total:
            return progress
        refused = journal.refused()
        if refused:
            raise SendError(f"{journal.path}: a worker refused a batch: {refused[0]}")
        now = time.monotonic()
        if deadline is not None and now > deadline:
            raise SendError(f"{journal.path}: {total - progress.done} recipients not settled within {timeout:g} s")
        if progress.done != last_done:
            last_done, last_change = progress.done, now
        elif stall is not None and now - last_change > stall:
            if not workers_answer(journal.broker):
                raise SendError(f"{journal.broker or app.conf.broker_url}: nothing recorded for {stall:g} s and no "
                                "Celery worker answered a ping: start workers (MAILKIT_CELERY_BROKER=... celery -A "
                                "mailkit.celery worker); the batches stay queued, and the same command again "
                                "follows them")
            last_change = now
        time.sleep(interval)

