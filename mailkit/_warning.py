"""Warnings as data: :class:`RenderWarning` and the registry of its codes, :data:`WARNING_CODES`.

A render's warnings (``RenderedEmail.warnings``) are strings a person reads
(``articles[0].image: no width and height: ...``) that also carry a stable
``code`` (``image-no-size``), the ``field`` path they are about and the
``template``, the way pydantic's errors carry a type: tools and strict mode
match codes, never the text, which may be reworded.

A :class:`RenderWarning` is a ``str``, so what callers did with the plain
strings still works (``"alt" in w``, ``w.startswith(...)``, ``json.dumps``,
``==`` with the text); ``str(w)`` is the message alone.

This module is at the bottom of mailkit's layers: it imports nothing of mailkit.
"""

from __future__ import annotations

from typing import Any

__all__ = ["WARNING_CODES", "RenderWarning", "unknown_codes", "warning_code", "warning_dict", "warning_table"]

# The single source of the codes: every RenderWarning is made with one of
# these (checked when it is made), and a test renders one of each.
WARNING_CODES: dict[str, str] = {
    # the body sanitiser (mailkit._sanitize)
    "url-dropped": "a link or image URL in a body was unsafe or malformed, and its attribute removed",
    "element-dropped": "a body held elements the allowlist does not allow (forms, scripts ...): removed",
    "attribute-dropped": "a body held attributes the templates set themselves or do not allow: removed",
    "image-no-alt": "an image without alt text: in a body, a feed entry or the rendered HTML",
    "link-unwrapped": "a body link through a redirector (Google Docs, Outlook Safe Links, Facebook), "
                      "pointed at its target instead",
    "link-text-mismatch": "a body link whose text shows an address on another host than the one it goes to (phishing)",
    "link-homograph": "a body link to a host that mixes Latin with lookalike letters (nbcnеws.com, Cyrillic е)",
    "comment-unclosed": "a comment in a body never closes: its opening tag removed, so the rest of the body shows",
    "body-not-cut": "a body whose first paragraph is longer than max_body_chars: kept whole, so the limit did not hold",
    # what the template shows (mailkit.render, mailkit._media)
    "content-not-shown": "a part of the edition (articles, sections, more stories, editor's note) "
                         "or a whole story that the template does not show",
    "field-not-shown": "a story field with a value (image, body, authors ...) that the template did not show",
    "mojibake-repaired": "a text field or body decoded twice by a CMS or feed (donâ€™t, CafÃ©): repaired "
                         "(don’t, Café), the first repair shown",
    "image-no-size": "a story image without width and height: Outlook on Windows cannot reserve its box",
    "no-catalog": "a language (the edition's or a story's) without a message catalog: its labels are English",
    # deliverability (mailkit._checks)
    "gmail-clip": "the HTML as sent is over Gmail's clip limit: Gmail hides the rest, unsubscribe link included",
    "style-too-large": "a style element over 16 KB, which Gmail ignores",
    "link-not-https": "a link in the rendered HTML is http://, not https://",
    "image-format": "an image in the rendered HTML is SVG, WebP or AVIF, which Gmail or Outlook on Windows do not show",
    "image-not-https": "an image in the rendered HTML is http://: mixed content, which some inboxes block",
    "no-preheader": "no preheader: inboxes show the first text of the body instead",
    "preheader-repeats-subject": "the preheader is the subject again",
    "preheader-repeats-first-line": "the preheader is the first visible line of the email again",
    "subject-too-long": "the subject is over 78 characters: inboxes cut it",
    # reading a feed (mailkit._editions: FeedWarning, on_warning=, `warning:` lines of mailkit import)
    "feed-broken": "a feed that is not well-formed, read leniently: entries after the break may be missing",
    "feed-too-many-entries": "entries past the first 10,000 of a feed, skipped",
    "feed-entry-skipped": "a feed entry skipped: no title, link or publication time, or a field the story needs refused",
    "feed-field-dropped": "a field of a feed entry refused (a bad URL, an unsafe character ...) and left out",
    "feed-entry-merged": "a feed entry for a story an earlier entry holds (same GUID or URL), merged into it",
    "feed-stories-left-out": "stories older than since= or past limit= (or the 60-story limit), left out",
    "feed-date-unreadable": "a feed date that is not a date, left out",
    "feed-date-no-zone": "a feed time without a time zone, read in the newsletter's",
    "feed-html-unescaped": "a feed's dek or body HTML escaped once too often (&lt;p&gt;), read as HTML",
}


class RenderWarning(str):
    """One warning: its message (the string itself), ``code``, ``field`` and ``template``.

    >>> w = RenderWarning("image-no-size", "articles[0].image: no width and height", field="articles[0].image")
    >>> w.code, w.field, str(w)
    ('image-no-size', 'articles[0].image', 'articles[0].image: no width and height')

    Immutable and picklable (a :class:`~mailkit.PreparedEmail` travels to Celery
    workers with its warnings). ``code`` must be a key of :data:`WARNING_CODES`.
    """

    code: str
    field: str | None
    template: str | None

    def __new__(cls, code: str, message: str, field: str | None = None,
                template: str | None = None) -> RenderWarning:
        if code not in WARNING_CODES:
            # a mistake in mailkit, not in its input: a new code goes into the registry first
            raise ValueError(f"unknown warning code {code!r}: add it to WARNING_CODES")
        self = super().__new__(cls, message)
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "template", template)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"RenderWarning is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"RenderWarning is immutable: cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (RenderWarning, (self.code, str(self), self.field, self.template))

    def __repr__(self) -> str:
        return f"RenderWarning({self.code!r}, {str(self)!r}, field={self.field!r}, template={self.template!r})"

    @property
    def message(self) -> str:
        """The text a person reads: ``str(self)``."""
        return str(self)

    def in_template(self, template: str) -> RenderWarning:
        """This warning naming ``template`` (unchanged if it names one already)."""
        if self.template is not None:
            return self
        return RenderWarning(self.code, str(self), self.field, template)

    def as_dict(self) -> dict[str, str | None]:
        """``{"code", "field", "template", "message"}``: what ``mailkit check --json`` prints."""
        return {"code": self.code, "field": self.field, "template": self.template, "message": str(self)}


def warning_code(warning: str) -> str | None:
    """The code of ``warning``; ``None`` for a plain string (a RenderedEmail made by hand)."""
    return warning.code if isinstance(warning, RenderWarning) else None


def warning_dict(warning: str) -> dict[str, str | None]:
    """``{"code", "field", "template", "message"}`` of ``warning``; all but the message ``None`` for a plain string."""
    if isinstance(warning, RenderWarning):
        return warning.as_dict()
    return {"code": None, "field": None, "template": None, "message": str(warning)}


def warning_table() -> str:
    """The registry as a Markdown table (the README's, kept equal to it by a test)."""
    rows = [f"| `{code}` | {meaning} |" for code, meaning in WARNING_CODES.items()]
    return "\n".join(["| code | meaning |", "| --- | --- |", *rows])


def unknown_codes(codes: tuple[str, ...]) -> list[str]:
    """The codes in ``codes`` that are not in :data:`WARNING_CODES`."""
    return [c for c in codes if c not in WARNING_CODES]
