"""Deliverability and accessibility checks over a rendered email.

Each check returns human-readable warnings; ``RenderOptions(strict=True)``
and ``mailkit check`` turn them into failures.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .render import RenderedEmail

__all__ = ["GMAIL_CLIP_BYTES", "MAX_STYLE_BYTES", "MAX_SUBJECT_CHARS", "deliverability_warnings"]

# Gmail clips messages whose HTML is over about 102 KB, hiding the rest, the
# unsubscribe link included.
GMAIL_CLIP_BYTES = 102_000
# Gmail drops a <style> block over 16 KB entirely.
MAX_STYLE_BYTES = 16_384
MAX_SUBJECT_CHARS = 78

_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_HREF = re.compile(r"""<a\b[^>]*?\bhref=["']([^"']*)["']""", re.I)
_TAG = re.compile(r"<[^>]+>")


def deliverability_warnings(email: RenderedEmail) -> list[str]:
    """Warnings for size, style size, alt text, link schemes, preheader and subject."""
    warnings: list[str] = []
    size = len(email.html.encode("utf-8"))
    if size > GMAIL_CLIP_BYTES:
        warnings.append(f"HTML is {size:,} bytes: over Gmail's clip limit of {GMAIL_CLIP_BYTES:,}, "
                        "Gmail will hide the rest, including the unsubscribe link")
    for i, style in enumerate(_STYLE.findall(email.html)):
        n = len(style.encode("utf-8"))
        if n > MAX_STYLE_BYTES:
            warnings.append(f"<style> block {i + 1} is {n:,} bytes: Gmail ignores a style block over 16 KB")
    for img in _IMG.findall(email.html):
        if not re.search(r"\balt=", img):
            warnings.append(f"image without alt attribute: {img[:100]}")
    for href in _HREF.findall(email.html):
        if href.startswith("http://"):
            warnings.append(f"link is not https: {href}")
    if not email.preheader:
        warnings.append("no preheader: inboxes will show the first text of the body instead")
    elif email.preheader.strip().casefold() == email.subject.strip().casefold():
        warnings.append("preheader repeats the subject: inboxes show them side by side")
    else:
        first = next((line.strip() for line in email.text.splitlines() if line.strip()), "")
        if first and first.casefold() == email.preheader.strip().casefold():
            warnings.append("preheader repeats the first visible line of the email")
    if len(email.subject) > MAX_SUBJECT_CHARS:
        warnings.append(f"subject is {len(email.subject)} characters: over {MAX_SUBJECT_CHARS}, inboxes cut it")
    return warnings
