"""The delivery journal: each recipient's state in an SQLite file, so a run can resume.

One row per recipient, keyed by its position in the recipients list::

    pending   handed to the run, not yet accepted or refused (in flight at a crash)
    sent      the server accepted it (2xx); never sent again by a resumed run
    deferred  a temporary failure (4xx, dropped connection, timeout) after every attempt
    failed    a permanent failure (5xx) or an unusable recipient; never retried

Each outcome is committed before its connection starts the next message, in
WAL mode with ``synchronous=NORMAL``: a killed process (SIGKILL, Ctrl-C)
loses no committed row; a machine that loses power may lose the last
transactions the operating system had not yet written.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import SendError

try:
    import fcntl
except ImportError:  # Windows: no lock between runs
    fcntl = None  # type: ignore[assignment]

__all__ = ["DONE", "STATES", "Journal"]

STATES = ("pending", "sent", "deferred", "failed")
DONE = frozenset({"sent", "failed"})  # what a resumed run does not attempt again

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
        try:
            self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
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

    def record(self, position: int, email: str, state: str, code: int | None, reply: str, attempts: int) -> None:
        """Commit one recipient's outcome (before its connection sends anything else)."""
        with self._lock, self._errors():
            self.db.execute("INSERT INTO recipients (position, email, state, code, reply, attempts, updated) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(position) DO UPDATE SET state = excluded.state, "
                            "code = excluded.code, reply = excluded.reply, "
                            "attempts = recipients.attempts + excluded.attempts, updated = excluded.updated",
                            (position, email, state, code, reply, attempts, time.time()))

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
