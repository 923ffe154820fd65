"""BCP 47 language tags: the one check, and the one way from a tag to CLDR's data.

A fixture's ``language`` is a BCP 47 tag (RFC 5646), printed as the email's
``lang`` attribute as written. Everything mailkit looks up by language (the
message catalog, CLDR's dates, lists, numbers and character order, the script
fonts) reads the tag through :func:`locale_of`, which keeps its language,
script and region and leaves out what CLDR's locale identifiers cannot hold:
``ar-u-nu-latn`` is read as ``ar``, ``de-CH-1996`` as ``de_CH``,
``en-US-x-twain`` as ``en_US``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from babel import Locale, UnknownLocaleError
from babel.core import get_global

__all__ = ["CALENDARS", "MAX_TAG_LENGTH", "LanguageTag", "calendar_of", "composed_length", "grapheme_start", "in_digits", "in_other_script",
           "is_language_tag", "locale_of", "numbering_system", "parse_tag", "primary_language", "shorten"]

# RFC 5646 puts no bound on a tag's length. 64 holds any tag a newsroom writes
# (language, extlang, script, region, two variants and a Unicode extension with
# several keys: "zh-cmn-Hans-CN-u-ca-chinese-nu-hanidec" is 37) and keeps a
# 300-character "tag" out of every lang attribute
MAX_TAG_LENGTH = 64

# RFC 5646 section 2.1, the ABNF written as a regular expression (case-insensitive)
_GRANDFATHERED = (
    # irregular
    r"en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|i-tsu"
    r"|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE"
    # regular
    r"|art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang"
)
_LANGTAG = (
    r"(?P<language>[a-z]{2,3}(?:-(?P<extlang>[a-z]{3}(?:-[a-z]{3}){0,2}))?|[a-z]{4}|[a-z]{5,8})"
    r"(?:-(?P<script>[a-z]{4}))?"
    r"(?:-(?P<region>[a-z]{2}|[0-9]{3}))?"
    r"(?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)"
    r"(?P<extensions>(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*)"
    r"(?:-(?P<private>x(?:-[a-z0-9]{1,8})+))?"
)
_TAG = re.compile(rf"(?:{_LANGTAG}|(?P<privateuse>x(?:-[a-z0-9]{{1,8}})+)|(?P<grandfathered>{_GRANDFATHERED}))",
                  re.IGNORECASE | re.ASCII)


class LanguageTag(NamedTuple):
    """The parts of a BCP 47 tag that CLDR's locales hold (lowercase language,
    title-case script, uppercase region); all ``None`` for a private-use or
    irregular grandfathered tag."""

    language: str | None
    script: str | None
    region: str | None


def is_language_tag(value: str) -> bool:
    """Whether ``value`` is a well-formed BCP 47 tag of at most :data:`MAX_TAG_LENGTH` characters.

    >>> is_language_tag("ar-u-nu-latn"), is_language_tag('en"><script>')
    (True, False)
    """
    return isinstance(value, str) and len(value) <= MAX_TAG_LENGTH and _TAG.fullmatch(value) is not None


@lru_cache(maxsize=512)
def parse_tag(tag: str) -> LanguageTag:
    """Language, script and region of ``tag`` (:class:`ValueError` for a tag that is not BCP 47).

    >>> parse_tag("zh-Hant-TW-u-nu-hanidec")
    LanguageTag(language='zh', script='Hant', region='TW')
    """
    m = _TAG.fullmatch(tag) if len(tag) <= MAX_TAG_LENGTH else None
    if m is None:
        raise ValueError(f"not a BCP 47 language tag: {tag[:MAX_TAG_LENGTH]!r}")
    if m.group("grandfathered"):
        # a regular grandfathered tag ("sgn-BE-FR", "zh-min-nan") is read by its first subtag
        first = tag.split("-")[0].lower()
        return LanguageTag(first if len(first) > 1 else None, None, None)
    if m.group("privateuse"):
        return LanguageTag(None, None, None)
    # an extended language subtag names the language itself ("zh-yue" is Cantonese, yue)
    extlang = m.group("extlang")
    language = (extlang.split("-")[0] if extlang else m.group("language")).lower()
    script = m.group("script")
    region = m.group("region")
    return LanguageTag(language, script.title() if script else None, region.upper() if region else None)


def primary_language(tag: str) -> str:
    """The language subtag of ``tag``, lowercase (``"ar-u-nu-latn"`` -> ``"ar"``); ``""`` for a private-use tag."""
    try:
        return parse_tag(tag).language or ""
    except ValueError:
        return ""


@lru_cache(maxsize=512)
def in_other_script(tag: str) -> bool:
    """Whether ``tag`` names a script other than its language's usual one (CLDR's likely
    subtags): ``ar-Latn`` (Arabizi), ``hi-Latn``, ``zh-Hant``; not ``de-Latn`` or ``ar``.
    Such a tag is never given the usual script's catalog, dates or lists.

    >>> in_other_script("ar-Latn"), in_other_script("zh-Hant"), in_other_script("de-Latn")
    (True, True, False)
    """
    try:
        language, script, _region = parse_tag(tag)
    except ValueError:
        return False
    if language is None or script is None:
        return False
    # CLDR's likely subtags are identifiers ("ar_Arab_EG"), not all of them locales Babel has data for
    likely = str(get_global("likely_subtags").get(language, "")).split("_")
    usual = next((part for part in likely[1:] if len(part) == 4 and part.isalpha()), None)
    return usual is not None and usual.lower() != script.lower()


@lru_cache(maxsize=512)
def locale_of(tag: str) -> Locale | None:
    """CLDR's locale for ``tag`` (Babel), from its language, script and region, or ``None``
    when CLDR knows none of them. A region or script CLDR has no data for is left out
    (``fr-AQ`` is read as ``fr``).

    >>> str(locale_of("ar-u-nu-latn")), str(locale_of("de-CH-1996")), locale_of("x-newsroom")
    ('ar', 'de_CH', None)
    """
    try:
        language, script, region = parse_tag(tag)
    except ValueError:
        return None
    if language is None:
        return None
    # Locale.parse, not Locale(): it follows CLDR's aliases and likely subtags ("zh_TW" is zh_Hant_TW).
    # A script is left out only where it is the language's usual one: "ar-Latn" is not
    # Arabic's CLDR data (its dates in Arabic letters), it is none
    other_script = in_other_script(tag)
    tries: list[tuple[str | None, ...]] = [(language, script, region), (language, script)]
    if not other_script:
        tries += [(language, region), (language,)]
    for parts in tries:
        try:
            loc = Locale.parse("_".join(p for p in parts if p))
        except (ValueError, TypeError, UnknownLocaleError):
            continue
        # Locale.parse itself falls back past a script it has no data for ("ar_Latn" is ar)
        if other_script and (loc.script or "").lower() != str(script).lower():
            return None
        return loc
    return None


# --- the digits numbers are written with --------------------------------------------------------

# The digits of CLDR's decimal numbering systems (common/supplemental/numberingSystems.xml):
# every system some locale has as its default (Persian "arabext", Bengali "beng", Marathi
# and Nepali "deva", Burmese "mymr" ...) and those a tag's "-u-nu-" key commonly asks for.
# Babel knows each locale's default system but writes dates, and numbers' digits, with
# ASCII digits whatever the locale (python-babel/babel#446): mailkit puts them in.
_DIGITS = {name: "".join(chr(zero + i) for i in range(10)) for name, zero in {
    "latn": 0x30, "arab": 0x660, "arabext": 0x6F0, "nkoo": 0x7C0, "deva": 0x966, "beng": 0x9E6, "guru": 0xA66,
    "gujr": 0xAE6, "orya": 0xB66, "tamldec": 0xBE6, "telu": 0xC66, "knda": 0xCE6, "mlym": 0xD66, "thai": 0xE50,
    "laoo": 0xED0, "tibt": 0xF20, "mymr": 0x1040, "khmr": 0x17E0, "mong": 0x1810, "olck": 0x1C50, "mtei": 0xABF0,
    "fullwide": 0xFF10, "cakm": 0x11136, "hmnp": 0x1E140, "adlm": 0x1E950}.items()}
_DIGITS["hanidec"] = "〇一二三四五六七八九"  # the one system whose digits are not consecutive code points


def _unicode_key(tag: str, key: str) -> str | None:
    """The value of ``key`` in ``tag``'s Unicode extension (``"ca"`` of ``"fa-u-ca-gregory"``), or None."""
    subtags = tag.lower().split("-")
    # RFC 6067: "-u-" then keys (two characters) each followed by its values; another
    # singleton ends the extension
    if "u" in subtags[1:]:
        for i in range(subtags.index("u", 1) + 1, len(subtags) - 1):
            if len(subtags[i]) == 1:
                break
            if subtags[i] == key:
                return subtags[i + 1]
    return None


# The calendars newsrooms date their stories in, where it is not the Gregorian
# (CLDR's calendarPreferenceData puts each first for its region): Iran's
# press writes Solar Hijri dates ("۷ آذر ۱۴۰۵"), Thailand's Buddhist-era
# years ("28 พฤศจิกายน พ.ศ. 2569"). Afghanistan's Solar Hijri months have
# other names (حمل, ثور ...), which no dependency carries: Dari (fa-AF) and
# Pashto stay Gregorian.
CALENDARS = ("gregorian", "persian", "buddhist")


@lru_cache(maxsize=512)
def calendar_of(tag: str) -> str:
    """The calendar ``tag`` dates in: its Unicode extension's ``ca`` key (``"th-u-ca-gregory"``),
    else Solar Hijri for Persian (but Afghanistan's) and the Buddhist era for Thai, else Gregorian.

    >>> calendar_of("fa"), calendar_of("fa-IR"), calendar_of("fa-AF"), calendar_of("fa-u-ca-gregory"), calendar_of("th")
    ('persian', 'persian', 'gregorian', 'gregorian', 'buddhist')
    """
    if not is_language_tag(tag):
        return "gregorian"
    asked = _unicode_key(tag, "ca")
    if asked is not None:
        return {"gregory": "gregorian", "persian": "persian", "buddhist": "buddhist"}.get(asked, "gregorian")
    parsed = parse_tag(tag)
    if parsed.language == "fa" and parsed.region != "AF":
        return "persian"
    if parsed.language == "th":
        return "buddhist"
    return "gregorian"


@lru_cache(maxsize=512)
def numbering_system(tag: str) -> str:
    """The numbering system ``tag`` writes numbers with: its Unicode extension's ``nu``
    key (``"fa-u-nu-latn"``), else CLDR's default for its locale, else ``"latn"``.

    >>> numbering_system("fa"), numbering_system("fa-u-nu-latn"), numbering_system("ar-EG"), numbering_system("ar")
    ('arabext', 'latn', 'arab', 'latn')
    """
    if not is_language_tag(tag):
        return "latn"
    asked = _unicode_key(tag, "nu")
    if asked in _DIGITS:
        return asked
    loc = locale_of(tag)
    system = loc.default_numbering_system if loc is not None else "latn"
    return system if system in _DIGITS else "latn"


@lru_cache(maxsize=512)
def _digits(tag: str) -> dict[int, int] | None:
    # str.translate's table from ASCII digits to the tag's; None where they are ASCII
    system = numbering_system(tag)
    return None if system == "latn" else str.maketrans("0123456789", _DIGITS[system])


def in_digits(text: str, tag: str) -> str:
    """``text`` with its ASCII digits written in the digits ``tag`` writes numbers with.

    >>> in_digits("13 نوامبر 2024", "fa"), in_digits("13 May 2024", "en")
    ('۱۳ نوامبر ۲۰۲۴', '13 May 2024')
    """
    digits = _digits(tag)
    return text if digits is None else text.translate(digits)


# --- cutting text short ------------------------------------------------------------------------

_ZWJ = "\u200d"
_VIRAMA = 9  # the canonical combining class of a virama (Devanagari ्, Bengali ্ ...)


def _extends(ch: str) -> bool:
    """Whether ``ch`` belongs to the grapheme cluster before it (UAX #29's Extend and
    SpacingMark, which cover combining marks, variation selectors and emoji skin tones)."""
    return (unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch == _ZWJ or "\ufe00" <= ch <= "\ufe0f"
            or "\U0001f3fb" <= ch <= "\U0001f3ff" or "\U000e0020" <= ch <= "\U000e007f"
            or "\U000e0100" <= ch <= "\U000e01ef")


def _regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def grapheme_start(text: str, index: int, floor: int = 0) -> int:
    """The largest position at most ``index`` where ``text`` may be cut between
    two grapheme clusters: not before a combining mark, variation selector,
    skin tone or joiner, not after a joiner (an emoji ZWJ sequence) or a
    virama (an Indic conjunct, UAX #29's GB9c), not inside a flag's pair of
    regional indicators.

    Nothing before ``floor`` (a position known to start a cluster) is read, and
    ``floor`` is returned when no cut lies after it: a caller cutting a text
    into pieces passes the start of the piece, so each call reads that piece
    only (from the text's start, cutting a name of 2,400 flags or of one letter
    under 5,000 marks into encoded words was quadratic)."""
    floor = max(0, floor)
    index = max(floor, min(index, len(text)))
    while floor < index < len(text):
        before, after = text[index - 1], text[index]
        if _extends(after) or before == _ZWJ or (unicodedata.combining(before) == _VIRAMA and after.isalpha()):
            index -= 1
            continue
        if _regional(before) and _regional(after):
            run = index
            while run > floor and _regional(text[run - 1]):
                run -= 1
            if (index - run) % 2:  # an odd number before: ``before`` opens a pair
                index -= 1
                continue
        break
    return index


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis.

    A text without a space to cut at (Thai, Chinese, a run of emoji) is cut
    between two grapheme clusters, never inside one (a flag, a ZWJ sequence, a conjunct).
    """
    if len(text) <= limit:
        return text
    if not text.isascii():
        if composed_length(text) <= limit:
            return text
        # the longest start whose composed form holds limit - 1 characters (that length
        # grows with the start, one character at a time at most): the text as written
        low, high = limit - 1, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if composed_length(text[:middle]) <= limit - 1 else (low, middle - 1)
        return _cut(text, grapheme_start(text, low))
    return _cut(text, grapheme_start(text, limit - 1))


# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, Tai Tham, Chinese
# and Japanese (Han, kana, CJK punctuation). A space there separates phrases, if anything.
_NO_SPACES = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u1980-\u19df\u1a20-\u1aaf"
                        r"\u3001-\u303e\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60]")
# Thai and Lao vowels written before their consonant: never the last letter before a cut
_BEFORE_CONSONANT = "\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4"


def _cut(text: str, end: int) -> str:
    """``text[:end]`` (``end`` between two grapheme clusters) back to its last space, with an
    ellipsis; in a script without spaces between words, at ``end`` itself unless a space is
    near: a Thai headline kept its first phrase only (24 characters of 78), a Japanese one
    its "速報" label."""
    head = text[:end]
    if end and _NO_SPACES.match(text[end - 1]):
        space = head.rfind(" ")
        if space < end * 3 // 4:
            while head and head[-1] in _BEFORE_CONSONANT:
                head = head[: grapheme_start(head, len(head) - 1)]
            return head.rstrip(" ,;:—–-") + "…"
    return head.rsplit(" ", 1)[0].rstrip(" ,;:—–-") + "…"


def composed_length(text: str) -> int:
    """The length of ``text`` composed (NFC): Vietnamese decomposed by a Mac or a wire system
    (NFD) writes each tone as a mark of its own, so a headline of 73 letters was 95 code
    points, cut and warned about as too long for a subject of 78; the same text typed
    composed was not. Code points otherwise, as before (an emoji sequence counts each)."""
    return len(text) if text.isascii() else len(unicodedata.normalize("NFC", text))
