"""Adapter: the one call into mjml-python (MRML), and the reading of its error text.

MRML reports a refused template as a ``ValueError`` whose text ends with
``at position START:END`` (byte offsets into the source) when it knows where;
an ``include_loader``'s own exception is swallowed ("unable to load included
template"), so :mod:`mailkit._compile`'s loader keeps its reason itself. The
format is pinned, for the mjml-python version in constraints.txt, in
tests/test_adapters.py.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import mjml

if TYPE_CHECKING:
    from mjml import IncludeLoader  # a Protocol of its stub only: __call__(self, path: str) -> str

__all__ = ["MrmlError", "mjml_to_html"]

_POSITION = re.compile(r"\s*at position (\d+):(\d+)")


class MrmlError(Exception):
    """MRML refused the source: its message without the position, and the byte offset it names (or ``None``)."""

    def __init__(self, message: str, offset: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def mjml_to_html(source: str, *, keep_comments: bool, fonts: dict[str, str],
                 include_loader: IncludeLoader) -> str:
    """``mjml.mjml2html`` with every knob mailkit uses; a refusal is a :class:`MrmlError`."""
    try:
        html: str = mjml.mjml2html(
            source,
            disable_comments=not keep_comments,
            fonts=fonts,
            include_loader=include_loader,
        )
    except (ValueError, RuntimeError, TypeError, UnicodeError) as err:
        text = str(err)
        m = _POSITION.search(text)
        if m is None:
            raise MrmlError(text, None) from err
        raise MrmlError(text[: m.start()], int(m.group(1))) from err
    return html
