"""Delivery: one prepared email to many recipients, through a pool of connections, resumably.

    >>> prepared = mailkit.prepare("breaking", edition)                       # doctest: +SKIP
    >>> transport = mailkit.SMTPTransport(host="127.0.0.1", port=2525, connections=8)
    >>> report = mailkit.deliver(prepared, read_recipients("readers.csv"), transport,
    ...                          journal="alert.journal", rate=2000)        # doctest: +SKIP

Recipients stream in: a bounded window of them is in memory at any time,
whatever their number. Each connection runs in its own thread and takes the
next recipient; a temporary failure (4xx, a dropped connection, a timeout) is
tried again after an exponential backoff with jitter, up to
``RetryPolicy.attempts`` times; a permanent one (5xx) is never retried. Each
outcome, with the server's reply, is committed to the journal before that
connection sends its next message's content (commits are grouped across
connections: see :mod:`mailkit._journal`; an SMTP connection waits for the
commit after the next envelope's replies, so more outcomes share it).

Every message of a campaign carries the same Date (when the campaign first
started) and a Message-ID made from the campaign and the recipient's
position, so a message sent again after a crash is byte for byte the first.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import heapq
import itertools
import random
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from ._dkim import DkimSigner
from ._errors import InvalidFixtureError, MailkitError, SendError
from ._journal import DONE, Journal
from ._models import Recipient, Sender
from ._personalize import BulkMessages, PreparedEmail
from ._reader import JsonRefused, check_data, load_json, other_encoding
from ._smtp import Connection, ConnectionLost, Envelope, RateLimit, Reply, Transport

__all__ = ["DeliveryReport", "Progress", "RetryPolicy", "Unusable", "campaign_id", "count_recipients", "deliver",
           "read_recipients"]

_WINDOW = 512  # recipients read, checked against the journal and recorded pending at a time
_PROBLEMS = 10  # recipients not accepted that the report lists
_PROBE = Recipient(email="probe@example.com", first_name="Probe")


class Unusable(NamedTuple):
    """A recipient that could not be read (bad address, bad URL): recorded as failed, with why."""

    email: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """Temporary failures: ``attempts`` tries in all, the n-th retry after about
    ``first_delay * 2**(n-1)`` seconds (at most ``max_delay``), with jitter: a random
    wait between half the delay and all of it, so deferred readers do not come back at once."""

    attempts: int = 5
    first_delay: float = 2.0
    max_delay: float = 300.0

    def delay(self, attempt: int) -> float:
        full = min(self.max_delay, self.first_delay * 2 ** (attempt - 1))
        return random.uniform(full / 2, full)


@dataclass
class Progress:
    """Counts so far (this run), for a progress bar: ``total`` is None when unknown."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0
    skipped: int = 0
    retrying: int = 0
    total: int | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> int:
        return self.sent + self.deferred + self.failed + self.skipped

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        """Messages settled a second (accepted, deferred or failed) in this run."""
        return (self.sent + self.deferred + self.failed) / max(self.elapsed, 1e-9)

    @property
    def time_left(self) -> float | None:
        if self.total is None or self.rate <= 0:
            return None
        return max(self.total - self.done, 0) / self.rate


@dataclass
class DeliveryReport:
    """The outcome of a run. ``ok`` when every recipient was accepted (now or by an earlier run)."""

    sent: int
    deferred: int
    failed: int
    skipped: int
    seconds: float
    interrupted: bool = False
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)
    failed_before: int = 0  # of ``skipped``: readers an earlier run recorded failed (a 550), not sent again

    @property
    def ok(self) -> bool:
        # a resumed run skips what an earlier one failed, but that reader was never accepted either
        return not self.interrupted and self.deferred == 0 and self.failed == 0 and self.failed_before == 0


def campaign_id(bulk: BulkMessages) -> str:
    """A hash of what is sent (the message for a fixed probe recipient): names a journal's campaign."""
    probe = bulk.message(_PROBE, date=datetime(2000, 1, 1, tzinfo=UTC), message_id="<probe@example.com>")
    return hashlib.sha256(probe).hexdigest()


class _Item(NamedTuple):
    position: int
    recipient: Recipient | Unusable
    attempt: int  # attempts made so far


class _Work:
    """The queue the connection threads share: fresh recipients, and retries when they fall due."""

    def __init__(self, limit: int) -> None:
        self.cond = threading.Condition()
        self.fresh: deque[_Item] = deque()
        self.retries: list[tuple[float, int, _Item]] = []
        self.order = itertools.count()
        self.limit = limit
        self.outstanding = 0  # taken in and not settled (fresh, retrying or in flight)
        self.exhausted = False
        self.stopped = False

    def put(self, item: _Item) -> None:
        with self.cond:
            if self.outstanding >= self.limit:
                # full: wait until half of it has settled, not for each settle (a thread switch a message)
                while self.outstanding > self.limit // 2 and not self.stopped:
                    self.cond.wait(0.2)
            self.fresh.append(item)
            self.outstanding += 1
            self.cond.notify()

    def take(self) -> _Item | None:
        with self.cond:
            while not self.stopped:
                now = time.monotonic()
                if self.retries and self.retries[0][0] <= now:
                    return heapq.heappop(self.retries)[2]
                if self.fresh:
                    return self.fresh.popleft()
                if self.exhausted and self.outstanding == 0:
                    return None
                self.cond.wait(min(0.5, self.retries[0][0] - now) if self.retries else 0.5)
            return None

    def retry(self, item: _Item, due: float) -> None:
        with self.cond:
            heapq.heappush(self.retries, (due, next(self.order), item))
            self.cond.notify()

    def settle(self) -> None:
        with self.cond:
            self.outstanding -= 1
            # only what someone waits for: room for the feeder (see put), or the end of the work
            if self.outstanding == self.limit // 2 or (self.exhausted and self.outstanding == 0):
                self.cond.notify_all()

    def finish(self) -> None:
        with self.cond:
            self.exhausted = True
            self.cond.notify_all()

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify_all()


class _Run:
    def __init__(self, bulk: BulkMessages, transport: Transport, journal: Journal | None, campaign: str,
                 date: datetime, rate: float | None, retry: RetryPolicy, progress: Progress,
                 dkim: DkimSigner | None) -> None:
        self.bulk = bulk
        self.dkim = dkim
        self.transport = transport
        self.journal = journal
        self.campaign = campaign
        self.date = date
        self.envelope_from = bulk.sender.address
        self.overall = RateLimit(rate) if rate else None
        self.retry_policy = retry
        self.progress = progress
        self.work = _Work(limit=max(4 * transport.connections, _WINDOW))
        self.lock = threading.Lock()
        self.fatal: MailkitError | None = None
        # connections lost in a row, no reply from the server in between: past attempts x connections the
        # server is not answering at all, and every reader would cost attempts x timeout (weeks for a long
        # list). Then the readers left are deferred untried (--resume tries them again), in bounded time.
        self.lost_in_a_row = 0
        self.lost_limit = retry.attempts * transport.connections
        self.not_answering: str | None = None
        self.problems: list[tuple[int, str, str, str]] = []  # the first few, for a run without a journal
        self.failed_before = 0  # readers an earlier run recorded failed: skipped, but never accepted
        # set when the last connection thread has ended (its message settled, its session closed). Not
        # Thread.join: on CPython 3.11 a join interrupted by Ctrl-C marks a thread still running as stopped
        # (bpo-45274's fix releases the lock the running thread holds, CPython gh-90882), so the run went on
        # to close the journal while a connection still had a message in flight: the server accepted it,
        # the journal never knew, and --resume sent it again
        self.running = transport.connections
        self.ended = threading.Event()

    def message_id(self, position: int) -> str:
        return f"<{self.campaign[:24]}.{position}@{self.bulk.domain}>"

    def settle(self, item: _Item, state: str, reply: Reply | None, why: str = "") -> int:
        """Count the outcome and post it to the journal: the ticket to wait for before the next send."""
        email = item.recipient.email
        text = str(reply) if reply is not None else why
        ticket = 0
        if self.journal is not None:
            ticket = self.journal.post(item.position, email, state, reply.code if reply else None, text,
                                       item.attempt)
        with self.lock:
            setattr(self.progress, state, getattr(self.progress, state) + 1)
            if state in ("failed", "deferred") and len(self.problems) < _PROBLEMS:
                self.problems.append((item.position, email, state, text))
        self.work.settle()
        return ticket

    def temporary(self, item: _Item, why: str) -> int:
        if item.attempt >= self.retry_policy.attempts:
            return self.settle(item, "deferred", None, why)
        with self.lock:
            self.progress.retrying += 1
        self.work.retry(item, time.monotonic() + self.retry_policy.delay(item.attempt))
        return 0

    def connection_thread(self) -> None:
        connection: Connection | None = None
        pace = RateLimit(self.transport.rate_per_connection) if self.transport.rate_per_connection else None
        failures = 0
        ticket = 0  # the journal's ticket for this connection's last outcome: committed before the next send
        try:
            while (item := self.work.take()) is not None:
                if item.attempt > 0:
                    with self.lock:
                        self.progress.retrying -= 1
                item = item._replace(attempt=item.attempt + 1)
                recipient = item.recipient
                if isinstance(recipient, Unusable):
                    ticket = self.settle(item, "failed", None, recipient.reason) or ticket
                    continue
                if self.not_answering is not None:
                    ticket = self.settle(item, "deferred", None, self.not_answering) or ticket
                    continue
                try:
                    raw = self.bulk.message(recipient, date=self.date, message_id=self.message_id(item.position))
                    if self.dkim is not None:
                        raw = self.dkim.sign(raw)
                except MailkitError as err:
                    ticket = self.settle(item, "failed", None, f"{type(err).__name__}: {err}") or ticket
                    continue
                # the last outcome is on disk before the next message's content is handed over: at a crash,
                # each connection has at most one message the server may have accepted and the journal lacks
                committed = partial(self.journal.wait, ticket) if ticket and self.journal is not None else None
                try:
                    if connection is None:
                        if failures:
                            time.sleep(self.retry_policy.delay(failures))  # the server is down: do not hammer it
                        connection = self.transport.connect()
                    if pace is not None:
                        pace.acquire()
                    if self.overall is not None:
                        self.overall.acquire()
                    envelope = Envelope(item.position, self.envelope_from, recipient.email)
                    if committed is not None and getattr(connection, "waits_before_content", False):
                        # SMTP waits once the envelope is out: the commit overlaps the server's round trip,
                        # so more connections' outcomes share one (fewer commits, less CPU a message)
                        reply = connection.send(envelope, raw, before_content=committed)  # type: ignore[call-arg]
                    else:
                        if committed is not None:
                            committed()
                        reply = connection.send(envelope, raw)
                except ConnectionLost as err:
                    failures += 1
                    if connection is not None:
                        connection.close()
                        connection = None
                    ticket = self.temporary(item, f"temporary: {err}") or ticket
                    with self.lock:
                        self.lost_in_a_row += 1
                        if self.lost_in_a_row > self.lost_limit and self.not_answering is None:
                            self.not_answering = (f"not tried: {self.lost_in_a_row} connections in a row were "
                                                  f"lost, none answered (the last: {err})")
                    continue
                failures = 0
                with self.lock:
                    self.lost_in_a_row = 0
                if reply.accepted:
                    ticket = self.settle(item, "sent", reply)
                elif reply.permanent:
                    ticket = self.settle(item, "failed", reply)
                else:
                    ticket = self.temporary(item, str(reply)) or ticket
            if ticket and self.journal is not None:
                self.journal.wait(ticket)
        except MailkitError as err:  # a refused login, an unwritable dry-run file: the whole run stops
            self.fatal = self.fatal or err
            self.work.stop()
        except Exception as err:  # noqa: BLE001 - a transport's or the journal's bug: stop the run, never hang it
            # the item this thread held would never settle, and the other threads would wait for it forever
            self.fatal = self.fatal or SendError(f"delivery stopped: {type(err).__name__}: {err}")
            self.fatal.__cause__ = err
            self.work.stop()
        finally:
            try:
                if connection is not None:
                    connection.close()
            finally:
                with self.lock:
                    self.running -= 1
                    if self.running == 0:
                        self.ended.set()

    def feed(self, recipients: Iterable[Recipient | Unusable], first_position: int) -> None:
        numbered = enumerate(recipients, first_position)
        while not self.work.stopped:
            window = list(itertools.islice(numbered, _WINDOW))
            if not window:
                break
            known = self.journal.states(window[0][0], window[-1][0]) if self.journal is not None else {}
            new = []
            for position, recipient in window:
                email = recipient.email
                if position in known:
                    recorded, state = known[position]
                    if recorded != email:
                        raise SendError(f"recipients[{position}]: {email!r}, but the journal has {recorded!r} "
                                        "there: resume with the same recipients list, in the same order")
                    if state in DONE:
                        with self.lock:
                            self.progress.skipped += 1
                            self.failed_before += state == "failed"
                        continue
                else:
                    new.append((position, email))
            if self.journal is not None and new:
                self.journal.begin(new)
            for position, recipient in window:
                if position not in known or known[position][1] not in DONE:
                    self.work.put(_Item(position, recipient, 0))


def deliver(prepared: PreparedEmail, recipients: Iterable[Recipient | Unusable], transport: Transport, *,
            journal: Journal | str | Path | None = None, resume: bool = False, rate: float | None = None,
            retry: RetryPolicy | None = None, sender: Sender | None = None, message_id_domain: str | None = None,
            dkim: DkimSigner | None = None, first_position: int = 0, total: int | None = None, on_progress: Callable[[Progress], None] | None = None,
            progress_interval: float = 0.5) -> DeliveryReport:
    """Send ``prepared`` to every recipient through ``transport``'s pool of connections.

    ``journal`` (an SQLite file) records each recipient's state; ``resume``
    continues the run it records, sending nothing it knows was accepted.
    ``rate`` caps messages a second overall (the transport may cap each
    connection too). ``on_progress`` is called every ``progress_interval``
    seconds from this thread; ``dkim`` signs each message. ``first_position``
    numbers the recipients from there (a batch of a larger list, as on Celery). Ctrl-C stops the run cleanly: messages in
    flight finish and are recorded, and the report says ``interrupted``.
    """
    bulk = BulkMessages(prepared, sender=sender, message_id_domain=message_id_domain)
    campaign = campaign_id(bulk)
    if dkim is not None:  # a bad key fails here, once, not for every reader
        dkim.sign(bulk.message(_PROBE))
    if isinstance(journal, str | Path):
        journal = Journal(journal, campaign, resume=resume)
    started = journal.started if journal is not None else time.time()
    progress = Progress(total=total)
    run = _Run(bulk, transport, journal, campaign, datetime.fromtimestamp(int(started), UTC), rate,
               retry or RetryPolicy(), progress, dkim)
    threads = [threading.Thread(target=run.connection_thread, name=f"mailkit-deliver-{n}", daemon=True)
               for n in range(transport.connections)]
    for thread in threads:
        thread.start()
    interrupted = False
    feeder_error: BaseException | None = None

    def feed() -> None:
        nonlocal feeder_error
        try:
            run.feed(recipients, first_position)
        except BaseException as err:  # noqa: BLE001 - handed to the calling thread and re-raised there
            feeder_error = err
            run.work.stop()
        finally:
            run.work.finish()

    feeder = threading.Thread(target=feed, name="mailkit-deliver-feed", daemon=True)
    feeder.start()
    with _stop_on_sigterm():
        try:
            while not run.ended.wait(progress_interval):
                if on_progress is not None:
                    on_progress(progress)
        except KeyboardInterrupt:
            interrupted = True
            run.work.stop()
            run.ended.wait()  # each connection finishes and records the message it holds
    run.work.stop()
    feeder.join(5)
    if on_progress is not None:
        on_progress(progress)
    problems = sorted(run.problems)
    if journal is not None:
        try:
            problems = journal.problems(_PROBLEMS)
        except SendError as err:  # the journal failed under the run: say so, after what stopped it
            run.fatal = run.fatal or err
        finally:
            journal.close()  # and let another run take it
    if feeder_error is not None:
        if isinstance(feeder_error, MailkitError):
            raise feeder_error
        raise SendError(f"reading the recipients failed: {feeder_error}") from feeder_error
    if run.fatal is not None:
        raise run.fatal
    return DeliveryReport(sent=progress.sent, deferred=progress.deferred, failed=progress.failed,
                          skipped=progress.skipped, seconds=progress.elapsed,
                          interrupted=interrupted, failed_before=run.failed_before,
                          problems=problems)


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """SIGTERM stops the run as Ctrl-C does (messages in flight finish and are recorded), not at once.

    It is how systemd, Docker, Kubernetes and `kill` ask a service to stop; by default it ended the
    process mid-message, as kill -9 does, leaving up to one reader per connection that --resume sent
    again. Only in the main thread, and only over the default action: a program (a Celery worker) that
    handles SIGTERM itself keeps its handler. A second SIGTERM ends the process at once.
    """
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


# -- recipients files -----------------------------------------------------------------------

_COLUMNS = {"email", "first_name", "unsubscribe_url", "preferences_url", "link_params"}
# characters in one line of a recipients file: far more than a reader needs (CSV's own field limit is 128 KiB),
# and what bounds memory for a line, as the window does for lines (a 300 MB line took 6.5 GB read whole)
_LINE_LIMIT = 1 << 20


def _lines(handle: Any, path: Path) -> Iterator[str]:
    """The file's lines (``\n``, ``\r\n`` or ``\r``), none read past ``_LINE_LIMIT`` characters."""
    number = 0
    while line := handle.readline(_LINE_LIMIT + 1):
        number += 1
        if len(line) > _LINE_LIMIT and not line.endswith(("\n", "\r")):
            why = f"longer than {_LINE_LIMIT:,} characters (no reader needs that many)"
            raise InvalidFixtureError(str(path), [(f"line {number}", why)])
        yield line


def _recipient(source: str, line: int, fields: dict[str, Any]) -> Recipient | Unusable:
    if isinstance(fields.get("link_params"), str):
        fields["link_params"] = dict(parse_qsl(fields["link_params"], keep_blank_values=True))
    fields = {k: v for k, v in fields.items() if v not in ("", None) or k == "email"}
    try:
        return Recipient(**fields)
    except InvalidFixtureError as err:  # the models' error, naming each field
        where, message = err.errors[0]
        return Unusable(str(fields.get("email", "")), f"{source} line {line}: {where}: {message}")


def _json_line(line: str, path: Path, number: int) -> Any:
    """One line of a JSON Lines recipients file; anything json refuses, or would take
    silently (a key given twice), is an InvalidFixtureError naming the file and line."""
    try:
        data = load_json(line)
    except JsonRefused as err:  # a line of 100,000 "[" is a few hundred KB
        raise InvalidFixtureError(str(path), [(f"line {number}", f"not JSON: {err}")]) from err
    # as for a fixture or a feed: NaN, a 5,000-digit integer, a lone surrogate refused naming the field
    check_data(data, f"{path}: line {number}")
    return data


def read_recipients(path: str | Path) -> Iterator[Recipient | Unusable]:
    """Recipients from a CSV file (a header row naming the columns) or a JSON Lines file (``.jsonl``).

    Columns / keys: ``email`` (required), ``first_name``, ``unsubscribe_url``,
    ``preferences_url``, ``link_params`` (in CSV a query string, ``rid=42&src=alert``).
    Read lazily, a line at a time. A line whose values do not validate becomes an
    :class:`Unusable` (recorded as failed, with the file, line and field); a
    file that cannot be read at all is an :class:`~mailkit.InvalidFixtureError`.
    """
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")  # a spreadsheet's CSV starts with a BOM
    except OSError as err:
        raise InvalidFixtureError(str(path), [("", err.strerror or str(err))]) from err
    reader: Any = None
    with handle:
        try:
            if path.suffix in (".jsonl", ".ndjson"):
                for number, line in enumerate(_lines(handle, path), 1):
                    if not line.strip():
                        continue
                    fields = _json_line(line, path, number)
                    if not isinstance(fields, dict):
                        raise InvalidFixtureError(str(path), [(f"line {number}", "not a JSON object")])
                    unknown = set(fields) - _COLUMNS
                    if unknown:
                        raise InvalidFixtureError(str(path), [(f"line {number}", f"unknown keys {sorted(unknown)}")])
                    yield _recipient(path.name, number, fields)
                return
            # strict: an unclosed quote at the end of the file is an error, not the rest of the file in one field
            reader = csv.DictReader(_lines(handle, path), strict=True)
            if reader.fieldnames is None:  # not a line, not even a byte order mark's worth
                why = "the file is empty: a CSV of readers starts with a header row naming an 'email' column"
                raise InvalidFixtureError(str(path), [("", why)])
            columns = set(reader.fieldnames or ())
            twice = sorted({c for c in reader.fieldnames or () if list(reader.fieldnames or ()).count(c) > 1})
            if twice:  # DictReader keeps the last column of a name: which address would be the reader's?
                raise InvalidFixtureError(str(path), [("line 1", f"the header names {twice[0]!r:.60} twice")])
            if "email" not in columns or columns - _COLUMNS:
                raise InvalidFixtureError(str(path), [("line 1", (f"the header must name an 'email' column and only "
                                                                 f"{sorted(_COLUMNS)}; it names {sorted(columns)}"))])
            for row in reader:
                spanning = [k for k, v in row.items() if isinstance(v, str) and ("\n" in v or "\r" in v)]
                if None in row:  # more values than the header names columns (DictReader's restkey)
                    yield Unusable(str(row.get("email") or ""), f"{path.name} line {reader.line_num}: "
                                   f"{len(reader.fieldnames or ()) + len(row[None])} values, but the header "
                                   f"names {len(reader.fieldnames or ())} columns")
                    continue
                recipient = _recipient(path.name, reader.line_num, dict(row))
                if spanning and isinstance(recipient, Recipient):
                    # no column holds a line break: a quoted one, or an unclosed quote taking the lines after it
                    spans = sum(str(row[k]).count("\n") for k in spanning)
                    recipient = Unusable(recipient.email, f"{path.name} lines {reader.line_num - spans}-"
                                         f"{reader.line_num}: {spanning[0]}: a value spans lines (a line break "
                                         "inside quotes, or an unclosed quote)")
                yield recipient
        except UnicodeDecodeError as err:
            # err.start counts from the decoder's chunk (8 KiB), not from the file: find the line again
            raise InvalidFixtureError(str(path), [_undecodable(path)]) from err
        except csv.Error as err:
            where = f"line {reader.reader.line_num}" if reader is not None else ""  # DictReader's own lags
            raise InvalidFixtureError(str(path), [(where, f"CSV: {err}")]) from err


def _undecodable(path: Path) -> tuple[str, str]:
    """Where a file stops being UTF-8: ``("line N, column C", why)``, the column in bytes."""
    with path.open("rb") as handle:
        encoding = other_encoding(handle.read(64))
        handle.seek(0)
        hint = f" (it is {encoding}: save it as \"CSV UTF-8\")" if encoding else ""
        for number, line in enumerate(handle, 1):
            try:
                line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as err:
                skipped = 3 if number == 1 and line.startswith(b"\xef\xbb\xbf") else 0
                return f"line {number}, column {err.start + skipped + 1}", f"not UTF-8{hint}"
    return "", "not UTF-8"


def count_recipients(path: str | Path) -> int:
    """How many recipients a file holds (lines, less a CSV header), for the progress bar's time left."""
    # lines end in LF, CRLF or a bare CR (the csv module reads all three), and the last may end in none
    ends = pairs = 0
    last = b""
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            ends += chunk.count(b"\n") + chunk.count(b"\r")
            pairs += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")  # a CRLF across two chunks
            last = chunk[-1:]
    lines = ends - pairs + (last not in (b"", b"\n", b"\r"))
    return max(lines - (0 if Path(path).suffix in (".jsonl", ".ndjson") else 1), 0)
