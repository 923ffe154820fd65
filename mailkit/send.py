"""Sending through SMTP (smtplib), with errors as :class:`~mailkit.errors.SendError`."""

from __future__ import annotations

import smtplib
import ssl

from .errors import SendError
from .message import check_address, message_bytes
from .rendered import RenderedEmail

__all__ = ["send"]


def send(email: RenderedEmail, *, to: str, host: str, port: int = 25, starttls: bool = False,
         user: str | None = None, password: str | None = None, timeout: float = 30.0) -> None:
    """Send ``email`` to ``to`` through the SMTP server at ``host:port``."""
    check_address("To", to)
    sender = email.edition.newsletter.sender
    raw = message_bytes(email, to=to)
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            if starttls:
                smtp.starttls(context=ssl.create_default_context())
            if user and password:
                smtp.login(user, password)
            smtp.sendmail(sender.address if sender else "", [to], raw)
    except (OSError, smtplib.SMTPException) as err:
        raise SendError(f"sending to {to} through {host}:{port} failed: {err}") from None
