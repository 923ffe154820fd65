"""Render once, personalise per recipient.

:func:`mailkit.prepare` runs the whole pipeline once with placeholder tokens
where recipient fields go; :meth:`PreparedEmail.personalize` fills them in
for one recipient, escaping each value for where it stands (HTML text, HTML
attribute, MJML, plain text) and re-wrapping only the text lines that hold
one. :func:`mailkit.render` itself is ``prepare(...).personalize(recipient)``,
so a personalised email equals a full render for that recipient, byte for byte.

A :class:`PreparedEmail` holds only strings and tuples: it is immutable,
thread-safe and pickles, so worker processes can share it.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Callable
import re
import secrets
from functools import lru_cache, partial
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote_plus

from markupsafe import Markup

from .models import Edition, Footer, Recipient
from .rendered import RenderedEmail
from .sanitize import encode_for_mrml
from .text import URL_LINE, Line, TextOptions, assemble, lay_out

__all__ = ["PreparedEmail", "RecipientSlots"]

SLOT_NAMES = ("first_name", "email", "unsubscribe_url", "preferences_url", "link_params_q", "link_params_amp")


class RecipientSlots:
    """What templates see as ``recipient``: placeholders filled in per recipient.

    ``{{ recipient.first_name }}`` (may be empty), ``{{ recipient.first_name_or("there") }}``,
    ``{{ recipient.email }}``; the footer's links use ``{{ unsubscribe_url }}`` and
    ``{{ preferences_url }}``, the recipient's own or else the newsletter's.
    """

    def __init__(self, nonce: str) -> None:
        self._nonce = nonce
        self.fallbacks: list[str] = []

    def token(self, name: str) -> Markup:
        return Markup(f"mk{self._nonce}x{name.replace('_', '')}q")

    @property
    def first_name(self) -> Markup:
        return self.token("first_name")

    @property
    def email(self) -> Markup:
        return self.token("email")

    def first_name_or(self, fallback: str) -> Markup:
        """The first name, or ``fallback`` for a recipient without one."""
        if fallback not in self.fallbacks:
            self.fallbacks.append(fallback)
        return self.token(f"fallback{self.fallbacks.index(fallback)}")


_PLAIN = re.compile(r"[A-Za-z0-9._~-]*")


def _query(params: dict[str, str]) -> str:
    # keys are validated as unreserved characters; values are quoted only when
    # they need it (urlencode costs microseconds per call)
    return "&".join(f"{k}={v if _PLAIN.fullmatch(v) else quote_plus(v)}" for k, v in params.items())


def _values(recipient: Recipient | None, footer: Footer, fallbacks: tuple[str, ...]) -> dict[str, str]:
    if recipient is None:
        values = {"firstname": "", "email": "", "unsubscribeurl": footer.unsubscribe_url,
                  "preferencesurl": footer.preferences_url, "linkparamsq": "", "linkparamsamp": ""}
        for i, fallback in enumerate(fallbacks):
            values[f"fallback{i}"] = fallback
        return values
    params = _query(recipient.link_params) if recipient.link_params else ""
    name = recipient.first_name
    values = {
        "firstname": name,
        "email": recipient.email,
        "unsubscribeurl": recipient.unsubscribe_url or footer.unsubscribe_url,
        "preferencesurl": recipient.preferences_url or footer.preferences_url,
        "linkparamsq": "?" + params if params else "",
        "linkparamsamp": "&" + params if params else "",
    }
    for i, fallback in enumerate(fallbacks):
        values[f"fallback{i}"] = name or fallback
    return values


# Both escapes are memoised: most values (the newsletter's own URLs, empty
# names, shared link parameters) repeat from one recipient to the next.
@lru_cache(maxsize=4096)
def _html_text(value: str) -> str:
    # most values (URLs, plain names) need no escaping: skip the replace calls
    if "&" in value or "<" in value or ">" in value:
        return html_lib.escape(value, quote=False)
    return value


@lru_cache(maxsize=4096)
def _html_attr(value: str) -> str:
    if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
        return html_lib.escape(value, quote=True)
    return value


# how a value is written where its token stands
ESCAPE: dict[str, Callable[[str], str]] = {
    "mjml": encode_for_mrml,
    "html-text": _html_text,
    "html-attr": _html_attr,
    "text": str,
}


class Parts(NamedTuple):
    """A rendered part cut at its tokens, ready to be filled in."""

    static: tuple[str, ...]  # the text around the tokens
    slots: tuple[tuple[str, str], ...]  # (slot, context) of each token, in order
    keys: tuple[tuple[str, str], ...]  # the distinct (slot, context) pairs
    order: tuple[int, ...]  # for each token, the position of its key
    tail: tuple[str, ...]  # static[1:], kept for join()


def split(source: str, pattern: re.Pattern[str], kind: str) -> Parts:
    """Cut ``source`` at each token; note each token's slot and escaping context."""
    static: list[str] = []
    slots: list[tuple[str, str]] = []
    last = 0
    for m in pattern.finditer(source):
        static.append(source[last : m.start()])
        context = kind
        if kind == "html":
            # inside a tag (after a "<" that no ">" closed) means an attribute value
            context = "html-attr" if source.rfind("<", 0, m.start()) > source.rfind(">", 0, m.start()) else "html-text"
        slots.append((m.group(1), context))
        last = m.end()
    static.append(source[last:])
    keys = tuple(dict.fromkeys(slots))
    return Parts(tuple(static), tuple(slots), keys, tuple(keys.index(slot) for slot in slots), tuple(static[1:]))


def join(parts: Parts, values: dict[str, str]) -> str:
    """Put the escaped values back between the static strings."""
    static = parts.static
    if len(static) == 1:
        return static[0]
    escaped = [ESCAPE[context](values[slot]) for slot, context in parts.keys]
    out = [static[0]]
    append = out.append
    for i, text in zip(parts.order, parts.tail):
        append(escaped[i])
        append(text)
    return "".join(out)


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
    warnings: tuple[str, ...]

    @classmethod
    def build(cls, *, template: str, edition: Edition, subject: str, preheader: str, mjml: str, html: str,
              text: list[Line] | str, text_options: TextOptions, nonce: str,
              fallbacks: tuple[str, ...], warnings: tuple[str, ...]) -> PreparedEmail:
        """Cut the rendered parts at their tokens (``text``: logical lines, or an explicit text part)."""
        pattern = re.compile(rf"mk{nonce}x([a-z0-9]+)q")
        dynamic: list[Line] = []
        if isinstance(text, list):
            laid_out: list[list[str]] = []
            for kind, line in text:
                if kind != "raw" and pattern.search(line) and not URL_LINE.match(line):
                    # wrapping depends on the value: this line is laid out per recipient;
                    # blank lines around it, and so the final layout, do not
                    marker = f"mk{nonce}xline{len(dynamic)}q"
                    dynamic.append((kind, line))
                    laid_out.append(["", marker, ""] if kind.startswith("heading") else [marker])
                else:
                    laid_out.append(lay_out((kind, line), text_options))
            text = assemble(laid_out, text_options) if laid_out else ""
        return cls(template=template, edition=edition, subject=subject, preheader=preheader,
                   mjml=split(mjml, pattern, "mjml"), html=split(html, pattern, "html"),
                   text=split(text, pattern, "text"), text_lines=tuple(dynamic), text_options=text_options,
                   pattern=pattern.pattern, fallbacks=fallbacks, warnings=warnings)

    def personalize_values(self, recipient: Recipient | None) -> tuple[dict[str, str], str]:
        """The recipient's slot values and text part (for :class:`~mailkit.message.BulkMessages`)."""
        values = _values(recipient, self.edition.newsletter.footer, self.fallbacks)
        if self.text_lines:
            pattern = re.compile(self.pattern)
            for i, (kind, line) in enumerate(self.text_lines):
                lines = lay_out((kind, pattern.sub(lambda m: values[m.group(1)], line)), self.text_options)
                values[f"line{i}"] = "\n".join(lines[1:-1] if kind.startswith("heading") else lines)
        return values, join(self.text, values)

    def personalize(self, recipient: Recipient | None = None) -> RenderedEmail:
        """This email for ``recipient`` (``None``: the newsletter's own links, no name)."""
        values, text = self.personalize_values(recipient)
        return RenderedEmail._trusted(
            template=self.template, subject=self.subject, preheader=self.preheader,
            mjml_source=partial(join, self.mjml, values), html=join(self.html, values), text=text,
            edition=self.edition, warnings=self.warnings, recipient=recipient,
        )


def new_nonce() -> str:
    """A fresh token prefix: article text cannot guess it, so it cannot forge a slot."""
    return secrets.token_hex(6)
