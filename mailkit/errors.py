"""Exceptions raised by mailkit.

Every failure mailkit reports is a :class:`MailkitError`; each pipeline stage
has its own subclass, and each dependency's exception is translated at the
stage that calls it (``raise ... from err``), with the field, template or
position a person needs to fix the input::

    MailkitError
    ├── InvalidFixtureError      (also ValueError)   bad article/newsletter data; names file and field path
    │   └── UnsafeInputError                         control characters, bidi overrides, bad URL schemes
    ├── LimitExceededError       (also ValueError)   body size, nesting depth, story count, style size
    ├── TemplateNotFoundError    (also LookupError)  no such template in the template folders
    ├── TemplateError                                Jinja2 syntax/undefined/sandbox errors; names template and line
    │   └── CatalogError                             a message catalog (.mo) that does not load or mistranslates a placeholder
    ├── MjmlCompileError                             MRML refused the MJML; names template and position
    ├── InliningError                                premailer / lxml failed
    ├── TextError                                    the plain-text stage failed
    ├── HeaderError              (also ValueError)   an unsafe or invalid header value (CR/LF injection ...)
    ├── DeliverabilityError                          a warning escalated by strict mode
    ├── SpamCheckError                               SpamAssassin, when installed, failed to score a message
    └── SendError                                    SMTP delivery failed
"""

from __future__ import annotations

__all__ = [
    "CatalogError",
    "DeliverabilityError",
    "HeaderError",
    "InliningError",
    "InvalidFixtureError",
    "LimitExceededError",
    "MailkitError",
    "MjmlCompileError",
    "SendError",
    "SpamCheckError",
    "TemplateError",
    "TemplateNotFoundError",
    "TextError",
    "UnsafeInputError",
]


class MailkitError(Exception):
    """Root of every error mailkit raises."""


class InvalidFixtureError(MailkitError, ValueError):
    """Article, newsletter or recipient data failed validation.

    ``source`` is the file (or ``"<data>"``), ``errors`` a list of
    ``(field_path, message)`` pairs such as ``("articles[2].image.src", "not an absolute URL")``.
    """

    def __init__(self, source: str, errors: list[tuple[str, str]]) -> None:
        self.source = source
        self.errors = errors
        lines = [f"{path}: {msg}" if path else msg for path, msg in errors]
        head = f"{source}: " if source else ""
        if len(lines) == 1:
            super().__init__(f"{head}{lines[0]}")
        else:
            super().__init__(f"{head}{len(lines)} errors: " + "; ".join(lines))


class UnsafeInputError(InvalidFixtureError):
    """A field holds characters or URLs mailkit refuses (control characters, bidi overrides ...)."""


class LimitExceededError(MailkitError, ValueError):
    """Input is over one of mailkit's documented limits (see ``mailkit.limits``)."""


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
    """CSS inlining (premailer) failed."""


class TextError(MailkitError):
    """The plain-text part could not be produced."""


class HeaderError(MailkitError, ValueError):
    """A header value (subject, name, address) is unsafe or invalid."""


class DeliverabilityError(MailkitError):
    """Strict mode: the rendered email has deliverability warnings."""

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings
        super().__init__("strict mode: " + "; ".join(warnings))


class SpamCheckError(MailkitError):
    """SpamAssassin is installed but failed (or timed out) scoring a message."""


class SendError(MailkitError):
    """Sending through SMTP failed."""
