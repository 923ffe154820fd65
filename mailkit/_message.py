"""Stage 5, message: the rendered email (:class:`RenderedEmail`) as a ready-to-send MIME message.

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
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, make_msgid
from functools import cache, cached_property, lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

import idna

from ._errors import HeaderError, InvalidFixtureError, OptionsError
from ._languages import grapheme_start
from ._models import Edition, Recipient, Sender, ascii_address
from ._sanitize import mailto_unsubscribe_problem
from ._slots import VALUE_ORDER, Parts, html_escape_all, mrml_escape_all
from ._warning import RenderWarning

if TYPE_CHECKING:
    from email.policy import EmailPolicy

_UNSUBSCRIBE = VALUE_ORDER.index("unsubscribeurl")  # its position in the values tuple

__all__ = ["PreparedMessage", "RenderedEmail", "build_message", "check_address", "check_header", "encode_part",
           "html_wire_size", "list_headers", "max_wire_size", "message_bytes", "wire_size"]


# The email and its message live in one module: RenderedEmail.to_message() is
# the message writer, and the writer reads a RenderedEmail (a module of its own
# for either imported the other: an import cycle).
@dataclass(frozen=True)
class RenderedEmail:
    """A rendered email: subject, preheader, MJML, HTML, text, and what it was made from."""

    template: str
    subject: str
    preheader: str
    html: str
    text: str
    edition: Edition
    # RenderWarning: a str with a code, field and template (mailkit._warning)
    warnings: tuple[RenderWarning, ...] = field(default=())
    recipient: Recipient | None = None
    # the MJML is built on first use: a bulk send never needs it (a prepared
    # email's MJML parts are filled with the values in html_parts)
    mjml_source: str | Callable[[], str] | Parts = field(default="", repr=False, compare=False)
    # how the HTML was made (a prepared email's parts and this recipient's
    # values), so that a message encodes it the way BulkMessages does
    html_parts: tuple[Parts, tuple[str, ...]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def _personalised(cls, shared: dict[str, Any], html: str, text: str, recipient: Recipient | None,
                      html_parts: tuple[Parts, tuple[str, ...]]) -> RenderedEmail:
        """``RenderedEmail(**shared, html=html, ...)``, for :meth:`PreparedEmail.personalize`, faster.

        ``shared`` holds the fields every reader's email shares, the MJML
        source (the prepared email's MJML parts) among them.

        A frozen dataclass's ``__init__`` sets each of the ten fields through
        ``object.__setattr__``: 1.36 us of a 5.0 us personalize of the breaking
        alert (bench/run.py, section 3, where the target is 1,000x a full
        render); filling the new instance's ``__dict__`` takes 0.43 us, and
        0.26 us one key at a time (no keyword dict made for ``update``). Every
        field is given (tests/test_personalize.py checks the result equals the
        constructor's and that the class has no ``__post_init__`` this skips).
        """
        email = _new(cls)
        own = email.__dict__
        own.update(shared)
        own["html"] = html
        own["text"] = text
        own["recipient"] = recipient
        own["html_parts"] = html_parts
        return email

    @cached_property
    def mjml(self) -> str:
        """The composed MJML (for review and snapshots), with this recipient's values."""
        source = self.mjml_source
        if isinstance(source, str):
            return source
        if isinstance(source, Parts):
            # the prepared email's parts, not a function filling them made per
            # reader: a partial object was 0.08 us of a 2.5 us personalize (timeit)
            if self.html_parts is None:
                raise OptionsError("RenderedEmail.mjml_source: a prepared email's MJML parts, without html_parts "
                                   "to take the reader's values from")
            return source.fill(self.html_parts[1], mrml_escape_all)
        return source()

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

    def to_message(self, to: str | Recipient | None = None, *, sender: SenderArg = None,
                   date: datetime | None = None, message_id: str | None = None,
                   message_id_domain: str | None = None) -> EmailMessage:
        """A ready-to-send ``multipart/alternative`` message (see :func:`build_message`).

        ``sender`` is a :class:`Sender`, a dict of its fields, or an address (the
        newsletter sender's other fields kept); default: the newsletter's sender.
        """
        return build_message(self, to=to, sender=sender, date=date, message_id=message_id,
                             message_id_domain=message_id_domain)


# object.__new__ bound once: an attribute of a type, looked up each time, is
# not specialised in Python 3.11 (about 150 instructions, cachegrind)
_new = object.__new__
# CR, LF and every other line break Python's str.splitlines() honours, and NUL.
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00]")
# RFC 2047 encoded words in a caller's value: we encode, callers do not.
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?", re.ASCII)
# RFC 5322 2.1.1: a line is at most 998 octets (without its CRLF); fold at 78 where we can.
MAX_LINE = 998
_WIDTH = 78
# RFC 2047 section 2: a line holding an encoded word is at most 76 characters
_ENCODED_WIDTH = 76
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
# bidi embeddings, overrides and isolates: each reorders what follows it on the line, so a
# subject or display name holding one can read as something else ("Invoice \u2067exe.txt"
# shows "Invoice txt.exe"). The marks (LRM, RLM, ALM) stay: zero-width strong characters
# that place neutrals in Hebrew and Arabic text and cannot reverse a run of letters.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# a Message-ID: <left@right>, printable ASCII without spaces or angle brackets
_MESSAGE_ID = re.compile(r"<[!-;=?-~]+@[!-;=?-~]+>")
# a list-id (RFC 2919): a dot-atom of letters, digits and hyphens
_LIST_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*)(?:\.[A-Za-z0-9-]+)+")
# what may stand in a URL as it is (RFC 3986 reserved and unreserved, and "%"):
# anything else, "<", ">", '"', spaces and non-ASCII included, is percent-encoded
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


class _Folded(str):
    """A header value encoded and folded by mailkit: ASCII, its lines joined by CRLF and a space."""


def check_header(name: str, value: str) -> str:
    """Refuse a header value with a line break or NUL; return it unchanged.

    Text that looks like an RFC 2047 encoded word (a headline about one) is not
    refused: it is written as encoded words itself (RFC 2047 section 5), so a
    mail client shows it as written, never as what it would decode to.
    """
    m = _LINE_BREAKS.search(value)
    if m:
        raise HeaderError(f"{name}: line break or NUL (U+{ord(m.group()):04X}) at position {m.start()} refused")
    m = _BIDI_CONTROLS.search(value)
    if m:
        raise HeaderError(f"{name}: bidi control U+{ord(m.group()):04X} at position {m.start()} refused "
                          "(it can show a subject or a name reversed: 'txt.exe')")
    return value


def ascii_domain(name: str, domain: str) -> str:
    """``domain`` as it may stand in a header: as it is when ASCII, else its A-labels
    (``bücher.example`` -> ``xn--bcher-kva.example``, IDNA 2008 with UTS #46 mapping, as the
    addresses' domains are written); what IDNA refuses is a :class:`HeaderError` naming ``name``."""
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as err:
        raise HeaderError(f"{name}: {domain!r} is not a domain name IDNA takes: {err}") from err


def check_address(name: str, address: str) -> str:
    """A single plain ``local@domain`` address in its ASCII form, or :class:`HeaderError`.

    The same check as the models' (:func:`mailkit._models.ascii_address`): an
    address that loads is an address that can be sent to.
    """
    check_header(name, address)
    if _ENCODED_WORD.search(address):  # an address is never encoded: such a one is refused
        raise HeaderError(f"{name}: an RFC 2047 encoded word ('=?...?=') in an address refused")
    try:
        return ascii_address(address)
    except ValueError as err:
        raise HeaderError(f"{name}: {err}") from err


def _fold(name: str, tokens: Iterable[str], *, split_words: bool = False) -> _Folded:
    # Tokens are joined by one space; a line is broken before a token that would
    # take it past 78 characters (RFC 5322 folding: unfolding gives the value
    # back), or past 76 on a line with an encoded word (RFC 2047 section 2).
    # No token is longer than a line may be, except a URL, refused here.
    # An encoded word too long for the first line, after "Subject: " (a 72-character
    # word made a line of 81), is split in two there when ``split_words`` (unstructured
    # text), else goes to the next line: a display name stays one word, see _phrase_tokens.
    lines: list[str] = []
    first = line = f"{name}:"
    for word in tokens:
        token = word
        width = _ENCODED_WIDTH if token.startswith("=?") or "=?" in line else _WIDTH
        if len(line) + 1 + len(token) > width:
            if line == first and token.startswith("=?"):
                head, token = _split_word(token, width - len(line) - 1) if split_words else ("", token)
                if head:
                    line += " " + head
                lines.append(line)
                line = ""
            elif line != first:
                lines.append(line)
                line = ""
        line += " " + token
    lines.append(line)
    for text in lines:
        if len(text) > MAX_LINE:
            raise HeaderError(f"{name}: a header line of {len(text)} octets, over the limit of {MAX_LINE} "
                              "(RFC 5322); the value is too long to fold")
    # (a first line of the name alone is written "Name: " and the value goes on below it)
    return _Folded("\r\n".join([lines[0][len(name) + 2 :], *lines[1:]]))


def _split_word(word: str, room: int) -> tuple[str, str]:
    """An encoded word of mailkit's as two, the first at most ``room`` characters ("" if none fits)."""
    text = base64.b64decode(word[len("=?utf-8?b?"):-2]).decode("utf-8")
    size = cut = 0
    for i, char in enumerate(text):
        size += len(char.encode("utf-8"))
        if len("=?utf-8?b??=") + 4 * -(-size // 3) > room:
            break
        cut = i + 1
    cut = grapheme_start(text, cut)  # between two grapheme clusters (see _encoded_words)
    if not cut:
        return "", word
    head, rest = _encoded_words(text[:cut]), _encoded_words(text[cut:])
    return head[0], rest[0]


_WORD_OCTETS = 45  # UTF-8 octets an encoded word holds: 60 base64 characters, 72 with "=?utf-8?b?" and "?="


def _encoded_words(text: str) -> list[str]:
    # RFC 2047 "B" encoded words of whole characters (section 5), each at most 72
    # characters long, cut between grapheme clusters: a reader that shows two
    # adjacent words apart (Python 3.11's address parser, CPython gh-128110) shows
    # no half emoji, split flag or bare combining mark. (A cluster longer than a
    # word, a letter under dozens of marks, is cut between characters.) Whitespace
    # between two encoded words is not part of the value, so the words decode to
    # exactly ``text``, spaces and all.
    words = []
    start = size = 0
    for i, char in enumerate(text):
        n = len(char.encode("utf-8"))
        if size + n > _WORD_OCTETS:
            cut = grapheme_start(text, i, start)  # reads this word only: linear in the text
            cut = cut if cut > start else i
            words.append(text[start:cut])
            start, size = cut, len(text[cut:i].encode("utf-8"))
        size += n
    words.append(text[start:])
    return [f"=?utf-8?b?{base64.b64encode(w.encode('utf-8')).decode('ascii')}?=" for w in words if w]


def _is_plain(text: str) -> bool:
    # printable ASCII words, one space apart, none too long to fold
    # (and nothing a reader could take for an encoded word: that is encoded too)
    return (text.isascii() and text.isprintable() and text == " ".join(text.split())
            and all(len(word) <= _WIDTH - 2 for word in text.split(" ")) and not _ENCODED_WORD.search(text))


def _text_tokens(text: str) -> list[str]:
    """Unstructured text (Subject): as it is when plain ASCII, else encoded words."""
    if not text:
        return []
    return text.split(" ") if _is_plain(text) else _encoded_words(text)


def _phrase_tokens(text: str) -> list[str]:
    """A display name: atoms, a quoted string, or encoded words (RFC 5322 3.2.5, RFC 2047 5(3))."""
    if not text:
        return []
    if _is_plain(text):
        words = text.split(" ")
        if all(_ATOM.fullmatch(word) for word in words):
            return words
        # a quoted string may fold at its spaces; unfolding gives them back
        return ('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"').split(" ")
    # Python before 3.14 keeps the space between two encoded words of a display
    # name, against RFC 2047 6.2 (python/cpython#128110): only a name that needs
    # more than one (non-ASCII and over 45 octets) reads back wrong there
    return _encoded_words(text)


def _mailbox(name: str, display: str, address: str) -> _Folded:
    addr = check_address(name, address)
    display = check_header(name, display)
    return _fold(name, [*_phrase_tokens(display), f"<{addr}>"] if display else [addr])


def header_url(name: str, url: str) -> str:
    """``url`` as it may stand in a header: ASCII, IDNA host, the rest percent-encoded.

    Characters a URL may not hold (``<``, ``>``, quotes, spaces, non-ASCII)
    are percent-encoded, so a value can never close its angle brackets and
    add a second target.
    """
    check_header(name, url)
    scheme, sep, rest = url.partition("://")
    netloc = ""
    if sep:
        cut = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
        netloc, rest = rest[:cut], rest[cut:]
        if not netloc.isascii():
            userinfo, at, hostport = netloc.rpartition("@")
            host, colon, port = hostport.partition(":")
            try:
                host = idna.encode(host, uts46=True).decode("ascii")
            except idna.IDNAError as err:
                raise HeaderError(f"{name}: the host of {url!r} is not a valid domain name: {err}") from err
            netloc = quote(userinfo, safe=_URL_SAFE) + at + host + colon + quote(port, safe="")
        scheme += sep
    else:
        rest = scheme
        scheme = ""
    return quote(scheme, safe=_URL_SAFE) + netloc + quote(rest, safe=_URL_SAFE)


SenderArg = Sender | str | Mapping[str, Any] | None


def _sender(email_edition: Edition, sender: SenderArg) -> Sender:
    """The sender a writer was given: a :class:`Sender`, a dict of its fields, or an address.

    An address alone keeps the other fields of the newsletter's sender (its
    name, else the newsletter's), as ``--from`` does; anything else is a
    HeaderError naming ``sender``, never an AttributeError from deep inside.
    """
    base = email_edition.newsletter.sender
    if sender is None:
        if base is None:
            raise HeaderError("From: the newsletter has no sender (newsletter.sender: name and address); "
                              "pass sender=, or --from ADDR on the command line")
        return base
    if isinstance(sender, Sender):
        return sender
    if isinstance(sender, str):
        fields: dict[str, Any] = base.model_dump(exclude_none=True) if base else {}
        fields.setdefault("name", email_edition.newsletter.name)
        sender = {**fields, "address": sender}
    if not isinstance(sender, Mapping):
        raise HeaderError(f"sender: expected a mailkit.Sender, a dict of its fields or an address, "
                          f"not {type(sender).__name__}")
    try:
        return Sender.model_validate(dict(sender))
    except InvalidFixtureError as err:  # the models raise it (pydantic's error is its cause)
        problems = "; ".join(f"{path}: {msg}" if path else msg for path, msg in err.errors)
        raise HeaderError(f"sender: {problems}") from err


def list_headers(edition: Edition, sender: Sender, unsubscribe_url: str) -> list[tuple[str, str]]:
    """List-Id, List-Unsubscribe (https and mailto) and List-Unsubscribe-Post (RFC 2369, RFC 2919, RFC 8058).

    Values are encoded and folded; a URL is never folded or encoded (no
    client would read it back), so one too long for a header line is refused.
    """
    return [_list_id(edition, sender), *_unsubscribe_headers(sender, unsubscribe_url)]


def _list_id(edition: Edition, sender: Sender) -> tuple[str, _Folded]:
    domain = sender.address.rpartition("@")[2]
    newsletter = edition.newsletter
    # a list-id label is a dot-atom: ASCII, at most 63 characters a label (DNS); letters
    # lose their accents first ("Ünïcode News" was "n-code-news"), what stays non-ASCII goes
    folded = "".join(c for c in unicodedata.normalize("NFKD", newsletter.name.lower()) if not unicodedata.combining(c))
    label = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:63].strip("-") or "newsletter"
    list_id = sender.list_id or f"{label}.{domain}"
    if not _LIST_ID.fullmatch(check_header("List-Id", list_id)) or len(list_id) > 255:
        raise HeaderError(f"List-Id: {list_id[:80]!r} is not a list id like breaking-news.example.org")
    name = check_header("List-Id", newsletter.name)
    return ("List-Id", _fold("List-Id", [*_phrase_tokens(name), f"<{list_id}>"]))


def _unsubscribe_headers(sender: Sender, unsubscribe_url: str) -> tuple[tuple[str, _Folded], ...]:
    return _unsubscribe_headers_for(sender.unsubscribe_mailto, unsubscribe_url)


@lru_cache(maxsize=64)
def _unsubscribe_headers_for(mailto: str | None, unsubscribe_url: str) -> tuple[tuple[str, _Folded], ...]:
    # readers without a URL of their own share the newsletter's: checked, encoded and folded once, not 10 us
    # a message (a failed check raises each time: lru_cache keeps no exception)
    if unsubscribe_url[:7].lower() == "mailto:":
        _check_unsubscribe_mailto(unsubscribe_url)
    unsubscribe = [f"<{header_url('List-Unsubscribe', unsubscribe_url)}>"]
    if mailto:
        unsubscribe.append(f"<mailto:{check_address('List-Unsubscribe', mailto)}?subject=unsubscribe>")
    headers = [("List-Unsubscribe", _fold("List-Unsubscribe", [t + "," for t in unsubscribe[:-1]] + unsubscribe[-1:]))]
    if unsubscribe_url.startswith("https://"):
        headers.append(("List-Unsubscribe-Post", _fold("List-Unsubscribe-Post", ["List-Unsubscribe=One-Click"])))
    return tuple(headers)


def _check_unsubscribe_mailto(url: str) -> None:
    # the models refuse these at load; a header written from a constructed model is checked again
    problem = mailto_unsubscribe_problem(url)
    if problem:
        raise HeaderError(f"List-Unsubscribe: {problem} ({url[:200]!r})")
    check_address("List-Unsubscribe", unquote(url[7:].partition("?")[0]))


def _to(email: RenderedEmail, to: str | Recipient | None) -> tuple[str, str]:
    if to is not None and not isinstance(to, str | Recipient):
        raise HeaderError(f"to: expected an address or a mailkit.Recipient, not {type(to).__name__}")
    recipient = to if isinstance(to, Recipient) else email.recipient
    address = to if isinstance(to, str) else (recipient.email if recipient else None)
    if not address:
        raise HeaderError("To: no recipient address")
    name = recipient.first_name if recipient and recipient.email == address else ""
    return name, address


# -- the headers, in the order every writer uses ----------------------------------------


def _sender_headers(subject: str, sender: Sender) -> list[tuple[str, _Folded]]:
    headers = [("Subject", _fold("Subject", _text_tokens(check_header("Subject", subject)), split_words=True)),
               ("From", _mailbox("From", sender.name, sender.address))]
    if sender.reply_to:
        headers.append(("Reply-To", _mailbox("Reply-To", "", sender.reply_to)))
    return headers


def _reader_headers(list_id: tuple[str, _Folded], sender: Sender, to_name: str, to_address: str,
                    date: datetime | None, message_id: str | None, domain: str,
                    unsubscribe_url: str) -> list[tuple[str, _Folded]]:
    # every writer's arguments pass here: a wrong type is the caller's error, named, not an
    # AttributeError from email.utils ('str' object has no attribute 'timetuple')
    for argument, value, kind in (("date", date, datetime), ("message_id", message_id, str),
                                  ("message_id_domain", domain, str)):
        if value is not None and not isinstance(value, kind):
            raise HeaderError(f"{argument}: expected {kind.__name__}, not {type(value).__name__}")
    # make_msgid(domain=...) never calls socket.getfqdn()
    message_id = message_id or make_msgid(domain=ascii_domain("message_id_domain", domain))
    if not _MESSAGE_ID.fullmatch(check_header("Message-ID", message_id)):
        raise HeaderError(f"Message-ID: {message_id[:80]!r} is not <left@right> in printable ASCII")
    return [
        ("To", _mailbox("To", to_name, to_address)),
        ("Date", _date_header(date or datetime.now(UTC))),
        ("Message-ID", _fold("Message-ID", [message_id])),
        list_id,
        *_unsubscribe_headers(sender, unsubscribe_url),
    ]


@lru_cache(maxsize=16)
def _date_header(date: datetime) -> _Folded:
    # a campaign's messages share one Date (see mailkit._deliver): formatted and folded once, not 10 us each
    return _fold("Date", format_datetime(date).split(" "))


def _mime_headers(lang: str, boundary: str) -> list[tuple[str, _Folded]]:
    return [("MIME-Version", _fold("MIME-Version", ["1.0"])),
            ("Content-Language", _fold("Content-Language", [lang])),
            ("Content-Type", _fold("Content-Type", ["multipart/alternative;", f'boundary="{boundary}"']))]


QP, BASE64 = "quoted-printable", "base64"

_PART_HEADERS = {(sub, cte): [("Content-Type", _fold("Content-Type", [f"text/{sub};", 'charset="utf-8"'])),
                              ("Content-Transfer-Encoding", _fold("Content-Transfer-Encoding", [cte]))]
                 for sub in ("plain", "html") for cte in (QP, BASE64)}


def _header_bytes(headers: Iterable[tuple[str, str]]) -> bytes:
    return "".join(f"{name}: {value}\r\n" for name, value in headers).encode("ascii")


# -- the bodies: quoted-printable or base64, the same bytes whichever writer ---------------


def _canonical(content: str) -> str:
    # A text part's line break is CRLF (RFC 2046 4.1.1): a CR alone, or a CRLF
    # already in the content, is a line break like LF. binascii.b2a_qp would
    # copy a lone CR through as it is (and switch to CRLF output when the first
    # line ends in one), and a lone CR on the wire ends an SMTP DATA early on
    # some servers ("<CR>.<CR><LF>", SMTP smuggling).
    return content.replace("\r\n", "\n").replace("\r", "\n") if "\r" in content else content


def _qp(content: str) -> bytes:
    # binascii's quoted-printable is C: lines of at most 76 octets, trailing
    # spaces and "=" encoded, 10-50x faster than email.quoprimime on a digest.
    return binascii.b2a_qp(_canonical(content).encode("utf-8"), istext=True)


def _qp_segment(content: str) -> bytes:
    """QP of a piece of a part, ending in a soft line break so pieces can be joined."""
    return _soft_end(_qp(content))


def _soft_end(encoded: bytes) -> bytes:
    """``encoded`` (binascii's QP) ending in a line break, a soft one added if it has none.

    binascii ends the data on a line of up to 76 characters; the "=" of a soft
    break counts in the 76 (RFC 2045 6.7 rule 5), so a last line over 75 is
    broken before its last character or escape ("=XX" is never split).
    """
    if not encoded or encoded.endswith(b"\n"):
        return encoded
    start = encoded.rfind(b"\n") + 1
    if len(encoded) - start <= 75:
        return encoded + b"=\n"
    cut = start + 75
    cut = next((at for at in (cut - 2, cut - 1) if encoded[at:at + 1] == b"="), cut)
    return encoded[:cut] + b"=\n" + encoded[cut:] + b"=\n"


def _choose(raw: bytes, qp: bytes) -> str:
    """QP unless base64 (76-character lines) would be smaller on the wire."""
    return _choose_size(len(raw), len(qp))


def _choose_size(raw: int, qp: int) -> str:
    if qp * 3 <= raw * 4:  # QP within 4/3 of the raw size: base64 cannot be smaller
        return QP
    b64 = 4 * ((raw + 2) // 3)
    return BASE64 if b64 + b64 // 76 < qp else QP


def _base64(content: str) -> bytes:
    # 76-character lines; the base64 alphabet holds no "-", so no "mk-" boundary can occur in it
    return base64.encodebytes(_canonical(content).encode("utf-8"))


def encode_part(content: str) -> tuple[str, str]:
    """``(Content-Transfer-Encoding, body)`` for a text part: QP or base64, whichever is smaller.

    The body has ``\n`` line ends (written as CRLF) and lines of at most 76
    octets either way.
    """
    qp = _qp(content)
    if _choose(_canonical(content).encode("utf-8"), qp) == BASE64:
        return BASE64, _base64(content).decode("ascii")
    return QP, qp.decode("ascii")


def wire_size(content: str) -> int:
    """Octets of ``content`` as a message part carries it: encoded as :func:`encode_part` does, CRLF line ends.

    What a mailbox receives, and what Gmail's clip limit is measured against
    (the decoded HTML is smaller: 99,480 bytes of English HTML are 104,794 in
    quoted-printable).
    """
    body = encode_part(content)[1]
    return len(body) + body.count("\n")


def html_wire_size(email: RenderedEmail) -> int:
    """Octets of ``email``'s HTML part as the message writers send it (CRLF line ends).

    A prepared email's quoted-printable part is encoded in pieces cut at the
    recipient slots (each ends in a soft line break), so it can be a few dozen
    octets longer than :func:`wire_size` of the whole HTML: this is the size
    Gmail receives.
    """
    body = _html_body(email)[0][1]
    return len(body) + body.count(b"\n")


def max_wire_size(size: int) -> int:
    """An upper bound of :func:`wire_size` for ``size`` bytes of UTF-8: their base64 size.

    The smaller encoding is chosen, so a part is never larger than its base64;
    the checks skip the exact measure (half a millisecond of QP) below the clip.
    """
    b64 = 4 * ((size + 2) // 3)
    return b64 + 2 * -(-b64 // 76)


@lru_cache(maxsize=16)
def _html_cte(static: tuple[str, ...]) -> str:
    # A prepared email's HTML part is encoded one way for every reader, chosen
    # on the HTML around the recipient slots (a few bytes of names and URLs
    # cannot change which is smaller), so BulkMessages and message_bytes agree.
    whole = "".join(static)
    return _choose(_canonical(whole).encode("utf-8"), b"".join(_qp_static(static)))


@lru_cache(maxsize=16)
def _qp_static(static: tuple[str, ...]) -> tuple[bytes, ...]:
    # a prepared email's HTML around its recipient slots, encoded once
    return tuple(map(_qp_segment, static))


def _html_qp(parts: Parts, values: Sequence[str]) -> tuple[bytes, list[bytes]] | None:
    """The HTML part encoded piece by piece (static text encoded once) and its encoded values.

    None when a value holds a line break: such an HTML part is encoded whole.
    """
    tokens = parts.tokens(values, html_escape_all)
    if any("\n" in t or "\r" in t for t in tokens):
        return None
    static = _qp_static(parts.static)
    out = [static[0]]
    encoded_values = []
    b2a_qp = binascii.b2a_qp
    for value, piece in zip(tokens, static[1:], strict=True):
        # _qp_segment without _canonical: these values hold no CR (above)
        encoded = _soft_end(b2a_qp(value.encode("utf-8"), istext=True))
        encoded_values.append(encoded)
        out.append(encoded)
        out.append(piece)
    return b"".join(out), encoded_values


class _TextQP:
    """A prepared text part's quoted-printable, encoded once except the lines that hold recipient slots.

    Quoted-printable is encoded line by line (binascii's soft breaks, trailing
    space and lone-dot rules look no further than the line's end), so the
    encoding of a text is the encodings of its lines joined. The lines without
    a slot are encoded here, once; :meth:`encode` encodes only the lines a
    reader's values fall in (a name, a URL, a re-wrapped paragraph) and joins:
    the same bytes as :func:`encode_part` of the whole filled text (tested),
    without encoding 5 KB of text again for every message (35 us of a breaking
    alert's 70).
    """

    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        self.usable = not any("\r" in piece for piece in parts.static)  # else: the whole text is canonicalised
        # pieces: encoded static lines (bytes), or the text of lines holding slots, as a list of str
        # (static text) and int (the n-th token's value) to fill and encode per reader
        self.pieces: list[bytes | list[str | int]] = []
        self.static_size = 0  # octets of the static lines, UTF-8 (for the choice of encoding)
        static, tokens = parts.static, len(parts.slots)
        line: list[str | int] = []
        for n, piece in enumerate(static):
            if n == 0 or "\n" in piece:
                head, _, rest = piece.partition("\n") if n else ("", "", piece)
                if n:
                    line.append(head + "\n")
                    self.pieces.append(line)
                whole, cut = rest[: rest.rfind("\n") + 1], rest[rest.rfind("\n") + 1 :]
                self._static(whole)
                line = [cut]
            else:
                line.append(piece)
            if n < tokens:
                line.append(n)
        if any(isinstance(item, int) for item in line):
            self.pieces.append(line)
        else:
            self._static("".join(str(item) for item in line))
        self.pieces = [p for p in self.pieces if p != b""]

    def _static(self, text: str) -> None:
        raw = _canonical(text).encode("utf-8")
        self.static_size += len(raw)
        self.pieces.append(binascii.b2a_qp(raw, istext=True))

    def encode(self, values: Sequence[str]) -> tuple[str, bytes] | None:
        """``(QP, body)`` for the text filled with ``values``; None when the whole text must be encoded
        (base64 is smaller, or a value holds a CR: the canonical form is then the whole text's)."""
        if not self.usable:
            return None
        tokens = self.parts.tokens(values)
        out: list[bytes] = []
        size = self.static_size
        b2a_qp = binascii.b2a_qp
        for piece in self.pieces:
            if isinstance(piece, bytes):
                out.append(piece)
                continue
            text = "".join(tokens[item] if isinstance(item, int) else item for item in piece)
            if "\r" in text:
                return None
            raw = text.encode("utf-8")
            size += len(raw)
            out.append(b2a_qp(raw, istext=True))
        body = b"".join(out)
        if _choose_size(size, len(body)) == BASE64:
            return None
        return QP, body


def _text_body(content: str) -> tuple[str, bytes]:
    cte, body = encode_part(content)
    return cte, body.encode("ascii")


def _bodies(email: RenderedEmail) -> tuple[tuple[str, bytes], tuple[str, bytes], str]:
    """The text and HTML parts, each ``(Content-Transfer-Encoding, body)``, and their boundary.

    An email from :func:`mailkit.prepare` (and so :func:`mailkit.render`) is
    encoded the way :class:`BulkMessages` encodes it, piece by piece, so the
    two give the same bytes; any other is encoded whole.
    """
    text = _text_body(email.text)
    html, static, values = _html_body(email)
    return text, html, _boundary(_seed(static), text[1], values)


def _html_body(email: RenderedEmail) -> tuple[tuple[str, bytes], tuple[str, ...], list[bytes]]:
    """The HTML part ``(Content-Transfer-Encoding, body)``, the HTML its boundary's seed is made from,
    and the encoded recipient values in it (see :func:`_bodies`).

    Apart from the text part, which the clip check (:func:`html_wire_size`) does
    not need: encoding it was 1.6 ms of that check's 4.2 at 1,000 paragraphs.
    """
    source = email.html_parts
    if source is not None:
        parts, values = source
        if parts.fill(values, html_escape_all) == email.html:
            if _html_cte(parts.static) == BASE64:
                return (BASE64, _base64(email.html)), parts.static, []
            encoded = _html_qp(parts, values)
            if encoded is not None:
                return (QP, encoded[0]), parts.static, encoded[1]
    # the seed is a hash of this whole HTML, so only the text can hold it
    cte, html = encode_part(email.html)
    body = _qp_segment(email.html) if cte == QP else html.encode("ascii")
    return (cte, body), (email.html,), []


def _seed(static: tuple[str, ...]) -> str:
    return "mk-" + hashlib.sha256("\0".join(static).encode()).hexdigest()[:32]


def _boundary(seed: str, text: bytes, html_values: Iterable[bytes]) -> str:
    # The seed, a hash of the static HTML, cannot be in that HTML (searched for
    # only in the encoded values, where a reader could put it on purpose, and
    # in the text part); if it is there, a boundary made from the encoded
    # parts themselves cannot be in them.
    mark = seed.encode()
    values = list(html_values)
    if mark in text or any(mark in v for v in values):
        return "mk-" + hashlib.sha256(mark + text + b"".join(values)).hexdigest()[:32]
    return seed


def _assemble(head: bytes, boundary: str, text_part: tuple[str, bytes], html_part: tuple[str, bytes]) -> bytes:
    # What email.generator writes for a multipart/alternative of two parts
    # (tested equal): "--boundary", part headers, blank line, body; CRLF
    # throughout. Fit for SMTP by construction, and checked where it is cheap:
    # the headers in full; the bodies are binascii's quoted-printable (lines of
    # at most 76 octets, 7-bit) of content without a CR, whose LFs become CRLF
    # here. (check_wire over a whole digest message costs as much as writing it.)
    check_wire(head)
    (text_cte, text), (html_cte, html) = text_part, html_part
    if b"\r" in text or b"\r" in html:
        raise HeaderError("message: a CR in an encoded body")  # pragma: no cover - _canonical removes them
    delimiter = b"\r\n--" + boundary.encode("ascii") + b"\r\n"
    raw = b"".join([head, delimiter, _header_bytes(_PART_HEADERS["plain", text_cte]), b"\r\n", text.replace(b"\n", b"\r\n"),
                    delimiter, _header_bytes(_PART_HEADERS["html", html_cte]), b"\r\n", html.replace(b"\n", b"\r\n"),
                    b"\r\n--", boundary.encode("ascii"), b"--\r\n"])
    return raw


_CRLF_ONLY = re.compile(rb"[^\r\n]*(?:\r\n[^\r\n]*)*")


def check_wire(raw: bytes) -> bytes:
    """``raw`` unchanged if it is fit for SMTP: 7-bit, CRLF line ends only, no line over 998 octets.

    Every writer's output passes through here, whatever its input: a CR or LF
    alone never reaches the wire, however it got into the message.
    """
    crlf = raw.count(b"\r\n")
    if raw.count(b"\r") != crlf or raw.count(b"\n") != crlf:
        m = re.search(rb"\r(?!\n)|(?<!\r)\n", raw)
        at = m.start() if m else -1
        kind = "CR" if m and m.group() == b"\r" else "LF"
        raise HeaderError(f"message: a bare {kind} at octet {at} refused")
    longest = max(map(len, raw.split(b"\r\n")))
    if longest > MAX_LINE:
        raise HeaderError(f"message: a line of {longest} octets, over the limit of {MAX_LINE}")
    if not raw.isascii():
        raise HeaderError("message: an 8-bit byte in a 7-bit message")
    return raw


# -- the three writers ---------------------------------------------------------------------


@cache
def smtp_policy() -> EmailPolicy:
    """The policy of every message mailkit builds (mailkit._policy: headers folded by mailkit).

    Made on first use: email.policy (with its header registry and parser) is
    loaded when a message is built, not by every render (about 2 ms of a cold
    ``mailkit render``, -X importtime).
    """
    from ._policy import SMTPPolicy

    return SMTPPolicy(linesep="\r\n", encode=_encode_header, folded=_Folded)  # type: ignore[call-overload]  # its own attributes


def _encode_header(name: str, value: str) -> _Folded:
    return _fold(name, _text_tokens(check_header(name, value)), split_words=True)


class _Message(EmailMessage):
    """An EmailMessage whose bytes are checked fit for SMTP (see :func:`check_wire`)."""

    def as_bytes(self, unixfrom: bool = False, policy: Any = None) -> bytes:
        return check_wire(super().as_bytes(unixfrom, policy))


def build_message(email: RenderedEmail, *, to: str | Recipient | None = None, sender: SenderArg = None,
                  date: datetime | None = None, message_id: str | None = None,
                  message_id_domain: str | None = None) -> EmailMessage:
    """Build the MIME message for ``email`` addressed to ``to`` (default: its recipient)."""
    sender = _sender(email.edition, sender)
    to_name, to_address = _to(email, to)
    domain = message_id_domain or sender.address.rpartition("@")[2]
    text, html, boundary = _bodies(email)
    msg = _Message(policy=smtp_policy())
    for name, value in [*_sender_headers(email.subject, sender),
                        *_reader_headers(_list_id(email.edition, sender), sender, to_name, to_address, date, message_id, domain,
                                         email.unsubscribe_url),
                        *_mime_headers(email.edition.lang, boundary)]:
        msg[name] = value
    msg.set_payload([_part("plain", text), _part("html", html)])
    return msg


def _part(subtype: str, body: tuple[str, bytes]) -> MIMEPart:
    cte, encoded = body
    part = MIMEPart(policy=smtp_policy())
    for name, value in _PART_HEADERS[subtype, cte]:
        part[name] = value
    part.set_payload(encoded.decode("ascii"))
    return part


def message_bytes(email: RenderedEmail, *, to: str | Recipient | None = None, sender: SenderArg = None,
                  date: datetime | None = None, message_id: str | None = None,
                  message_id_domain: str | None = None) -> bytes:
    """The message as bytes with CRLF line ends, ready for SMTP or a ``.eml`` file.

    The same bytes as ``build_message(...).as_bytes()`` (and, for a prepared
    email, as :class:`BulkMessages`), written directly: email.generator writes
    a body line by line, which costs milliseconds on a digest; this costs a
    few hundred microseconds (pinned in tests).
    """
    sender_ = _sender(email.edition, sender)
    to_name, to_address = _to(email, to)
    domain = message_id_domain or sender_.address.rpartition("@")[2]
    text, html, boundary = _bodies(email)
    head = _header_bytes([*_sender_headers(email.subject, sender_),
                          *_reader_headers(_list_id(email.edition, sender_), sender_, to_name, to_address, date,
                                           message_id, domain, email.unsubscribe_url),
                          *_mime_headers(email.edition.lang, boundary)])
    return _assemble(head, boundary, text, html)


class PreparedMessage:
    """What every reader's message of one prepared email shares, written once.

    The headers that are the same for everyone are folded once and the HTML
    part is quoted-printable encoded once, in pieces cut at the recipient
    slots; :meth:`message` then encodes only one reader's values.
    :class:`mailkit.BulkMessages` writes its messages with it.
    """

    def __init__(self, edition: Edition, subject: str, html: Parts, *, text: Parts | None = None,
                 sender: SenderArg = None, message_id_domain: str | None = None) -> None:
        self.html = html
        self._text = _TextQP(text) if text is not None else None
        self.lang = edition.lang
        self.sender = _sender(edition, sender)
        self.domain = message_id_domain or self.sender.address.rpartition("@")[2]
        self._head = _header_bytes(_sender_headers(subject, self.sender))
        self._list_id = _list_id(edition, self.sender)
        self.boundary = _seed(html.static)
        self._tail = _header_bytes(_mime_headers(edition.lang, self.boundary))
        self._html_base64 = _html_cte(html.static) == BASE64

    def message(self, recipient: Recipient, values: Sequence[str], text: str, *, date: datetime | None = None,
                message_id: str | None = None) -> bytes | None:
        """``recipient``'s message: its slot ``values`` in the HTML, ``text`` as the text part.

        None when a value holds a line break: such an HTML part is encoded
        whole, by :func:`message_bytes` (as it encodes any other email).
        """
        text_part = (self._text.encode(values) if self._text is not None else None) or _text_body(text)
        html: tuple[str, bytes]
        if self._html_base64:
            # base64 cannot be joined from pieces encoded apart: encoded whole (C, ~50 us a digest)
            html = (BASE64, _base64(self.html.fill(values, html_escape_all)))
            html_values: list[bytes] = []
        else:
            encoded = _html_qp(self.html, values)
            if encoded is None:
                return None
            html, html_values = (QP, encoded[0]), encoded[1]
        boundary = _boundary(self.boundary, text_part[1], html_values)
        tail = self._tail if boundary == self.boundary else _header_bytes(_mime_headers(self.lang, boundary))
        unsubscribe = values[_UNSUBSCRIBE]
        head = _header_bytes(_reader_headers(self._list_id, self.sender, recipient.first_name, recipient.email,
                                             date, message_id, self.domain, unsubscribe))
        return _assemble(self._head + head + tail, boundary, text_part, html)
