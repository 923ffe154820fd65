"""Sending through SMTP (smtplib), with errors as :class:`~mailkit.SendError`.

A password is only ever sent over an encrypted connection (implicit TLS or
STARTTLS), except to this machine's loopback address when the caller says so;
and the whole exchange, not each read, is bounded by ``timeout``.
"""

from __future__ import annotations

import ipaddress
import smtplib
import socket
import ssl
import threading

from ._errors import SendError
from ._message import RenderedEmail, check_address, message_bytes
from ._models import Sender

__all__ = ["check_login", "is_loopback", "send"]


def is_loopback(host: str) -> bool:
    """True when ``host`` is ``localhost`` or a loopback IP address (127.0.0.0/8, ::1)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_login(host: str, port: int, *, user: str | None, password: str | None, encrypted: bool,
                insecure_loopback_login: bool) -> None:
    """Refuse a half-given login, and a password that would cross the network unencrypted.

    The one rule for :func:`send` and the bulk transport (:mod:`mailkit._smtp`).
    """
    if bool(user) != bool(password):
        raise SendError("SMTP login needs both a user and a password (MAILKIT_SMTP_USER, MAILKIT_SMTP_PASSWORD)")
    if user and not encrypted and not (insecure_loopback_login and is_loopback(host)):
        raise SendError(f"refusing to send the SMTP password to {host}:{port} unencrypted: use --ssl or --starttls"
                        + (" (or --insecure-login, for a server on this machine)" if is_loopback(host) else ""))


def send(email: RenderedEmail, *, to: str, host: str, port: int = 25, starttls: bool = False,
         use_ssl: bool = False, user: str | None = None, password: str | None = None,
         insecure_loopback_login: bool = False, sender: Sender | None = None, timeout: float = 30.0) -> None:
    """Send ``email`` to ``to`` through the SMTP server at ``host:port``.

    ``use_ssl`` connects with implicit TLS (port 465), ``starttls`` upgrades a
    plain connection; a login (``user`` and ``password``) needs one of them,
    or ``insecure_loopback_login`` and a loopback ``host``. ``timeout``
    bounds the whole exchange, connect to QUIT, however slowly the server replies.
    """
    to = check_address("To", to)
    check_login(host, port, user=user, password=password, encrypted=use_ssl or starttls,
                insecure_loopback_login=insecure_loopback_login)
    raw = message_bytes(email, to=to, sender=sender)  # HeaderError when there is no sender at all
    envelope_from = (sender or email.edition.newsletter.sender).address  # type: ignore[union-attr]
    context = ssl.create_default_context()
    smtp: smtplib.SMTP = (smtplib.SMTP_SSL(timeout=timeout, context=context) if use_ssl
                          else smtplib.SMTP(timeout=timeout))
    # smtplib's timeout is per socket operation: a server trickling a reply a
    # byte at a time would hold us for ever. A timer shuts the socket down at
    # the deadline, which ends any blocked read or write at once.
    expired = threading.Event()

    def cut_off() -> None:
        expired.set()
        sock = getattr(smtp, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(timeout, cut_off)
    timer.daemon = True
    timer.start()
    try:
        smtp.connect(host, port)
        if starttls:
            smtp.starttls(context=context)
        if user and password:
            smtp.login(user, password)
        smtp.sendmail(envelope_from, [to], raw)
        smtp.quit()
    except (OSError, smtplib.SMTPException) as err:
        if expired.is_set():
            raise SendError(f"sending to {to} through {host}:{port}: no complete exchange within {timeout:g} s") \
                from err
        raise SendError(f"sending to {to} through {host}:{port} failed: {err}") from err
    finally:
        timer.cancel()
        smtp.close()
