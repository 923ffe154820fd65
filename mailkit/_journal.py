"""The delivery journal: each recipient's state in an SQLite file, so a run can resume.

One row per recipient, keyed by its position in the recipients list::

    pending   handed to the run, not yet accepted or refused (in flight at a crash)
    sent      the server accepted it (2xx); never sent again by a resumed run
    deferred  a temporary failure (4xx, dropped connection, timeout) after every attempt
    failed    a permanent failure (5xx) or an unusable recipient; never retried

Each outcome is committed before its connection sends its next message's content, in
WAL mode with ``synchronous=NORMAL``: a killed process (SIGKILL, Ctrl-C)
loses no committed row; a machine that loses power may lose the last
transactions the operating system had not yet written.

Commits are grouped: a connection posts its outcome (:meth:`Journal.post`),
builds its next message, and waits for the commit (:meth:`Journal.wait`)
only before handing that message over. Whichever connection waits first
commits every outcome posted so far in one transaction, and the others find
theirs done, and no message's content is sent before the outcome of the one
before it on its connection is on disk. An SMTP connection waits only once
its next envelope has its replies, just before the content: with the wait
soon after the post, a transaction held 1.1 to 2.5 outcomes on average (8
connections into smtp-sink); waiting there, about 4.7.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from ._errors import SendError

try:
    import fcntl
except ImportError:  # Windows: no lock between runs
    fcntl = None  # type: ignore[assignment]

__all__ = ["DONE", "STATES", "Journal", "Outcome"]

STATES = ("pending", "sent", "deferred", "failed")
DONE = frozenset({"sent", "failed"})  # what a resumed run does not attempt again

class Outcome(NamedTuple):
    """One recipient's outcome, as a journal records it."""

    position: int
    email: str
    state: str
    code: int | None
    reply: str
    attempts: int
    updated: float


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS recipients (
    position INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    state TEXT NOT NULL,
    code INTEGER,
    reply TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL
);
"""


class Journal:
    """An SQLite journal at ``path`` (``":memory:"`` for none on disk), safe to share between threads.

    ``campaign`` identifies what is being sent (a hash of the message): a
    journal of another campaign is refused. Without ``resume`` the journal
    must be new or empty; with it, it must exist.
    """

    def __init__(self, path: str | Path, campaign: str, *, resume: bool = False) -> None:
        self.path = str(path)
        exists = self.path != ":memory:" and Path(self.path).exists() and Path(self.path).stat().st_size > 0
        if resume and not exists:
            raise SendError(f"journal {self.path}: nothing to resume (no such journal)")
        self._held: int | None = None
        self._lock = threading.Lock()
        self._group_commits()
        try:
            self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            if exists:
                self._check_is_journal()
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            self._hold()
            row = self.db.execute("SELECT value FROM meta WHERE key = 'campaign'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO meta VALUES ('campaign', ?), ('started', ?)",
                                (campaign, repr(time.time())))
        except sqlite3.Error as err:
            self.close()
            raise SendError(f"journal {self.path}: {err}") from err
        if row is not None and row[0] != campaign:
            self.close()
            raise SendError(f"journal {self.path} records another email (campaign {row[0][:12]}, "
                            f"this is {campaign[:12]}): name a new journal")
        if row is not None and not resume:
            self.close()
            raise SendError(f"journal {self.path} already records a run of this email: "
                            "pass --resume (resume=True) to continue it, or name a new journal")
        self.campaign = campaign

    def _check_is_journal(self) -> None:
        # before anything is written: `--journal notes.db` (a typo, a tab completion) took another program's
        # database over, adding tables and switching it to WAL; reading sqlite_master writes nothing
        tables = {name for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"meta", "recipients"} <= tables or self.db.execute(
                "SELECT 1 FROM meta WHERE key = 'campaign'").fetchone() is None:
            self.close()
            raise SendError(f"journal {self.path}: an SQLite database, but not a mailkit journal (its tables: "
                            f"{', '.join(sorted(tables)[:10]) or 'none'}): name a new journal")

    def _hold(self) -> None:
        # Two runs on one journal would both send its pending recipients: the second is refused while the
        # first holds this lock. flock, not fcntl: SQLite's own locks are POSIX (fcntl) locks, which
        # closing any other descriptor of the file would drop; this descriptor is closed after the database.
        if self.path == ":memory:" or fcntl is None:
            return
        self._held = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(self._held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            self.close()
            raise SendError(f"journal {self.path} is in use by another run (the lock is held): wait for it to "
                            "end, or name a new journal") from err

    @property
    def started(self) -> float:
        """When the first run of this campaign started (seconds since the epoch)."""
        with self._errors():
            return float(self.db.execute("SELECT value FROM meta WHERE key = 'started'").fetchone()[0])

    def states(self, first: int, last: int) -> dict[int, tuple[str, str]]:
        """``{position: (email, state)}`` for the recorded positions ``first`` to ``last`` inclusive."""
        with self._lock, self._errors():
            rows = self.db.execute("SELECT position, email, state FROM recipients WHERE position BETWEEN ? AND ?",
                                   (first, last)).fetchall()
        return {position: (email, state) for position, email, state in rows}

    def begin(self, rows: Iterable[tuple[int, str]]) -> None:
        """Record ``(position, email)`` rows as pending (those already recorded keep their state)."""
        now = time.time()
        with self._lock, self._errors():
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR IGNORE INTO recipients (position, email, state, updated) "
                                "VALUES (?, ?, 'pending', ?)", ((p, e, now) for p, e in rows))
            self.db.execute("COMMIT")

    def _group_commits(self) -> None:
        self._commits = threading.Condition()
        self._posted: list[Outcome] = []
        self._tickets = 0  # outcomes posted so far
        self._committed = 0  # ... and committed (the first _committed tickets)
        self._committing = False
        self._broken: SendError | None = None

    def record(self, position: int, email: str, state: str, code: int | None, reply: str, attempts: int) -> None:
        """Commit one recipient's outcome (before its connection sends anything else)."""
        self.wait(self.post(position, email, state, code, reply, attempts))

    def post(self, position: int, email: str, state: str, code: int | None, reply: str, attempts: int) -> int:
        """Queue one recipient's outcome for the next commit; the ticket to :meth:`wait` for."""
        with self._commits:
            self._posted.append(Outcome(position, email, state, code, reply, attempts, time.time()))
            self._tickets += 1
            return self._tickets

    def wait(self, ticket: int) -> None:
        """Return once the outcome ``ticket`` (and every one posted before it) is committed.

        The first thread to wait commits everything posted so far in one transaction; the
        others wait for it. A failed commit is a :class:`~mailkit.SendError` for every waiter."""
        with self._commits:
            while self._committed < ticket:
                if self._broken is not None:
                    raise self._broken
                if self._committing:
                    self._commits.wait()
                    continue
                rows, self._posted, upto = self._posted, [], self._tickets
                self._committing = True
                self._commits.release()
                try:
                    self._write(rows)
                except SendError as err:
                    self._broken = err
                finally:
                    self._commits.acquire()
                    self._committing = False
                    self._commits.notify_all()
                if self._broken is None:
                    self._committed = upto

    def _write(self, rows: list[Outcome]) -> None:
        with self._lock, self._errors():
            self.db.execute("BEGIN")
            try:
                self.db.executemany(
                    "INSERT INTO recipients (position, email, state, code, reply, attempts, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(position) DO UPDATE SET state = excluded.state, "
                    "code = excluded.code, reply = excluded.reply, "
                    "attempts = recipients.attempts + excluded.attempts, updated = excluded.updated", rows)
                self.db.execute("COMMIT")
            except sqlite3.Error:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    def counts(self) -> dict[str, int]:
        """How many recipients are in each state."""
        with self._lock, self._errors():
            rows = self.db.execute("SELECT state, count(*) FROM recipients GROUP BY state").fetchall()
        return {state: dict(rows).get(state, 0) for state in STATES}

    def problems(self, limit: int = 10) -> list[tuple[int, str, str, str]]:
        """Up to ``limit`` ``(position, email, state, reply)`` rows that were not accepted, oldest first."""
        with self._lock, self._errors():
            return self.db.execute("SELECT position, email, state, coalesce(reply, '') FROM recipients "
                                   "WHERE state IN ('failed', 'deferred') ORDER BY position LIMIT ?",
                                   (limit,)).fetchall()

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as err:  # a full disk, a file deleted under the run: the run stops, naming it
            raise SendError(f"journal {self.path}: {err}") from err

    def close(self) -> None:
        with self._lock:
            db: sqlite3.Connection | None = getattr(self, "db", None)  # None when connecting failed
            if db is not None:
                db.close()
            if self._held is not None:
                os.close(self._held)  # after the database: see _hold
                self._held = None
