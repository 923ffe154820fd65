"""Recipient slots: placeholders in a render, cut out and filled per reader.

A render (:func:`mailkit.prepare`) writes a placeholder token wherever a
recipient field goes: ``{{ recipient.first_name }}``, the footer's
``{{ unsubscribe_url }}``, the link parameters of every story link. The
tokens are made under a random nonce that article text cannot guess, and
spelled so that tokens side by side cut unambiguously. :class:`Parts` holds a
rendered part cut at its tokens; :func:`slot_values` gives one reader's
values in the order the tokens refer to them (:data:`VALUE_ORDER`), and
:meth:`Parts.fill` puts them back, each escaped for the part it stands in.

Used by the render (placeholders in), :mod:`mailkit._personalize` (values
out) and :mod:`mailkit._message` (the HTML part encoded around its slots).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from operator import itemgetter
from urllib.parse import quote_plus

from jinja2.sandbox import unsafe
from markupsafe import Markup

from ._models import Footer, Recipient
from ._sanitize import encode_for_mrml

__all__ = ["LINK_PARAMS", "TOKENS", "VALUE_ORDER", "EscapeAll", "Parts", "Picker", "RecipientSlots", "Tokens", "html_escape",
           "html_escape_all", "joint_pickers", "link_query", "mrml_escape_all", "new_nonce", "slot_token", "slot_values",
           "token_pattern", "token_source", "value_index"]


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


_NEEDS_QUOTING = re.compile(r"[^A-Za-z0-9._~-]")
_needs_quoting = _NEEDS_QUOTING.search  # bound once: a method looked up per call is 0.02 us


def link_query(params: dict[str, str], prefix: str = "") -> str:
    """``prefix`` and the query string of a reader's link parameters:
    ``prefix + urllib.parse.urlencode(params)``, faster."""
    # keys are validated as unreserved characters; values are quoted only when
    # they need it (urlencode costs microseconds per call). Values that are all
    # unreserved characters (ids, segments: the usual case) are checked in one
    # search and joined with their keys in C: 0.59 -> 0.50 us for two (timeit).
    # One or two parameters (a reader id, a segment: the usual shapes) are
    # unpacked and written with the prefix in one f-string: 0.50 -> 0.26-0.29 us
    # for two (timeit; the dict views, the map and the joins were most of it).
    # Two are read by their keys (no items view, no pair tuples) and the search
    # is bound once: 0.30 -> 0.26 us (timeit, with the call of a lambda around it)
    if len(params) == 2:
        k1, k2 = params
        v1, v2 = params[k1], params[k2]
        if _needs_quoting(v1 + v2) is None:
            return f"{prefix}{k1}={v1}&{k2}={v2}"
    elif len(params) == 1:
        ((k1, v1),) = params.items()
        if _needs_quoting(v1) is None:
            return f"{prefix}{k1}={v1}"
    elif _needs_quoting("".join(params.values())) is None:
        return prefix + "&".join(map("=".join, params.items()))
    return prefix + "&".join([f"{k}={_quote(v)}" for k, v in params.items()])


# Slot values travel as a tuple in this order, then a "fallbackN" per
# first_name_or() fallback, then a "lineN" per text line wrapped per recipient.
VALUE_ORDER = ("firstname", "email", "unsubscribeurl", "preferencesurl", "linkparamsq", "linkparamsamp")
# the positions of the two link-parameter slots
LINK_PARAMS = frozenset({VALUE_ORDER.index("linkparamsq"), VALUE_ORDER.index("linkparamsamp")})
# A placeholder is "mk" + nonce + "x" + name + "q". The names are spelled out
# in the pattern, not matched as "[a-z0-9]+" up to a "q": that ran on past the
# "q" of one placeholder into the next one beside it ("...xfirstnameqmk...xemailq"
# read as one name, a KeyError). No name is another name followed by "q", so
# placeholders side by side (and a literal "q" after one) cut unambiguously.
_SLOT_NAMES = "|".join(VALUE_ORDER)
_INDEX = r"(?:0|[1-9][0-9]*)"  # as str(int) writes it: "fallback01" is no slot

# any recipient placeholder, whatever its nonce (RecipientSlots.misused compares the nonce)
_VALID_SLOT = re.compile(rf"mk([0-9]+)x(?:{_SLOT_NAMES}|fallback({_INDEX}))q")


def token_source(nonce: str, line_nonce: str) -> str:
    """The pattern of one prepared email's placeholders: recipient slots (group 1) and,
    under a nonce the templates never see, text lines wrapped per recipient (group 2)."""
    return rf"mk(?:{nonce}x({_SLOT_NAMES}|fallback{_INDEX})|{line_nonce}x(line{_INDEX}))q"


def token_pattern(nonce: str, line_nonce: str) -> re.Pattern[str]:
    """:func:`token_source` compiled."""
    return re.compile(token_source(nonce, line_nonce))


@dataclass(frozen=True, slots=True)
class Tokens:
    """The placeholders of one prepared email, found as :func:`token_pattern` finds them.

    One pattern for every nonce, compiled once, and the nonce compared: compiling
    a pattern per render was 0.13 ms of a 3.8 ms breaking alert. A placeholder
    under another nonce is text. None can hide one of these: a match is "mk",
    digits, "x", a name and "q", and no name holds "mk", so a placeholder of
    this email never starts inside another match.
    """

    nonce: str
    line_nonce: str

    def finditer(self, text: str) -> Iterator[tuple[re.Match[str], str]]:
        """Each placeholder of this email in ``text``, and its slot name."""
        for m in _ANY_TOKEN.finditer(text):
            digits, name = m.group(1), m.group(2)
            if digits == (self.line_nonce if name.startswith("line") else self.nonce):
                yield m, name

    def search(self, text: str) -> bool:
        """Whether ``text`` holds a placeholder of this email."""
        return (self.nonce in text or self.line_nonce in text) and next(self.finditer(text), None) is not None


@lru_cache(maxsize=64)
def value_index(fallbacks: int, lines: int) -> dict[str, int]:
    """Each slot's position in the values tuple (shared and memoised: never mutate it)."""
    names = [*VALUE_ORDER, *(f"fallback{i}" for i in range(fallbacks)), *(f"line{i}" for i in range(lines))]
    return {name: i for i, name in enumerate(names)}


def slot_values(recipient: Recipient | None, footer: Footer, fallbacks: tuple[str, ...],
                link_params: bool = True) -> tuple[str, ...]:
    """One reader's values in :data:`VALUE_ORDER`, unescaped.

    ``link_params=False``: the link-parameter slots are left empty, for an
    email without a link-parameter token (building the query is 0.26 us of
    a breaking alert's 2.5 us personalize). :meth:`PreparedEmail.personalize
    <mailkit._personalize.PreparedEmail.personalize>` writes this out for an
    email without text lines wrapped per reader.
    """
    if recipient is None:
        return ("", "", footer.unsubscribe_url, footer.preferences_url, "", "", *fallbacks)
    params = link_query(recipient.link_params) if link_params and recipient.link_params else ""
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


# escapes a part's values, all at once (Parts.fill)
EscapeAll = Callable[[Sequence[str]], Sequence[str]]
# picks values from a values tuple (operator.itemgetter and the like, see _picker)
Picker = Callable[[Sequence[str]], tuple[str, ...]]


def html_escape_all(values: Sequence[str]) -> Sequence[str]:
    """Each of ``values`` escaped with :func:`html_escape`.

    Escaped as one string, joined at NULs and split there again: html_escape
    replaces single characters and leaves NUL alone, so that is each value
    escaped, unless a value holds a NUL (then the pieces do not count out,
    and each value is escaped alone). One call instead of one a value: 0.48
    -> 0.36 us for a breaking alert's three, timeit (bench/run.py, section 3).
    """
    if len(values) > 1:
        escaped = html_escape("\0".join(values)).split("\0")
        if len(escaped) == len(values):
            return escaped
    return [html_escape(value) for value in values]


def mrml_escape_all(values: Sequence[str]) -> list[str]:
    """Each of ``values`` escaped for MJML (:func:`mailkit._sanitize.encode_for_mrml`)."""
    return [encode_for_mrml(value) for value in values]


def _pick_one(index: int, values: Sequence[str]) -> tuple[str, ...]:
    return (values[index],)


def _pick_none(values: Sequence[str]) -> tuple[str, ...]:
    return ()


def _picker(indices: Sequence[int]) -> Picker:
    """``operator.itemgetter(*indices)``, always returning a tuple (it returns the bare item for one)."""
    if len(indices) > 1:
        return itemgetter(*indices)
    return partial(_pick_one, indices[0]) if indices else _pick_none  # all three pickle


# the tokens' places in a Parts skeleton (static text at the even ones), built
# once: a slice written out (out[1::2]) is a new slice object each time it
# runs (about 80 instructions a part, cachegrind, of a personalize's 32,000)
TOKENS = slice(1, None, 2)


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
    gather: Picker = field(compare=False, repr=False)
    # ... and from those (escaped), each token's value in order; all C, no Python loop.
    # None when each token has a value of its own (a breaking alert: its link
    # parameters, unsubscribe and preferences URLs): gather gives them in order
    place: Picker | None = field(compare=False, repr=False)

    @classmethod
    def cut(cls, source: str, tokens: Tokens, names: dict[str, int]) -> Parts:
        """Cut ``source`` at each token; ``names`` gives each slot's position in the values."""
        static: list[str] = []
        slots: list[int] = []
        last = 0
        for m, name in tokens.finditer(source):
            static.append(source[last : m.start()])
            slots.append(names[name])
            last = m.end()
        static.append(source[last:])
        skeleton = [piece for text in static for piece in (text, "")][:-1]
        used = list(dict.fromkeys(slots))
        place = None if used == slots else _picker([used.index(slot) for slot in slots])
        return cls(tuple(static), tuple(slots), tuple(skeleton), _picker(used), place)

    def tokens(self, values: Sequence[str], escape_all: EscapeAll | None = None) -> Sequence[str]:
        """The value of each token in turn, escaped with ``escape_all``.

        Only the values this part uses are escaped, each once however many
        tokens it fills (a digest has a link-parameter token on every link).
        """
        used: Sequence[str] = self.gather(values)
        if escape_all is not None:
            used = escape_all(used)
        return used if self.place is None else self.place(used)

    def fill(self, values: Sequence[str], escape_all: EscapeAll | None = None) -> str:
        """The part with ``values``, escaped with ``escape_all``, at its tokens."""
        # tokens() written out: a method call is a tenth of a microsecond of a
        # personalize (bench/run.py, section 3; its general path calls fill twice)
        used: Sequence[str] = self.gather(values)
        if escape_all is not None:
            used = escape_all(used)
        out = [*self.skeleton]  # list() is a global looked up and called: 0.01-0.02 us more
        # a Python loop appending static and value in turn cost as much as
        # copying the 50 KB of a digest's HTML; picked and placed like this, a fifth
        out[TOKENS] = used if self.place is None else self.place(used)
        return "".join(out)


def joint_pickers(html: Parts, text: Parts) -> tuple[Picker, Picker | None, Picker | None]:
    """One gather for the values an HTML and a text part use (each once), and each
    part's placing from those: None where the gathered values are its tokens' in order.

    The two parts of a prepared email hold the same tokens (the footer's links,
    the story links' parameters), so one gather and one escape serve both
    (PreparedEmail.personalize).
    """
    used = list(dict.fromkeys(html.slots + text.slots))

    def place(slots: tuple[int, ...]) -> Picker | None:
        return None if list(slots) == used else _picker([used.index(slot) for slot in slots])

    return _picker(used), place(html.slots), place(text.slots)


_NONCE_DIGITS = 15  # about 50 bits, as many as 12 hex digits held
# a placeholder of any prepared email (Tokens compares the nonce, group 1; the name is group 2)
_ANY_TOKEN = re.compile(rf"mk([0-9]{{{_NONCE_DIGITS}}})x({_SLOT_NAMES}|fallback{_INDEX}|line{_INDEX})q")


def new_nonce() -> str:
    """A fresh token prefix: article text cannot guess it, so it cannot forge a slot.

    Digits only: no filter changes their case (see :meth:`RecipientSlots.misused`).
    """
    return f"{secrets.randbelow(10**_NONCE_DIGITS):0{_NONCE_DIGITS}d}"
