"""Mojibake: UTF-8 text decoded as CP1252 or Latin-1 (``donâ€™t``, ``CafÃ©``), repaired.

A CMS or a wire that decodes UTF-8 bytes with the wrong codec (once, or twice)
sends text whose every non-ASCII character has become two to four Latin-1
ones. ftfy (``ftfy.fix_encoding``) undoes it, and only when the text reads as
mojibake: real Portuguese, Icelandic, Vietnamese ... stays as it is (tested in
tests/test_hostile_mojibake12.py). Only the encoding repair: no quote uncurling,
no HTML entities, no ligatures, no width or Unicode normalisation, no line
breaks or control characters (the models check those themselves).

Cost: clean text (every fixture) is ``str.isascii()``, or for non-ASCII text
a search for the byte 0xC3 and at most one search of :data:`_SUSPECT` (:func:`suspect`);
ftfy is imported and run only on a field it matches.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

__all__ = ["first_repair", "repair_html", "repair_text", "suspect"]

# What double-decoded UTF-8 always holds: a lead byte (0xC2-0xF4, read as
# "Â".."ô" by Latin-1 and CP1252 alike) followed by a continuation byte (0x80-0xBF),
# which CP1252 reads as one of "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ", Latin-1 as a C1
# control, and both as U+00A0-U+00BF; U+FFFD stands for a byte CP1252 has no
# character for (0x81, 0x8D, 0x8F, 0x90, 0x9D: "â€\ufffd" was a closing quote).
# The same lead and continuation bytes as ftfy.chardata's UTF-8 patterns
# (ALTERED_UTF8_RE, LOSSY_UTF8_RE), read as text. A wider net than mojibake (a
# French "é" before a no-break space matches): the guard only decides whether
# ftfy looks, and ftfy decides.
_CONTINUATION = ("\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a"
                 "\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122\ufffd")
_SUSPECT = re.compile(f"[\u00c2-\u00f4][{_CONTINUATION}]")

# a body's tags and comments (never rewritten) and the text between them; a "<"
# that opens no tag is text. Inside <code>, <pre>, <kbd>, <samp> text stays as
# written: a story about mojibake quotes it on purpose.
_TAG = re.compile(r"(<!--.*?(?:-->|\Z)|<[A-Za-z/!?][^>]*>?)", re.DOTALL)
_VERBATIM = re.compile(r"<(/?)(code|pre|kbd|samp|script|style)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\s<>]+")  # a word of text, not of markup


@cache
def _fixer() -> tuple[Any, Any]:
    import ftfy  # only when a field looks like mojibake: ftfy's import is not paid by a clean render

    config = ftfy.TextFixerConfig(
        unescape_html=False, remove_terminal_escapes=False, fix_latin_ligatures=False, fix_character_width=False,
        uncurl_quotes=False, fix_line_breaks=False, fix_surrogates=False, remove_control_chars=False,
        normalization=None, explain=False)
    return ftfy.fix_encoding, config


def _fix(text: str) -> str:
    fix_encoding, config = _fixer()
    fixed: str = fix_encoding(text, config)
    return fixed


def suspect(text: str) -> bool:
    """Whether ``text`` may hold mojibake: whether ftfy should look at it."""
    # most text is ASCII (20 ns for a 3 KB body); then every lead character above is
    # U+00C0-U+00FF, UTF-8 0xC3 0x80-0xBF: English with curly quotes has no 0xC3 byte
    # (0.2 us for 3 KB, where the regex alone took 7-13 us: +15% of an Article's validation)
    return (not text.isascii() and b"\xc3" in text.encode("utf-8", "surrogatepass")
            and _SUSPECT.search(text) is not None)


def repair_text(text: str) -> str:
    """``text`` with its mojibake repaired; ``text`` itself when there is none."""
    return _fix(text) if suspect(text) else text


def repair_html(html: str) -> str:
    """Body HTML with the mojibake of its text nodes repaired: tags, attributes
    (URLs, alt text), comments and the text of <code>/<pre>/<kbd>/<samp> as they are."""
    if not suspect(html):
        return html
    parts = _TAG.split(html)
    verbatim = 0
    for i, part in enumerate(parts):
        if i % 2:  # a tag or a comment
            m = _VERBATIM.match(part)
            if m is not None and not part.endswith("/>"):
                verbatim = max(0, verbatim - 1) if m.group(1) else verbatim + 1
        elif part and not verbatim and _SUSPECT.search(part) is not None:
            parts[i] = _fix(part)
    return "".join(parts)


def first_repair(before: str, after: str) -> tuple[str, str]:
    """The first word ftfy repaired in ``before``, and that word repaired:
    ``("donâ€™t", "don’t")``, a long word cut to about 40 characters. Falls back to
    the first 60 characters of where the two differ."""
    for tried, m in enumerate(_SUSPECT.finditer(before)):
        if tried == 20:  # 20 matches ftfy left alone: the diff below says where it did repair
            break
        word = next((w for w in _WORD.finditer(before, max(0, m.start() - 40), m.end() + 40)
                     if w.start() <= m.start() < w.end()), None)
        if word is None:
            continue
        start = max(word.start(), m.start() - 10)
        text = before[start:min(word.end(), start + 40)]
        fixed = _fix(text)
        if fixed != text and fixed in after:
            return text, fixed
    start = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), min(len(before), len(after)))
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return before[start:len(before) - end][:60], after[start:len(after) - end][:60]
