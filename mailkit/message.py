"""Stage 5, message: a RenderedEmail as a ready-to-send MIME message.

``multipart/alternative`` with the text part first and the HTML last (clients
show the last part they can), UTF-8, each part quoted-printable or base64,
whichever is smaller (as mail clients choose: Latin text is about 1.03x in
quoted-printable, Arabic about 2.2x, and base64 is 1.35x for anything), so
that every line stays within 76 octets, and the headers a list mail needs: Date, Message-ID with an
explicit domain (no DNS lookup), From, To, Reply-To, List-Id,
List-Unsubscribe (https and mailto) and List-Unsubscribe-Post (RFC 8058).

Header values are checked by mailkit itself, whatever the Python version:
3.11.7 still has CVE-2024-6923 (encoded words and newlines in headers) and
CVE-2023-27043 (parseaddr accepting ``alice@example.org)<bob@example.com>``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.policy import EmailPolicy
from email.utils import format_datetime, formataddr, make_msgid
from typing import TYPE_CHECKING

from .errors import HeaderError
from .models import Edition, Recipient, Sender
from .personalize import VALUE_ORDER, PreparedEmail, html_escape

_UNSUBSCRIBE = VALUE_ORDER.index("unsubscribeurl")  # its position in the values tuple

if TYPE_CHECKING:
    from .rendered import RenderedEmail

__all__ = ["BulkMessages", "build_message", "check_address", "check_header", "encode_part", "list_headers",
           "max_wire_size", "message_bytes", "wire_size"]

# CR, LF and every other line break Python's str.splitlines() honours, and NUL.
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00]")
# RFC 2047 encoded words in a caller's value: we encode, callers do not.
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?", re.ASCII)
# A plain addr-spec: no comments, quotes, angle brackets, routes or groups.
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


class _Policy(EmailPolicy):
    """policy.SMTP, except that URL headers are written as they are.

    Python folds a header at 78 characters and, when a token is longer (an
    unsubscribe URL), turns it into an RFC 2047 encoded word, which no mail
    client or ESP reads as a List-Unsubscribe URL. These values are ASCII,
    checked, and well under the 998-octet limit.
    """

    _RAW = frozenset({"list-unsubscribe", "list-unsubscribe-post", "message-id"})

    def fold(self, name: str, value: str) -> str:
        if name.lower() in self._RAW:
            # one URL a line (RFC 2369 lets whitespace fold between them), so
            # a line is over 78 characters only where one URL is
            return f"{name}: {value.replace('>, <', f'>,{self.linesep} <')}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() in self._RAW:
            return self.fold(name, value).encode("ascii")
        return super().fold_binary(name, value)


SMTP_POLICY = _Policy(linesep="\r\n")


def check_header(name: str, value: str) -> str:
    """Refuse a header value with a line break, NUL or an encoded word; return it unchanged."""
    m = _LINE_BREAKS.search(value)
    if m:
        raise HeaderError(f"{name}: line break or NUL (U+{ord(m.group()):04X}) at position {m.start()} refused")
    if _ENCODED_WORD.search(value):
        raise HeaderError(f"{name}: an RFC 2047 encoded word ('=?...?=') refused: pass plain text")
    return value


def check_address(name: str, address: str) -> Address:
    """A single plain ``local@domain`` address, or :class:`HeaderError`."""
    check_header(name, address)
    if not _ADDRESS.match(address):
        raise HeaderError(f"{name}: {address!r} is not a plain address like reader@example.org")
    local, _, domain = address.rpartition("@")
    return Address(username=local, domain=domain)


def _mailbox(name: str, display: str, address: str) -> Address:
    addr = check_address(name, address)
    return Address(display_name=check_header(name, display), username=addr.username, domain=addr.domain)


def _sender(email_edition: Edition, sender: Sender | None) -> Sender:
    sender = sender or email_edition.newsletter.sender
    if sender is None:
        raise HeaderError("From: the newsletter has no sender (newsletter.sender: name and address)")
    return sender


def list_headers(edition: Edition, sender: Sender, unsubscribe_url: str) -> list[tuple[str, str]]:
    """List-Id, List-Unsubscribe (https and mailto) and List-Unsubscribe-Post (RFC 2369, RFC 8058)."""
    domain = sender.address.rpartition("@")[2]
    newsletter = edition.newsletter
    list_id = sender.list_id or f"{re.sub(r'[^a-z0-9]+', '-', newsletter.name.lower()).strip('-')}.{domain}"
    headers = [("List-Id", f"{check_header('List-Id', newsletter.name)} <{check_header('List-Id', list_id)}>")]
    unsubscribe = [f"<{check_header('List-Unsubscribe', unsubscribe_url)}>"]
    if sender.unsubscribe_mailto:
        unsubscribe.append(f"<mailto:{check_address('List-Unsubscribe', sender.unsubscribe_mailto)}?subject=unsubscribe>")
    headers.append(("List-Unsubscribe", ", ".join(unsubscribe)))
    if unsubscribe_url.startswith("https://"):
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return headers


def _to(email: RenderedEmail, to: str | Recipient | None) -> tuple[str, str]:
    recipient = to if isinstance(to, Recipient) else email.recipient
    address = to if isinstance(to, str) else (recipient.email if recipient else None)
    if not address:
        raise HeaderError("To: no recipient address")
    name = recipient.first_name if recipient and recipient.email == address else ""
    return name, address


def build_message(email: RenderedEmail, *, to: str | Recipient | None = None, sender: Sender | None = None,
                  date: datetime | None = None, message_id: str | None = None,
                  message_id_domain: str | None = None) -> EmailMessage:
    """Build the MIME message for ``email`` addressed to ``to`` (default: its recipient)."""
    sender = _sender(email.edition, sender)
    to_name, to_address = _to(email, to)
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["Subject"] = check_header("Subject", email.subject)
    msg["From"] = _mailbox("From", sender.name, sender.address)
    msg["To"] = _mailbox("To", to_name, to_address)
    if sender.reply_to:
        msg["Reply-To"] = check_address("Reply-To", sender.reply_to)
    msg["Date"] = format_datetime(date or datetime.now(UTC))
    domain = message_id_domain or sender.address.rpartition("@")[2]
    # make_msgid(domain=...) never calls socket.getfqdn()
    msg["Message-ID"] = check_header("Message-ID", message_id or make_msgid(domain=domain))
    for name, value in list_headers(email.edition, sender, email.unsubscribe_url):
        msg[name] = value
    msg["MIME-Version"] = "1.0"
    msg["Content-Language"] = email.edition.lang

    (text_cte, text), (html_cte, html) = encode_part(email.text), encode_part(email.html)
    boundary = "mk-" + hashlib.sha256(f"{text}\0{html}".encode()).hexdigest()[:32]
    if boundary in text or boundary in html:  # pragma: no cover - a 128-bit collision
        boundary = make_msgid().strip("<>").replace("@", ".")
    msg["Content-Type"] = f'multipart/alternative; boundary="{boundary}"'
    msg.set_payload([_part("plain", text_cte, text), _part("html", html_cte, html)])
    return msg


QP, BASE64 = "quoted-printable", "base64"


def _qp(raw: bytes) -> bytes:
    # binascii's quoted-printable is C: lines of at most 76 octets, trailing
    # spaces and "=" encoded, 10-50x faster than email.quoprimime on a digest.
    return binascii.b2a_qp(raw, istext=True)


def _choose(raw: bytes, qp: bytes) -> str:
    """QP unless base64 (76-character lines) would be smaller on the wire."""
    if len(qp) * 3 <= len(raw) * 4:  # QP within 4/3 of the raw size: base64 cannot be smaller
        return QP
    b64 = 4 * ((len(raw) + 2) // 3)
    return BASE64 if b64 + b64 // 76 < len(qp) else QP


def encode_part(content: str) -> tuple[str, str]:
    """``(Content-Transfer-Encoding, body)`` for a text part: QP or base64, whichever is smaller.

    The body has ``\n`` line ends (written as CRLF) and lines of at most 76
    octets either way.
    """
    raw = content.encode("utf-8")
    qp = _qp(raw)
    if _choose(raw, qp) == BASE64:
        return BASE64, base64.encodebytes(raw).decode("ascii")
    return QP, qp.decode("ascii")


def wire_size(content: str) -> int:
    """Octets of ``content`` as a message part carries it: encoded as :func:`encode_part` does, CRLF line ends.

    What a mailbox receives, and what Gmail's clip limit is measured against
    (the decoded HTML is smaller: 99,480 bytes of English HTML are 104,794 in
    quoted-printable).
    """
    body = encode_part(content)[1]
    return len(body) + body.count("\n")


def max_wire_size(size: int) -> int:
    """An upper bound of :func:`wire_size` for ``size`` bytes of UTF-8: their base64 size.

    The smaller encoding is chosen, so a part is never larger than its base64;
    the checks skip the exact measure (half a millisecond of QP) below the clip.
    """
    b64 = 4 * ((size + 2) // 3)
    return b64 + 2 * -(-b64 // 76)


def _part(subtype: str, cte: str, encoded: str) -> MIMEPart:
    part = MIMEPart(policy=SMTP_POLICY)
    part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
    part["Content-Transfer-Encoding"] = cte
    part.set_payload(encoded)
    return part


def message_bytes(email: RenderedEmail, **kwargs: object) -> bytes:
    """The message as bytes with CRLF line ends, ready for SMTP or a ``.eml`` file.

    The same bytes as ``build_message(...).as_bytes()``, written directly:
    email.generator writes a body line by line, which costs milliseconds on
    a digest; this costs a few hundred microseconds (pinned in tests).
    """
    msg = build_message(email, **kwargs)  # type: ignore[arg-type]
    crlf = b"\r\n"
    out = [SMTP_POLICY.fold_binary(name, value) for name, value in msg.items()]
    boundary = str(msg.get_boundary()).encode("ascii")
    for part in msg.iter_parts():
        out.append(b"\r\n--" + boundary + crlf)
        out.extend(SMTP_POLICY.fold_binary(name, value) for name, value in part.items())
        payload = str(part.get_payload())  # already encoded (QP or base64)
        out.append(crlf + payload.replace("\n", "\r\n").encode("ascii"))
    out.append(b"\r\n--" + boundary + b"--" + crlf)
    return b"".join(out)


def _fold(name: str, value: str) -> bytes:
    """A header line as ``message_bytes`` writes it: non-ASCII values as RFC 2047 encoded words.

    ``policy.fold_binary`` given a plain str writes it as it is and fails on
    non-ASCII (an Arabic subject or list name); the header object folds it.
    """
    if value.isascii():  # the header registry's parse costs ~50 us a header: only where needed
        return SMTP_POLICY.fold_binary(name, value)
    return SMTP_POLICY.fold_binary(name, SMTP_POLICY.header_store_parse(name, value)[1])


def _qp_segment(content: str) -> bytes:
    """QP of a piece of a part, ending in a soft line break so pieces can be joined."""
    encoded = binascii.b2a_qp(content.encode("utf-8"), istext=True)
    if not encoded or encoded.endswith(b"\n"):
        return encoded
    return encoded + b"=\n"


class BulkMessages:
    """Complete messages for many recipients from one :class:`~mailkit.PreparedEmail`, fast.

    Headers that are the same for everyone are folded once and the HTML part
    is quoted-printable encoded once, in pieces cut at the recipient slots;
    each message then encodes only that recipient's values. Decoded, each
    message's parts equal ``prepared.personalize(recipient)`` exactly.

    >>> bulk = BulkMessages(mailkit.prepare("digest", edition))          # doctest: +SKIP
    >>> for reader in readers:                                           # doctest: +SKIP
    ...     smtp.sendmail(sender, [reader.email], bulk.message(reader))
    """

    def __init__(self, prepared: PreparedEmail, *, sender: Sender | None = None,
                 message_id_domain: str | None = None) -> None:
        self.prepared = prepared
        self.sender = _sender(prepared.edition, sender)
        self.domain = message_id_domain or self.sender.address.rpartition("@")[2]
        fold = _fold
        head = [("Subject", check_header("Subject", prepared.subject)),
                ("From", str(_mailbox("From", self.sender.name, self.sender.address)))]
        if self.sender.reply_to:
            head.append(("Reply-To", str(check_address("Reply-To", self.sender.reply_to))))
        self._head = b"".join(fold(n, v) for n, v in head)
        static = prepared.html.static
        self._html = [_qp_segment(s) for s in static]
        # the transfer encoding is chosen once, on the HTML without recipient
        # values (a few bytes of names and URLs cannot change which is smaller)
        whole = "".join(static).encode("utf-8")
        self._html_base64 = _choose(whole, b"".join(self._html)) == BASE64
        self.boundary = "mk-" + hashlib.sha256("\0".join(static).encode()).hexdigest()[:32]
        self._tail = b"".join(fold(n, v) for n, v in [
            ("MIME-Version", "1.0"),
            ("Content-Language", prepared.edition.lang),
            ("Content-Type", f'multipart/alternative; boundary="{self.boundary}"'),
        ])
        self._part_head = {
            (sub, cte): b"\r\n--" + self.boundary.encode() + b"\r\n"
            + fold("Content-Type", f'text/{sub}; charset="utf-8"') + fold("Content-Transfer-Encoding", cte) + b"\r\n"
            for sub in ("plain", "html") for cte in (QP, BASE64)
        }

    def message(self, recipient: Recipient, *, date: datetime | None = None, message_id: str | None = None) -> bytes:
        """The complete message for ``recipient``, as bytes with CRLF line ends."""
        prepared = self.prepared
        values = prepared.personalize_values(recipient)
        text = prepared.text.fill(values)
        if self.boundary in text or any(self.boundary in v for v in values):  # pragma: no cover
            return message_bytes(prepared.personalize(recipient), sender=self.sender, date=date,
                                 message_id=message_id, message_id_domain=self.domain)
        unsubscribe = values[_UNSUBSCRIBE]
        address = check_address("To", recipient.email)
        name = check_header("To", recipient.first_name)
        fold = _fold
        headers = [
            ("To", formataddr((name, str(address)), charset="utf-8")),
            ("Date", format_datetime(date or datetime.now(UTC))),
            ("Message-ID", check_header("Message-ID", message_id or make_msgid(domain=self.domain))),
            *list_headers(self.prepared.edition, self.sender, unsubscribe),
        ]
        out = [self._head, *(fold(n, v) for n, v in headers), self._tail]
        text_cte, text_body = encode_part(text)
        out.append(self._part_head["plain", text_cte])
        out.append(text_body.encode("ascii").replace(b"\n", b"\r\n"))
        if self._html_base64:
            # base64 cannot be joined from pieces encoded apart: encode it whole (C, ~50 us a digest)
            out.append(self._part_head["html", BASE64])
            whole = prepared.html.fill(values, html_escape).encode("utf-8")
            out.append(base64.encodebytes(whole).replace(b"\n", b"\r\n"))
        else:
            out.append(self._part_head["html", QP])
            static = self._html
            html = [static[0]]
            for value, piece in zip(prepared.html.tokens(values, html_escape), static[1:], strict=True):
                html.append(_qp_segment(value))
                html.append(piece)
            out.append(b"".join(html).replace(b"\n", b"\r\n"))
        out.append(b"\r\n--" + self.boundary.encode() + b"--\r\n")
        return b"".join(out)
