"""The email policy of mailkit's messages, apart from mailkit._message so that a render
without a message never loads email.policy (see :func:`mailkit._message.smtp_policy`)."""

from __future__ import annotations

from collections.abc import Callable
from email.policy import EmailPolicy
from typing import Any

__all__ = ["SMTPPolicy"]


class SMTPPolicy(EmailPolicy):
    """Headers are encoded and folded by mailkit, not by email.policy.

    Python's folder turns a long token (an unsubscribe URL) into an RFC 2047
    encoded word, which no client reads as a URL, crashed on short non-ASCII
    values written as bytes, and leaves overlong lines unfolded. Every header
    set on a mailkit message goes through mailkit's encoder (``encode``, from
    mailkit._message); what is stored is the folded value (a ``folded``
    string), which reads back (``msg["Subject"]``) as usual.
    """

    # set by mailkit._message.smtp_policy (a policy takes only the attributes its class names)
    encode: Callable[[str, str], str] | None = None
    folded: type[str] = str

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if isinstance(value, self.folded):
            return (name, value)
        assert self.encode is not None  # always given by smtp_policy()
        return (name, self.encode(name, str(value)))

    def fold(self, name: str, value: str) -> str:
        if not isinstance(value, self.folded):
            value = self.header_store_parse(name, value)[1]
        return f"{name}: {value}\r\n"

    def fold_binary(self, name: str, value: str) -> bytes:
        return self.fold(name, value).encode("ascii")
