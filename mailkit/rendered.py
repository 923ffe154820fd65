"""The result of a render: :class:`RenderedEmail`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from functools import cached_property
from typing import Any

from .models import Edition, Recipient, Sender
from .warning import RenderWarning

__all__ = ["RenderedEmail"]


@dataclass(frozen=True)
class RenderedEmail:
    """A rendered email: subject, preheader, MJML, HTML, text, and what it was made from."""

    template: str
    subject: str
    preheader: str
    html: str
    text: str
    edition: Edition
    # RenderWarning: a str with a code, field and template (mailkit.warning)
    warnings: tuple[RenderWarning, ...] = field(default=())
    recipient: Recipient | None = None
    # the MJML is built on first use: a bulk send never needs it
    mjml_source: str | Callable[[], str] = field(default="", repr=False, compare=False)
    # how the HTML was made (a prepared email's parts and this recipient's
    # values), so that a message encodes it the way BulkMessages does
    html_parts: tuple[Any, tuple[str, ...]] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def mjml(self) -> str:
        """The composed MJML (for review and snapshots), with this recipient's values."""
        return self.mjml_source if isinstance(self.mjml_source, str) else self.mjml_source()

    @property
    def metadata(self) -> dict[str, Any]:
        """Subject, preheader, language, direction, size and warnings: what a snapshot's ``.yml`` holds."""
        return {
            "template": self.template,
            "subject": self.subject,
            "preheader": self.preheader,
            "lang": self.edition.lang,
            "dir": self.edition.dir,
            "html_bytes": len(self.html.encode("utf-8")),
            # plain strings: a YAML safe dumper refuses a str subclass
            "warnings": [str(w) for w in self.warnings],
        }

    @property
    def unsubscribe_url(self) -> str:
        """The recipient's own unsubscribe URL, else the newsletter's."""
        own = self.recipient.unsubscribe_url if self.recipient else None
        return own or self.edition.newsletter.footer.unsubscribe_url

    def to_message(self, to: str | Recipient | None = None, *, sender: Sender | None = None,
                   date: datetime | None = None, message_id: str | None = None,
                   message_id_domain: str | None = None) -> EmailMessage:
        """A ready-to-send ``multipart/alternative`` message (see :func:`mailkit.message.build_message`)."""
        from .message import build_message

        return build_message(self, to=to, sender=sender, date=date, message_id=message_id,
                             message_id_domain=message_id_domain)
