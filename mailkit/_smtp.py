"""Transports for :func:`mailkit.deliver`: a pooled SMTP client, and files for a dry run.

A transport opens connections (:meth:`Transport.connect`); :func:`~mailkit.deliver`
runs one thread per connection and hands each many messages. Every attempt
ends in a :class:`Reply`: 2xx accepted, 4xx try again later, 5xx never retry.
A connection that drops or times out raises :class:`ConnectionLost`, which
counts as a temporary failure of the message it was carrying.

The SMTP connection reuses one session for many messages. When the server
offers PIPELINING (RFC 2920) the ``RSET``, ``MAIL``, ``RCPT`` and ``DATA``
commands go out in one write and their replies are read together, parsed from
what one read returns: one round trip before the body instead of four, and
usually one read. Dot-stuffing is one scan and join: mailkit's messages have
CRLF line ends only (checked when written), so a leading dot can only follow
a CRLF, or start the message.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from ._errors import SendError
from ._send import check_login

__all__ = ["ConnectionLost", "Connection", "DirectoryTransport", "Envelope", "MboxTransport", "RateLimit", "Reply",
           "SMTPTransport", "Transport"]


class Reply(NamedTuple):
    """An SMTP reply: its code and text (for a file transport, 250 and where it went)."""

    code: int
    text: str

    @property
    def accepted(self) -> bool:
        return 200 <= self.code < 300

    @property
    def permanent(self) -> bool:
        return self.code >= 500

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Envelope(NamedTuple):
    """Who a message is from and to, and the recipient's position in the input (for file names)."""

    position: int
    sender: str
    recipient: str


class ConnectionLost(Exception):  # not a MailkitError: never reaches the caller, the message is retried
    """The connection dropped, timed out or said 421: the message in flight counts as not sent."""


class Connection(Protocol):
    def send(self, envelope: Envelope, raw: bytes) -> Reply: ...

    if TYPE_CHECKING:
        def close(self) -> None: ...


class Transport(Protocol):
    """Opens connections; ``connections`` is how many :func:`~mailkit.deliver` keeps open."""

    @property
    def connections(self) -> int: ...

    @property
    def rate_per_connection(self) -> float | None: ...

    def connect(self) -> Connection: ...


class RateLimit:
    """At most ``rate`` acquisitions a second, evenly spaced, across every thread that shares it.

    Each caller books the next free slot under a lock and sleeps until it: n
    acquisitions take at least (n - 1) / rate seconds, whatever the threads do.
    """

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise SendError(f"rate {rate!r}: must be more than 0 messages a second")
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(self._next, now)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


_LEADING_DOT = re.compile(rb"\r\n\.")


def _stuff(raw: bytes) -> bytes:
    # RFC 5321 4.5.2: a line that starts with "." gets another one (mailkit's messages end their lines in
    # CRLF only). The regex engine skips from CR to CR: on a 34 KB alert 12 us, where bytes.split(b"\r\n.")
    # took 23-35 us however few dots it found (best of 9 on a busy machine) and bytes.replace 41 us
    pieces = [b"."] if raw.startswith(b".") else []
    start = 0
    for dot in _LEADING_DOT.finditer(raw):
        pieces.append(raw[start : dot.end()])  # up to and with the dot, which the next piece repeats
        start = dot.end() - 1
    pieces.append(raw[start:] if start else raw)
    pieces.append(b".\r\n" if raw.endswith(b"\r\n") else b"\r\n.\r\n")
    return b"".join(pieces)


_ENVELOPE_ADDRESS = re.compile(r"[!-;=?-~]{1,512}")  # printable ASCII less space, '<' and '>'
_MAXLINE = 8192  # the longest reply line, as smtplib reads them
_REPLY_LINES = 100  # lines one SMTP reply may have (EHLO's list of extensions is about a dozen)
_RECV = 65536  # bytes one read takes: every reply a pipelined group gets, usually


class _BoundedReplies:
    """smtplib's ``getreply`` with bounds, reading from a buffer of its own.

    A reply of more than ``_REPLY_LINES`` lines, a line of more than ``_MAXLINE``
    octets, or a reply still arriving ``timeout`` seconds after it began drops the
    connection. smtplib reads a reply for as long as the server sends it, each read
    within the socket's timeout: a server that trickles continuation lines, or one
    long line a byte at a time, held a connection thread, and so the whole run, for
    ever. Here a reply's first read waits at most the socket's timeout, and each
    later read of the same reply what is left of it.

    One read takes whatever the socket holds, and the replies are parsed from that
    buffer: the replies to a pipelined group (RFC 2920) usually arrive together, and
    cost one read, not one per line with two timeout changes each (that was most of
    the SMTP client's CPU, and each read is a hand-over of the GIL between threads).
    The buffer belongs to one socket: STARTTLS replaces the socket, and what the
    server sent before the handshake is dropped (as smtplib drops its file), never
    read as if it came over TLS.
    """

    sock: Any
    file: Any
    timeout: float
    _buffer = b""
    _buffered_from: Any = None  # the socket the buffer was read from

    def _fill(self, deadline: float | None) -> None:
        """Read what the socket has into the buffer: within the socket's timeout, or until ``deadline``."""
        sock = self.sock
        if sock is None:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        if sock is not self._buffered_from:
            self._buffer, self._buffered_from = b"", sock
        try:
            if deadline is None:  # the reply's first read: the socket's own timeout bounds it
                data = sock.recv(_RECV)
            else:  # a reply under way: at most what is left of its time
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                sock.settimeout(left)
                try:
                    data = sock.recv(_RECV)
                finally:
                    sock.settimeout(self.timeout)
        except TimeoutError as err:
            self.close()
            raise smtplib.SMTPServerDisconnected(f"no complete reply within {self.timeout:g} s: "
                                                 "the server is not answering") from err
        except OSError as err:
            self.close()
            raise smtplib.SMTPServerDisconnected(f"Connection unexpectedly closed: {err}") from err
        if not data:
            self.close()
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        self._buffer += data

    def getreply(self) -> tuple[int, bytes]:
        lines: list[bytes] = []
        deadline = time.monotonic() + self.timeout
        first = True
        while True:
            if self.sock is not self._buffered_from:
                self._buffer, self._buffered_from = b"", self.sock
            buffer = self._buffer
            end = buffer.find(b"\n", 0, _MAXLINE)
            if end < 0:
                if len(buffer) >= _MAXLINE:
                    self.close()
                    raise smtplib.SMTPResponseException(500, "Line too long.")
                self._fill(None if first else deadline)
                first = False
                continue
            line, self._buffer = buffer[: end + 1], buffer[end + 1 :]
            lines.append(line[4:].strip(b" \t\r\n"))
            try:
                code = int(line[:3])
            except ValueError:
                return -1, b"\n".join(lines)
            if line[3:4] != b"-":
                return code, b"\n".join(lines)
            if len(lines) >= _REPLY_LINES:
                self.close()
                raise smtplib.SMTPServerDisconnected(f"a reply of more than {len(lines)} lines: "
                                                     "the server is not answering")

    if TYPE_CHECKING:
        def close(self) -> None: ...


class _SMTP(_BoundedReplies, smtplib.SMTP):
    pass


class _SMTP_SSL(_BoundedReplies, smtplib.SMTP_SSL):
    pass


@dataclass(frozen=True, kw_only=True)
class SMTPTransport:
    """A pool of ``connections`` SMTP sessions to ``host:port``.

    ``use_ssl`` is implicit TLS (port 465), ``starttls`` upgrades a plain
    session (port 587); a login (``user``, ``password``) is only sent over one
    of them, or to a loopback server with ``insecure_loopback_login`` (the
    same rule as :func:`mailkit._send.send`). ``timeout`` bounds each read and
    write on the socket; ``rate_per_connection`` paces each session.
    """

    host: str
    port: int = 25
    connections: int = 4
    starttls: bool = False
    use_ssl: bool = False
    user: str | None = None
    password: str | None = None
    insecure_loopback_login: bool = False
    timeout: float = 30.0
    rate_per_connection: float | None = None
    local_hostname: str | None = None

    def __post_init__(self) -> None:
        if self.use_ssl and self.starttls:
            raise SendError("implicit TLS (use_ssl) and STARTTLS: choose one")
        if self.connections < 1:
            raise SendError(f"connections {self.connections}: at least 1")
        check_login(self.host, self.port, user=self.user, password=self.password,
                    encrypted=self.use_ssl or self.starttls, insecure_loopback_login=self.insecure_loopback_login)

    def connect(self) -> SMTPConnection:
        """Open, greet (EHLO), upgrade and log in; :class:`ConnectionLost` when the server cannot be reached."""
        return SMTPConnection(self)


class SMTPConnection:
    """One SMTP session, reused for many messages (see :class:`SMTPTransport`)."""

    def __init__(self, transport: SMTPTransport) -> None:
        self.where = f"{transport.host}:{transport.port}"
        # made only for TLS: loading the system's CA certificates takes about 17 ms of CPU, which
        # a plain session paid for nothing (8 connections: 14 us a message over 10,000 messages)
        context = ssl.create_default_context() if transport.use_ssl or transport.starttls else None
        smtp: smtplib.SMTP = (_SMTP_SSL(timeout=transport.timeout, context=context,
                                        local_hostname=transport.local_hostname)
                              if transport.use_ssl else
                              _SMTP(timeout=transport.timeout, local_hostname=transport.local_hostname))
        self.smtp = smtp
        self.used = False
        try:
            code, text = smtp.connect(transport.host, transport.port)
            if code != 220:
                smtp.close()  # not left for the garbage collector (a ResourceWarning, a descriptor held)
                raise ConnectionLost(f"{self.where} greeted with {code} {text.decode(errors='replace')}")
            smtp.ehlo()
            if transport.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if transport.user and transport.password:
                smtp.login(transport.user, transport.password)
        except smtplib.SMTPAuthenticationError as err:
            smtp.close()
            raise SendError(f"SMTP login to {self.where} refused: {err.smtp_code} {err.smtp_error!r}") from err
        except (smtplib.SMTPNotSupportedError, ssl.SSLCertVerificationError) as err:
            # the session cannot be what was asked for, however often it is tried: no STARTTLS (or AUTH) in
            # the server's EHLO, a certificate that does not verify. Every reader was deferred after
            # attempts x connections lost sessions, as if the server were merely busy: the run stops instead
            smtp.close()
            what = ("does not offer STARTTLS" if transport.starttls and not smtp.has_extn("starttls")
                    else "cannot be used as asked")
            raise SendError(f"{self.where} {what}: {err}") from err
        except (OSError, smtplib.SMTPException) as err:
            smtp.close()
            raise ConnectionLost(f"connecting to {self.where}: {err}") from err
        self.pipelining = smtp.has_extn("pipelining")
        self.plain = not isinstance(smtp.sock, ssl.SSLSocket)

    def _write(self, data: bytes) -> None:
        """``data`` to the server: on a plain socket one write(2) first, which hands the GIL over once;
        socket.sendall on a socket with a timeout polls before it writes, a second hand-over each time."""
        sock = self.smtp.sock
        if sock is None:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        if self.plain:
            try:  # a socket with a timeout is non-blocking underneath: write(2) never waits
                sent = os.write(sock.fileno(), data)
            except BlockingIOError:
                sent = 0
            if sent == len(data):
                return
            sock.sendall(memoryview(data)[sent:])  # the rest, within the socket's timeout
        else:
            sock.sendall(data)

    def _reply(self) -> Reply:
        code, text = self.smtp.getreply()
        decoded = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
        reply = Reply(code, decoded.replace("\n", " "))
        if code == 421 or code == -1:
            raise ConnectionLost(str(reply))
        return reply

    # deliver() hands send() its wait for the journal's commit: see before_content
    waits_before_content = True

    def send(self, envelope: Envelope, raw: bytes, before_content: Callable[[], None] | None = None) -> Reply:
        """One transaction: the server's final reply, or :class:`ConnectionLost`.

        ``before_content`` (the journal's commit of this connection's last outcome) is called once the
        envelope is on its way and before any of the message's content is: the commit overlaps the
        server's round trip, and more outcomes share it. Nothing is delivered before the content's
        final dot, so a crash still leaves at most one message per connection sent but not recorded.
        """
        for address in (envelope.sender, envelope.recipient):
            if not _ENVELOPE_ADDRESS.fullmatch(address):
                # a line break would end the command and start another (RCPT TO a second reader, or DATA):
                # no address reaches the wire unless it is printable ASCII without spaces or angle brackets
                return Reply(553, f"mailkit did not send it: envelope address {address[:200]!r} has a line break, "
                                  "a control character, a space, '<', '>' or a non-ASCII character")
        reset = self.used
        commands = [b"RSET\r\n"] if reset else []
        commands += [f"MAIL FROM:<{envelope.sender}>\r\n".encode("ascii"),
                     f"RCPT TO:<{envelope.recipient}>\r\n".encode("ascii"), b"DATA\r\n"]
        self.used = True
        try:
            if self.pipelining:
                self._write(b"".join(commands))
                replies = [self._reply() for _ in commands]
            else:
                replies = []
                for command in commands:
                    self._write(command)
                    replies.append(self._reply())
                    if replies[-1].code >= 400 and command != b"RSET\r\n":
                        break
            data = replies[-1] if commands[-1] == b"DATA\r\n" and len(replies) == len(commands) else None
            # RSET only ends a transaction the last DATA already ended: its refusal matters when MAIL, RCPT
            # or DATA is refused too. Counting it as a refusal after a 354 had "." end a valid transaction:
            # an empty message, delivered to the reader.
            transaction = replies[1:] if reset else replies
            refused = next((r for r in transaction if r is not data and r.code >= 400), None)
            if data is not None and data.code == 354:
                if refused is not None:  # DATA accepted after a refused RCPT (RFC 2920 says it should not be)
                    self._write(b".\r\n")
                    self._reply()
                    return refused
                if before_content is not None:
                    before_content()
                self._write(_stuff(raw))
                return self._reply()
            outcome = refused or (data if data is not None else replies[-1])
            if outcome.accepted:  # DATA answered 2xx, or replies out of order: the body was never sent
                raise ConnectionLost(f"{self.where}: {outcome} where DATA needs 354: the server is out of step")
            return outcome
        except (OSError, smtplib.SMTPException) as err:
            raise ConnectionLost(f"{self.where}: {err or type(err).__name__}") from err

    def close(self) -> None:
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
        finally:
            self.smtp.close()


# -- dry runs: the same messages, into files -------------------------------------------------


@dataclass(frozen=True)
class DirectoryTransport:
    """Writes each message to ``folder/<position>.eml`` (CRLF line ends, as sent), for a dry run."""

    folder: Path
    connections: int = 1
    rate_per_connection: float | None = None

    def connect(self) -> _DirectoryConnection:
        self.folder.mkdir(parents=True, exist_ok=True)
        return _DirectoryConnection(self.folder)


class _DirectoryConnection:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, envelope: Envelope, raw: bytes) -> Reply:
        path = self.folder / f"{envelope.position:08d}.eml"
        try:
            path.write_bytes(raw)
        except OSError as err:
            raise SendError(f"writing {path}: {err.strerror or err}") from err
        return Reply(250, f"written to {path}")

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class MboxTransport:
    """Appends each message to an mbox file (``/dev/null`` discards them), for a dry run."""

    path: Path
    connections: int = 1
    rate_per_connection: float | None = None

    def connect(self) -> _MboxConnection:
        return _MboxConnection(self.path)


class _MboxConnection:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.file = open(path, "ab")
        except OSError as err:
            raise SendError(f"opening {path}: {err.strerror or err}") from err

    def send(self, envelope: Envelope, raw: bytes) -> Reply:
        # mboxo, as the standard library's mailbox.mbox reads it: a body line starting "From " gets a ">"
        body = raw.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ")
        try:
            self.file.write(b"From " + envelope.sender.encode("ascii") + b" " + time.asctime().encode("ascii")
                            + b"\n" + body + b"\n")
        except OSError as err:
            raise SendError(f"writing {self.path}: {err.strerror or err}") from err
        return Reply(250, f"appended to {self.path}")

    def close(self) -> None:
        self.file.close()

