"""Render once, personalise per recipient.

:func:`mailkit.prepare` runs the whole pipeline once with placeholder tokens
where recipient fields go; :meth:`PreparedEmail.personalize` fills them in
for one recipient, escaping each value for the part it stands in (HTML, MJML,
plain text) and re-wrapping only the text lines that hold one.
:func:`mailkit.render` itself is :func:`mailkit.prepare` and the same fill-in,
so a personalised email equals a full render for that recipient, byte for byte.

A :class:`PreparedEmail` holds strings, tuples and picklable getters: it is
immutable, thread-safe and pickles (without the fill function generated on
first use), so worker processes can share it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from operator import itemgetter
from typing import Any, cast
from urllib.parse import quote_plus

from jinja2.sandbox import unsafe
from markupsafe import Markup

from .models import Edition, Footer, Recipient
from .rendered import RenderedEmail
from .sanitize import encode_for_mrml
from .text import URL_LINE, Line, TextOptions, assemble, lay_out

__all__ = ["PreparedEmail", "RecipientSlots"]

SLOT_NAMES = ("first_name", "email", "unsubscribe_url", "preferences_url", "link_params_q", "link_params_amp")


def slot_token(nonce: str, name: str) -> Markup:
    """The placeholder for slot ``name`` (``"first_name"`` -> ``mk<nonce>xfirstnameq``)."""
    return Markup(f"mk{nonce}x{name.replace('_', '')}q")


class RecipientSlots:
    """What templates see as ``recipient``: placeholders filled in per recipient.

    ``{{ recipient.first_name }}`` (may be empty), ``{{ recipient.first_name_or("there") }}``,
    ``{{ recipient.email }}``; the footer's links use ``{{ unsubscribe_url }}`` and
    ``{{ preferences_url }}``, the recipient's own or else the newsletter's.
    Templates cannot make a placeholder of their own: the nonce is private and
    :meth:`misused` refuses a composed text that holds it anywhere but in a
    whole placeholder (one a filter or a slice changed, ``|upper``).
    """

    def __init__(self, nonce: str) -> None:
        self._nonce = nonce
        self.fallbacks: list[str] = []

    @property
    def first_name(self) -> Markup:
        return slot_token(self._nonce, "first_name")

    @property
    def email(self) -> Markup:
        return slot_token(self._nonce, "email")

    def first_name_or(self, fallback: str) -> Markup:
        """The first name, or ``fallback`` for a recipient without one."""
        if fallback not in self.fallbacks:
            self.fallbacks.append(fallback)
        return slot_token(self._nonce, f"fallback{self.fallbacks.index(fallback)}")

    @unsafe  # not callable from a template (Jinja's sandbox refuses it)
    def nonce(self) -> str:
        """The placeholders' nonce, for the pipeline's own placeholders (footer links, link parameters)."""
        return self._nonce

    def misused(self, text: str) -> str | None:
        """What is wrong, if ``text`` holds this render's nonce other than in a whole placeholder."""
        # The nonce is digits, which have no case: |upper or |title, which turn
        # a placeholder into text that looks like one, leave it as it is, so a
        # plain search finds it (a case-insensitive regex compiled per render
        # and run over the whole MJML was a tenth of a breaking alert's render)
        nonce = self._nonce
        pos = text.find(nonce)
        while pos != -1:
            whole = _VALID_SLOT.match(text, max(pos - 2, 0))
            if (whole is None or whole.start() != pos - 2 or whole.group(1) != nonce
                    or (whole.group(2) is not None and int(whole.group(2)) >= len(self.fallbacks))):
                return (f"a recipient field was changed by a filter, a slice or a method at character {pos - 2}"
                        " of the output (print recipient fields as they are)")
            pos = text.find(nonce, pos + len(nonce))
        return None


_PLAIN = re.compile(r"[A-Za-z0-9._~-]*")


def _quote(value: str) -> str:
    # most parameter values are ids: two C string checks instead of a regex
    if (value.isascii() and value.isalnum()) or _PLAIN.fullmatch(value):
        return value
    return quote_plus(value)


def _query(params: dict[str, str]) -> str:
    # keys are validated as unreserved characters; values are quoted only when
    # they need it (urlencode costs microseconds per call)
    if len(params) == 1:  # the usual case: one recipient id
        ((key, value),) = params.items()
        return f"{key}={_quote(value)}"
    return "&".join([f"{k}={_quote(v)}" for k, v in params.items()])


# Slot values travel as a tuple in this order, then a "fallbackN" per
# first_name_or() fallback, then a "lineN" per text line wrapped per recipient.
VALUE_ORDER = ("firstname", "email", "unsubscribeurl", "preferencesurl", "linkparamsq", "linkparamsamp")
# A placeholder is "mk" + nonce + "x" + name + "q". The names are spelled out
# in the pattern, not matched as "[a-z0-9]+" up to a "q": that ran on past the
# "q" of one placeholder into the next one beside it ("...xfirstnameqmk...xemailq"
# read as one name, a KeyError). No name is another name followed by "q", so
# placeholders side by side (and a literal "q" after one) cut unambiguously.
_SLOT_NAMES = "|".join(VALUE_ORDER)
_INDEX = r"(?:0|[1-9][0-9]*)"  # as str(int) writes it: "fallback01" is no slot


# any recipient placeholder, whatever its nonce (RecipientSlots.misused compares the nonce)
_VALID_SLOT = re.compile(rf"mk([0-9]+)x(?:{_SLOT_NAMES}|fallback({_INDEX}))q")


def token_pattern(nonce: str, line_nonce: str) -> re.Pattern[str]:
    """Placeholders of one prepared email: recipient slots (group 1) and, under a
    nonce the templates never see, text lines wrapped per recipient (group 2)."""
    return re.compile(rf"mk(?:{nonce}x({_SLOT_NAMES}|fallback{_INDEX})|{line_nonce}x(line{_INDEX}))q")


@lru_cache(maxsize=64)
def _value_index(fallbacks: int, lines: int) -> dict[str, int]:
    """Each slot's position in the values tuple (shared and memoised: never mutate it)."""
    names = [*VALUE_ORDER, *(f"fallback{i}" for i in range(fallbacks)), *(f"line{i}" for i in range(lines))]
    return {name: i for i, name in enumerate(names)}


def _values(recipient: Recipient | None, footer: Footer, fallbacks: tuple[str, ...]) -> tuple[str, ...]:
    if recipient is None:
        return ("", "", footer.unsubscribe_url, footer.preferences_url, "", "", *fallbacks)
    params = _query(recipient.link_params) if recipient.link_params else ""
    name = recipient.first_name
    values: tuple[str, ...] = (
        name,
        recipient.email,
        recipient.unsubscribe_url or footer.unsubscribe_url,
        recipient.preferences_url or footer.preferences_url,
        params and "?" + params,
        params and "&" + params,
    )
    if fallbacks:
        values += tuple(name or fallback for fallback in fallbacks)
    return values


def html_escape(value: str) -> str:
    """A value escaped for HTML: quotes too, so one escaped copy serves in text and in attributes.

    What ``html.escape(value, quote=True)`` returns (tested), replacing only
    the characters present. Real readers' values are their own (a signed
    unsubscribe URL, per-reader link parameters, both with "&"): a memo
    missed on every one of them, and html.escape's five replace calls cost
    3-4x these checks (bench/run.py, section 3).
    """
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if '"' in value:
        value = value.replace('"', "&quot;")
    if "'" in value:
        value = value.replace("'", "&#x27;")
    return value


def _pick_one(index: int, values: Sequence[str]) -> tuple[str, ...]:
    return (values[index],)


def _pick_none(values: Sequence[str]) -> tuple[str, ...]:
    return ()


def _picker(indices: Sequence[int]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """``operator.itemgetter(*indices)``, always returning a tuple (it returns the bare item for one)."""
    if len(indices) > 1:
        return itemgetter(*indices)
    return partial(_pick_one, indices[0]) if indices else _pick_none  # all three pickle


@dataclass(frozen=True, slots=True)
class Parts:
    """A rendered part cut at its tokens, ready to be filled in."""

    static: tuple[str, ...]  # the text around the tokens
    slots: tuple[int, ...]  # for each token, the position of its value in the values tuple
    # Made from the two above, so not compared (itemgetters compare by identity):
    # static with a placeholder between each two pieces: fill() copies it and
    # drops the values in with one slice assignment
    skeleton: tuple[str, ...] = field(compare=False, repr=False)
    # the values this part uses, each once, from the values tuple ...
    gather: Callable[[Sequence[str]], tuple[str, ...]] = field(compare=False, repr=False)
    # ... and from those (escaped), each token's value in order; all C, no Python loop
    place: Callable[[Sequence[str]], tuple[str, ...]] = field(compare=False, repr=False)

    @classmethod
    def cut(cls, source: str, pattern: re.Pattern[str], names: dict[str, int]) -> Parts:
        """Cut ``source`` at each token; ``names`` gives each slot's position in the values."""
        static: list[str] = []
        slots: list[int] = []
        last = 0
        for m in pattern.finditer(source):
            static.append(source[last : m.start()])
            slots.append(names[m.group(m.lastindex or 0)])
            last = m.end()
        static.append(source[last:])
        skeleton = [piece for text in static for piece in (text, "")][:-1]
        used = list(dict.fromkeys(slots))
        return cls(tuple(static), tuple(slots), tuple(skeleton), _picker(used),
                   _picker([used.index(slot) for slot in slots]))

    def tokens(self, values: Sequence[str], escape: Callable[[str], str] | None = None) -> tuple[str, ...]:
        """The value of each token in turn, escaped with ``escape``.

        Only the values this part uses are escaped, each once however many
        tokens it fills (a digest has a link-parameter token on every link).
        """
        used = self.gather(values)
        return self.place(used if escape is None else tuple(map(escape, used)))

    def fill(self, values: Sequence[str], escape: Callable[[str], str] | None = None) -> str:
        """The part with ``values``, escaped with ``escape``, at its tokens."""
        out = list(self.skeleton)
        # a Python loop appending static and value in turn cost as much as
        # copying the 50 KB of a digest's HTML; picked and placed like this, a fifth
        out[1::2] = self.tokens(values, escape)
        return "".join(out)


def _compile_fill(html: Parts, text: Parts) -> Callable[[tuple[str, ...]], tuple[str, str]]:
    """``values -> (html, text)``: the two parts filled in, as a function made for them.

    What Jinja does for a template, done for a prepared email: it saves the
    generic :meth:`Parts.fill`'s copy of a skeleton list, two itemgetters and
    a slice assignment, a sixth of a personalize() call. The generated source
    holds only names and integer indices; the static strings are globals of
    the function, never source text, so no article text is ever compiled.
    """
    namespace: dict[str, Any] = {"escape": html_escape}

    def pieces(part: Parts, prefix: str, value: Callable[[int], str]) -> str:
        names = []
        for i, static in enumerate(part.static):
            namespace[f"{prefix}{i}"] = static
            names.append(f"{prefix}{i}")
            if i < len(part.slots):
                names.append(value(part.slots[i]))
        return ", ".join(names)

    source = "\n".join([
        "def fill(v):",
        # each value the HTML uses escaped once, however many tokens it fills
        *(f"    e{i} = escape(v[{i}])" for i in sorted(set(html.slots))),
        (f"    return ''.join(({pieces(html, 'H', lambda i: f'e{i}')},)), "
         f"''.join(({pieces(text, 'T', lambda i: f'v[{i}]')},))"),
    ])
    exec(compile(source, "<mailkit prepared email>", "exec"), namespace)
    return cast(Callable[[tuple[str, ...]], tuple[str, str]], namespace["fill"])


_new_object = object.__new__
_set_attribute = object.__setattr__


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
        # the text lines wrapped per recipient get placeholders under a nonce of
        # their own: no template, having seen a recipient placeholder, can make one
        line_nonce = new_nonce()
        pattern = token_pattern(nonce, line_nonce)
        dynamic: list[Line] = []
        if isinstance(text, list):
            laid_out: list[list[str]] = []
            for kind, line in text:
                if kind != "raw" and pattern.search(line) and not URL_LINE.match(line):
                    # wrapping depends on the value: this line is laid out per recipient;
                    # blank lines around it, and so the final layout, do not
                    marker = f"mk{line_nonce}xline{len(dynamic)}q"
                    dynamic.append((kind, line))
                    laid_out.append(["", marker, ""] if kind.startswith("heading") else [marker])
                else:
                    laid_out.append(lay_out((kind, line), text_options))
            text = assemble(laid_out, text_options) if laid_out else ""
        index = _value_index(len(fallbacks), len(dynamic))
        return cls(template=template, edition=edition, subject=subject, preheader=preheader,
                   mjml=Parts.cut(mjml, pattern, index), html=Parts.cut(html, pattern, index),
                   text=Parts.cut(text, pattern, index), text_lines=tuple(dynamic), text_options=text_options,
                   pattern=pattern.pattern, fallbacks=fallbacks, warnings=warnings)

    @cached_property
    def _footer(self) -> Footer:
        # looked up once, not per recipient
        return self.edition.newsletter.footer

    @cached_property
    def _fill(self) -> Callable[[tuple[str, ...]], tuple[str, str]]:
        return _compile_fill(self.html, self.text)

    def __getstate__(self) -> dict[str, Any]:
        # a generated function does not pickle: it is made again on first use
        return {name: value for name, value in self.__dict__.items() if name != "_fill"}

    @cached_property
    def _same_for_all(self) -> dict[str, object]:
        # the RenderedEmail fields every recipient shares
        return {"template": self.template, "subject": self.subject, "preheader": self.preheader,
                "edition": self.edition, "warnings": self.warnings}

    def personalize_values(self, recipient: Recipient | None) -> tuple[str, ...]:
        """The recipient's slot values (see :data:`VALUE_ORDER`), unescaped."""
        values = _values(recipient, self._footer, self.fallbacks)
        if self.text_lines:
            pattern = re.compile(self.pattern)
            index = _value_index(len(self.fallbacks), len(self.text_lines))
            lines = []
            for kind, line in self.text_lines:
                laid = lay_out((kind, pattern.sub(lambda m: values[index[m.group(1)]], line)), self.text_options)
                lines.append("\n".join(laid[1:-1] if kind.startswith("heading") else laid))
            values += tuple(lines)
        return values

    def personalize(self, recipient: Recipient | None = None) -> RenderedEmail:
        """This email for ``recipient`` (``None``: the newsletter's own links, no name)."""
        return self._personalize(recipient, self._fill)

    def _personalize(self, recipient: Recipient | None,
                     fill: Callable[[tuple[str, ...]], tuple[str, str]] | None = None) -> RenderedEmail:
        """What :meth:`personalize` does, with the generic fill unless ``fill`` is given.

        :meth:`personalize` passes the function generated for this email, worth
        its compile (0.1-0.4 ms) from the second recipient on; a single render
        uses the generic fill. Both are tested equal.
        """
        # the per-recipient cost of a send (bench/run.py, section 3): each
        # method call and temporary is a tenth of a microsecond, the whole four
        values = self.personalize_values(recipient) if self.text_lines else _values(
            recipient, self._footer, self.fallbacks)
        fields = self._same_for_all.copy()
        if fill is None:
            fields["html"], fields["text"] = self.html.fill(values, html_escape), self.text.fill(values)
        else:
            fields["html"], fields["text"] = fill(values)
        fields["recipient"] = recipient
        fields["mjml_source"] = partial(self.mjml.fill, values, encode_for_mrml)
        fields["html_parts"] = (self.html, values)
        # A frozen dataclass's __init__ sets each field through
        # object.__setattr__; these are all of them (tested), set at once
        email = _new_object(RenderedEmail)
        _set_attribute(email, "__dict__", fields)
        return email


_NONCE_DIGITS = 15  # about 50 bits, as many as 12 hex digits held


def new_nonce() -> str:
    """A fresh token prefix: article text cannot guess it, so it cannot forge a slot.

    Digits only: no filter changes their case (see :meth:`RecipientSlots.misused`).
    """
    return f"{secrets.randbelow(10**_NONCE_DIGITS):0{_NONCE_DIGITS}d}"
