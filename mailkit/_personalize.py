"""Render once, personalise per recipient.

:func:`mailkit.prepare` runs the whole pipeline once with placeholder tokens
where recipient fields go (see :mod:`mailkit._slots`);
:meth:`PreparedEmail.personalize` fills them in for one recipient, escaping
each value for the part it stands in (HTML, MJML, plain text) and re-wrapping
only the text lines that hold one. :func:`mailkit.render` itself is
:func:`mailkit.prepare` and the same fill-in, so a personalised email equals a
full render for that recipient, byte for byte. :class:`BulkMessages` goes one
step further, to each recipient's complete message as bytes.

A :class:`PreparedEmail` holds strings, tuples and picklable getters: it is
immutable, thread-safe and pickles, so worker processes can share it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from itertools import accumulate
from operator import itemgetter
from typing import Any

from ._errors import OptionsError
from ._message import PreparedMessage, RenderedEmail, SenderArg, message_bytes
from ._models import Edition, Footer, Recipient
from ._slots import (
    LINK_PARAMS,
    TOKENS,
    VALUE_ORDER,
    Parts,
    Picker,
    Tokens,
    html_escape,
    html_escape_all,
    joint_pickers,
    link_query,
    new_nonce,
    slot_values,
    token_source,
    value_index,
)
from ._text import URL_LINE, Line, TextOptions, lay_out, lay_out_text
from ._warning import RenderWarning

__all__ = ["BulkMessages", "PreparedEmail"]

_CACHED = frozenset({"_footer", "_link_params", "_plan", "_shared"})  # PreparedEmail's cached properties


def _lines_holding(lines: list[Line], nonces: tuple[str, ...]) -> list[int]:
    """The indices, in order, of the lines whose text may hold one of ``nonces``: every
    line that does, and perhaps a few that do not (a nonce read across two lines).

    Found in the lines' texts joined, by C searches: the Python step a line that
    asked each line was 0.17 ms of a 150-paragraph alert's 0.5 ms build (345
    lines), when only a handful (the footer's links, a greeting) hold a token.
    """
    texts = list(map(itemgetter(1), lines))
    joined = "".join(texts)
    found: set[int] = set()
    starts: list[int] | None = None
    for nonce in nonces:
        pos = joined.find(nonce)
        while pos != -1:
            if starts is None:
                starts = list(accumulate(map(len, texts), initial=0))
            found.add(bisect_right(starts, pos) - 1)  # the line the match starts in
            pos = joined.find(nonce, pos + 1)
    return sorted(found)



def checked_recipient(recipient: Recipient | Mapping[str, Any] | None) -> Recipient | None:
    """``recipient`` as a :class:`Recipient`: a mapping is validated (errors name ``recipient.email``
    ...), anything else but ``None`` is an :class:`OptionsError`. render(), personalize() and
    BulkMessages.message() all take readers through here."""
    if isinstance(recipient, Mapping):
        return Recipient.validate_from(recipient, "recipient")
    if recipient is not None and not isinstance(recipient, Recipient):
        raise OptionsError(f"recipient: expected a Recipient or a mapping, not {type(recipient).__name__}")
    return recipient


@dataclass(frozen=True)
class PreparedEmail:
    """An email rendered once with recipient placeholders; :meth:`personalize` fills them in."""

    template: str
    edition: Edition
    subject: str
    preheader: str
    mjml: Parts
    html: Parts
    text: Parts
    # text lines holding a token, wrapped per recipient (a "lineN" slot in ``text``)
    text_lines: tuple[Line, ...]
    text_options: TextOptions
    pattern: str
    fallbacks: tuple[str, ...]
    warnings: tuple[RenderWarning, ...]

    @classmethod
    def build(cls, *, template: str, edition: Edition, subject: str, preheader: str, mjml: str, html: str,
              text: list[Line] | str, text_options: TextOptions, nonce: str,
              fallbacks: tuple[str, ...], warnings: tuple[RenderWarning, ...]) -> PreparedEmail:
        """Cut the rendered parts at their tokens (``text``: logical lines, or an explicit text part)."""
        # the text lines wrapped per recipient get placeholders under a nonce of
        # their own: no template, having seen a recipient placeholder, can make one
        line_nonce = new_nonce()
        tokens = Tokens(nonce, line_nonce)
        dynamic: list[Line] = []
        if isinstance(text, list):
            lines: list[Line] = []
            last = 0
            for i in _lines_holding(text, (nonce, line_nonce)):
                kind, line = text[i]
                if kind != "raw" and tokens.search(line) and not URL_LINE.match(line):
                    # wrapping depends on the value: this line is laid out per recipient;
                    # blank lines around it, and so the final layout, do not
                    lines += text[last:i]  # the same tuples: a new one a line is work for the garbage collector
                    last = i + 1
                    marker = ("raw", f"mk{line_nonce}xline{len(dynamic)}q")
                    dynamic.append((kind, line))
                    lines += [("raw", ""), marker, ("raw", "")] if kind.startswith("heading") else [marker]
            lines += text[last:]
            text = lay_out_text(lines, text_options) if lines else ""
        index = value_index(len(fallbacks), len(dynamic))
        return cls(template=template, edition=edition, subject=subject, preheader=preheader,
                   mjml=Parts.cut(mjml, tokens, index), html=Parts.cut(html, tokens, index),
                   text=Parts.cut(text, tokens, index), text_lines=tuple(dynamic), text_options=text_options,
                   pattern=token_source(nonce, line_nonce), fallbacks=fallbacks, warnings=warnings)

    def __getstate__(self) -> dict[str, object]:
        # the fields only, not what cached_property kept beside them (_footer, _plan ...): the
        # pickle is the same before and after a personalize, and so is the hash the Celery
        # store names it by (mailkit.celery.store_prepared)
        return {name: value for name, value in self.__dict__.items() if name not in _CACHED}

    @cached_property
    def _footer(self) -> Footer:
        # looked up once, not per recipient
        return self.edition.newsletter.footer

    @cached_property
    def _link_params(self) -> bool:
        # whether a token takes the link parameters: else slot_values leaves
        # out the query (a text line wrapped per reader may hold any token)
        return bool(self.text_lines) or any(
            slot in LINK_PARAMS for part in (self.mjml, self.html, self.text) for slot in part.slots)

    def personalize_values(self, recipient: Recipient | Mapping[str, Any] | None) -> tuple[str, ...]:
        """The recipient's slot values (see :data:`mailkit._slots.VALUE_ORDER`), unescaped.

        The link-parameter slots are empty in an email without a token for them.
        """
        if recipient.__class__ is not Recipient:  # a mapping or a wrong type: one check, ~30 ns
            recipient = checked_recipient(recipient)
        values = slot_values(recipient, self._footer, self.fallbacks, self._link_params)
        if self.text_lines:
            pattern = re.compile(self.pattern)
            index = value_index(len(self.fallbacks), len(self.text_lines))
            lines = []
            for kind, line in self.text_lines:
                laid = lay_out((kind, pattern.sub(lambda m: values[index[m.group(1)]], line)), self.text_options)
                lines.append("\n".join(laid[1:-1] if kind.startswith("heading") else laid))
            values += tuple(lines)
        return values

    def personalize(self, recipient: Recipient | Mapping[str, Any] | None = None) -> RenderedEmail:
        """This email for ``recipient`` (``None``: the newsletter's own links, no name; a mapping
        is validated as a :class:`Recipient`)."""
        if recipient.__class__ is not Recipient:  # a mapping or a wrong type: one check, ~30 ns
            recipient = checked_recipient(recipient)
        # no reader, or text lines wrapped per reader; recipient first: the plan
        # is built on first use, and the newsletter's own email needs none
        if recipient is None or (plan := self._plan) is None:
            values = self.personalize_values(recipient)
            html = self.html
            return RenderedEmail._personalised(self._shared, html.fill(values, html_escape_all),
                                               self.text.fill(values), recipient, (html, values))
        # The per-recipient cost of a send (bench/run.py, section 3; target: 1,000x
        # a full render): slot_values, Parts.fill and html_escape_all written out
        # for the plan's shape, the values gathered and escaped once for both
        # parts, and what personalize reads of this email in one unpacking.
        # Breaking alert 3.3 -> 2.5 us (timeit); a method call is ~0.05 us.
        (shared, html_parts, unsubscribe, preferences, wants_name, wants_email, wants_params, wants_amp,
         fallbacks, gather, html_skeleton, html_place, text_skeleton, text_place) = plan
        # only the fields a token takes are read: each reader's strings are
        # elsewhere in memory, each a cache miss (bench section 3: 2,000 readers)
        name = recipient.first_name if wants_name else ""
        params = recipient.link_params if wants_params else None
        query = link_query(params, "?") if params else ""  # the prefix in the same f-string
        values = (name, recipient.email if wants_email else "", recipient.unsubscribe_url or unsubscribe,
                  recipient.preferences_url or preferences, query, "&" + query[1:] if wants_amp and query else "")
        if fallbacks:
            values += tuple(name or fallback for fallback in fallbacks)
        used = gather(values)
        # html_escape_all written out (0.06 us a call, timeit): the values escaped
        # as one string, joined at NULs and split there again
        escaped = html_escape("\0".join(used)).split("\0")
        if len(escaped) != len(used):  # a NUL in a value (past the model's check)
            escaped = [html_escape(value) for value in used]
        # Parts.fill's copy of the skeleton and slice assignment, see there
        out = [*html_skeleton]
        out[TOKENS] = escaped if html_place is None else html_place(escaped)
        filled = "".join(out)
        out = [*text_skeleton]
        out[TOKENS] = used if text_place is None else text_place(used)
        return _personalised(shared, filled, "".join(out), recipient, (html_parts, values))

    @cached_property
    def _plan(self) -> _Plan | None:
        # what personalize reads of this email, looked up once; None: its text
        # lines are wrapped per reader (personalize_values)
        if self.text_lines:
            return None
        slots = set(self.mjml.slots + self.html.slots + self.text.slots)
        fallback = len(VALUE_ORDER)  # the first fallback's position
        gather, html_place, text_place = joint_pickers(self.html, self.text)
        footer = self._footer
        return (self._shared, self.html, footer.unsubscribe_url, footer.preferences_url,
                _FIRST_NAME in slots or any(slot >= fallback for slot in slots),  # wants_name
                _EMAIL in slots, not slots.isdisjoint(LINK_PARAMS), _LINK_PARAMS_AMP in slots,
                self.fallbacks, gather, self.html.skeleton, html_place, self.text.skeleton, text_place)

    @cached_property
    def _shared(self) -> dict[str, object]:
        # the RenderedEmail fields every recipient's email shares (see RenderedEmail._personalised);
        # the MJML is filled on first use with the values in html_parts
        return {"template": self.template, "subject": self.subject, "preheader": self.preheader,
                "edition": self.edition, "warnings": self.warnings, "mjml_source": self.mjml}


# bound once: looking a classmethod up binds it anew each time (0.03 us)
_personalised = RenderedEmail._personalised
_FIRST_NAME, _EMAIL = VALUE_ORDER.index("firstname"), VALUE_ORDER.index("email")
_LINK_PARAMS_AMP = VALUE_ORDER.index("linkparamsamp")  # "&" and the query, for a link with one of its own


# What PreparedEmail.personalize reads of a prepared email, in one unpacking:
#   shared            PreparedEmail._shared
#   html              the HTML Parts (RenderedEmail.html_parts)
#   unsubscribe_url   the newsletter's, for a reader without one of their own
#   preferences_url
#   wants_name        whether a token takes the first name (or a fallback for it) ...
#   wants_email       ... the address
#   wants_params      ... the link parameters; a slot no token takes is left empty
#   wants_amp         ... the link parameters after a link's own query ("&rid=...")
#   fallbacks
#   gather            the values the HTML and text parts use, each once (joint_pickers) ...
#   html_skeleton
#   html_place        ... and each part's tokens' values from those
#   text_skeleton
#   text_place
# A plain tuple, not a NamedTuple: Python 3.11 unpacks an exact tuple in one
# specialised instruction, a subclass through its iterator, fifteen calls
# (about 400 of a breaking alert's 32,000 instructions, cachegrind)
_Plan = tuple[dict[str, object], Parts, str, str, bool, bool, bool, bool, tuple[str, ...],
              Picker, tuple[str, ...], Picker | None, tuple[str, ...], Picker | None]

class BulkMessages:
    """Complete messages for many recipients from one :class:`PreparedEmail`, fast.

    Headers that are the same for everyone are folded once and the HTML part
    is quoted-printable encoded once, in pieces cut at the recipient slots
    (:class:`mailkit._message.PreparedMessage`); each message then encodes only
    that recipient's values. Each message is byte for byte what
    :func:`~mailkit.message_bytes` gives for ``prepared.personalize(recipient)``
    with the same date and Message-ID.

    ``sender`` is what :func:`~mailkit.message_bytes` takes: a :class:`~mailkit.Sender`, a
    dict of its fields, or an address alone (the newsletter's sender's name kept); None is
    the newsletter's sender. ``message_id_domain`` (an IDN is written as its A-label) is the
    right side of each Message-ID, the sender's domain by default.

    >>> bulk = BulkMessages(mailkit.prepare("digest", edition))          # doctest: +SKIP
    >>> for reader in readers:                                           # doctest: +SKIP
    ...     smtp.sendmail(sender, [reader.email], bulk.message(reader))
    """

    def __init__(self, prepared: PreparedEmail, *, sender: SenderArg = None,
                 message_id_domain: str | None = None) -> None:
        self.prepared = prepared
        self._writer = PreparedMessage(prepared.edition, prepared.subject, prepared.html, text=prepared.text,
                                       sender=sender, message_id_domain=message_id_domain)
        self.sender = self._writer.sender
        self.domain = self._writer.domain
        self.boundary = self._writer.boundary  # a message's unless a reader's values hold it

    def message(self, recipient: Recipient | Mapping[str, Any], *, date: datetime | None = None,
                message_id: str | None = None) -> bytes:
        """The complete message for ``recipient`` (a mapping is validated as a :class:`Recipient`),
        as bytes with CRLF line ends."""
        if recipient.__class__ is not Recipient:
            reader = checked_recipient(recipient)
            if reader is None:  # a message goes to someone
                raise OptionsError("recipient: expected a Recipient or a mapping, not None")
            recipient = reader
        prepared = self.prepared
        values = prepared.personalize_values(recipient)
        raw = self._writer.message(recipient, values, prepared.text.fill(values), date=date, message_id=message_id)
        if raw is None:  # a value with a line break: the HTML is encoded whole, as message_bytes does
            return message_bytes(prepared.personalize(recipient), sender=self.sender, date=date,
                                 message_id=message_id, message_id_domain=self.domain)
        return raw
