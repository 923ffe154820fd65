"""Exceptions raised by mailkit.

Every failure mailkit reports is a :class:`MailkitError`; each pipeline stage
has its own subclass, and each dependency's exception is translated at the
stage that calls it (``raise ... from err``), with the field, template or
position a person needs to fix the input::

    MailkitError
    ├── InvalidFixtureError      (also ValueError)   bad article/newsletter data; names file and field path
    │   ├── UnsafeInputError                         control characters, bidi overrides, bad URL schemes
    │   │   └── UnsafeUrlError                       a URL mailkit._sanitize.safe_url refuses; names the field
    │   └── FeedError                                a feed or ninjs file that cannot be read; names the line or field
    ├── LimitExceededError       (also ValueError)   body size, nesting depth, story count, style size
    ├── OptionsError             (also TypeError)    an unknown render option, or one of the wrong type; names it
    ├── TemplateNotFoundError    (also LookupError)  no such template in the template folders
    ├── TemplateError                                Jinja2 syntax/undefined/sandbox errors; names template and line
    │   └── CatalogError                             a message catalog (.mo) that does not load or mistranslates a placeholder
    ├── MjmlCompileError                             MRML refused the MJML; names template and position
    ├── InliningError                                the CSS inliner failed
    ├── TextError                                    the plain-text stage failed
    ├── HeaderError              (also ValueError)   an unsafe or invalid header value (CR/LF injection ...)
    ├── DeliverabilityError                          a warning escalated by strict mode
    ├── SpamCheckError                               SpamAssassin, when installed, failed to score a message
    └── SendError                                    SMTP delivery failed
"""

from __future__ import annotations

import reprlib
import unicodedata

__all__ = [
    "CatalogError",
    "DeliverabilityError",
    "FeedError",
    "HeaderError",
    "InliningError",
    "InvalidFixtureError",
    "LimitExceededError",
    "MailkitError",
    "MjmlCompileError",
    "OptionsError",
    "SendError",
    "SpamCheckError",
    "TemplateError",
    "TemplateNotFoundError",
    "TextError",
    "UnsafeInputError",
    "UnsafeUrlError",
]


def _cut(text: str, most: int = 600) -> str:
    """``text``, or its start and end around ``…(N characters)…`` when over ``most`` characters."""
    if len(text) <= most:
        return text
    return f"{text[:most // 2]}…({len(text)} characters)…{text[-most // 4:]}"


# an error message quotes what a user gave (a file name, a key, a value): past this many
# characters it is cut in the middle, its start (what failed, the field) and end kept
_MOST_MESSAGE_CHARS = 4_000


class MailkitError(Exception):
    """Root of every error mailkit raises.

    Its message is made safe here, once, for every subclass: what a terminal or log would act
    on (:func:`shown_as_escape`: C0 and C1 controls such as ESC, bidi controls, lone
    surrogates) is written as an escape, so a hostile file name, key or value quoted in a
    message can neither drive the reader's terminal nor reorder its line; and a message over
    4,000 characters is cut in the middle, the field it names kept.
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(_cut(printable(a), _MOST_MESSAGE_CHARS) if isinstance(a, str) else a for a in args))


class InvalidFixtureError(MailkitError, ValueError):
    """Article, newsletter or recipient data failed validation.

    ``source`` is the file (or ``"<data>"``), ``errors`` a list of
    ``(field_path, message)`` pairs such as ``("articles[2].image.src", "not an absolute URL")``.
    """

    def __init__(self, source: str, errors: list[tuple[str, str]]) -> None:
        self.source = source
        self.errors = errors
        # a path or message echoes the input (an unknown key, a theme name): cut in the
        # middle, so a 100,000-character key is a line of a log, and the field still named
        lines = [f"{_cut(path)}: {_cut(msg)}" if path else _cut(msg) for path, msg in errors]
        head = f"{_cut(source)}: " if source else ""
        if len(lines) == 1:
            super().__init__(f"{head}{lines[0]}")
        else:
            super().__init__(f"{head}{len(lines)} errors: " + "; ".join(lines))


class UnsafeInputError(InvalidFixtureError):
    """A field holds characters or URLs mailkit refuses (control characters, bidi overrides ...)."""


class UnsafeUrlError(UnsafeInputError):
    """A URL that :func:`mailkit._sanitize.safe_url` refuses: its scheme, a character, its host or its form.

    ``problem`` says why (``URL scheme 'javascript' not allowed ...``); ``unsafe`` is False for a URL
    that is merely malformed (relative, a bad port) rather than of a shape used in attacks.
    """

    def __init__(self, problem: str, *, field: str = "url", unsafe: bool = True) -> None:
        self.problem = problem
        self.unsafe = unsafe
        super().__init__("", [(field, problem)])

class FeedError(InvalidFixtureError):
    """An RSS, Atom, JSON Feed or ninjs source that cannot be read at all (``mailkit._editions``).

    Names the source and the line (malformed XML or JSON) or field path (ninjs schema).
    """


class LimitExceededError(MailkitError, ValueError):
    """Input is over one of mailkit's documented limits (see ``mailkit.limits``)."""


class OptionsError(MailkitError, TypeError):
    """An unknown render option, or an option of the wrong type (``options.thme: unknown option``)."""


class TemplateNotFoundError(MailkitError, LookupError):
    """No template of that name in the packaged or caller-given template folders."""


class TemplateError(MailkitError):
    """A Jinja2 error while composing the MJML: syntax, undefined variable, sandbox violation."""

    def __init__(self, message: str, *, template: str | None = None, line: int | None = None) -> None:
        self.template = template
        self.line = line
        where = template or "<template>"
        if line is not None:
            where += f", line {line}"
        super().__init__(f"{where}: {message}")


class CatalogError(TemplateError):
    """A message catalog that cannot be used: not a .mo file, or a translation
    whose placeholders are not the message's (``%(nmes)s`` for ``%(names)s``).
    Names the catalog file and the message."""

    def __init__(self, message: str, *, catalog: str) -> None:
        super().__init__(message, template=catalog)


class MjmlCompileError(MailkitError):
    """MRML (mjml-python) could not compile the composed MJML."""

    def __init__(self, message: str, *, template: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.template = template
        self.line = line
        self.column = column
        where = template or "<mjml>"
        if line is not None:
            where += f", line {line}" + (f", column {column}" if column is not None else "")
        super().__init__(f"{where}: MJML: {message}")


class InliningError(MailkitError):
    """CSS inlining failed (premailer, css-inline, or an :class:`mailkit.InlineEngine` of the caller's)."""


class TextError(MailkitError):
    """The plain-text part could not be produced (by html2text, or a :class:`mailkit.TextEngine` of the caller's)."""


class HeaderError(MailkitError, ValueError):
    """A header value (subject, name, address) is unsafe or invalid."""


class DeliverabilityError(MailkitError):
    """Strict mode: the rendered email has warnings (``warnings``: each a
    :class:`~mailkit.RenderWarning` with its ``code``) that ``RenderOptions.ignore`` does not name."""

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings
        super().__init__("strict mode: " + "; ".join(warnings))


class SpamCheckError(MailkitError):
    """SpamAssassin is installed but failed (or timed out) scoring a message."""


class SendError(MailkitError):
    """Sending through SMTP failed."""


def shown_as_escape(c: str) -> bool:
    """Whether a terminal (or a log line) would act on ``c`` rather than show it: a control
    character (C0, DEL, C1: ESC and CSI start sequences that retitle, clear or rewrite the
    terminal), a line or paragraph separator, or a bidi embedding, override or isolate (which
    reorders the rest of the line), or a lone surrogate (which no terminal can show and
    UTF-8 cannot encode: printing it was a UnicodeEncodeError). Joiners, marks and variation selectors stay: Hindi and
    emoji need them."""
    return (unicodedata.category(c) in ("Cc", "Zl", "Zp", "Cs") or "\u202a" <= c <= "\u202e"
            or "\u2066" <= c <= "\u2069")


def printable(text: str) -> str:
    """``text`` with what a terminal would act on (:func:`shown_as_escape`) written as escapes:
    a recipients file's, a feed's or a server's ESC sequences, CR/LF or bidi overrides never
    reach an operator's terminal or split a log line (the CLI's every line, and the field
    paths in error messages, which quote the keys of untrusted data)."""
    if text.isprintable():  # the usual message: nothing to escape, one pass in C
        return text
    return "".join(c.encode("unicode_escape").decode("ascii") if shown_as_escape(c) else c for c in text)


_SHOWN = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxstring, _SHOWN.maxother = 3, 80, 80


def shown(value: object) -> str:
    """``repr(value)`` bounded for an error message: a 1,000-deep list or a 100,000-character
    string given as an option is shown cut (``[[[[...]]]]``, ``'xxx...xxx'``), never a
    RecursionError or a message of 100,000 characters. Use it for every value a user gave."""
    try:
        return printable(_SHOWN.repr(value))
    except Exception:  # noqa: BLE001 - a user object whose __repr__ fails is still named
        return f"<{type(value).__name__}>"
