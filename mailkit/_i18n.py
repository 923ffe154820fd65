"""Labels in the reader's language: gettext catalogs, read through Babel.

Every word mailkit writes into an email ("BREAKING NEWS", "By {names}",
"Unsubscribe", the text part's "Links:") is an English gettext message; its
translations live in message catalogs beside the templates::

    templates/locales/<locale>/LC_MESSAGES/messages.po   (source, for translators)
    templates/locales/<locale>/LC_MESSAGES/messages.mo   (compiled, what is read)

A template folder of the caller's (``template_dirs``) may ship its own
``locales/`` folder: its catalogs are read first, the packaged ones fill in.

Language negotiation (Babel's rules): ``pt-BR`` looks for ``pt_BR``, then
``pt``; ``zh`` and ``zh-CN`` are ``zh_Hans`` (CLDR's likely script); a tag naming
another script than its language's usual one looks for that script's catalog only:
``zh-Hant`` for ``zh_Hant`` (never the Simplified catalog), ``ar-Latn`` for
``ar_Latn`` (never the Arabic one), else English; a language without a catalog is English,
and :func:`missing_catalog` says so, so render() can warn naming it.

Thread safety: nothing is installed on a shared Jinja environment. Each render
gets its own ``gettext``/``ngettext`` callables in its context (see
:func:`labels`), so two threads rendering French and Japanese at once cannot
see each other's language.
"""

from __future__ import annotations

import gettext as gettext_module
import io
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import babel.core
import babel.lists
import babel.numbers
import jinja2
from babel import Locale, UnknownLocaleError
from babel.messages.mofile import read_mo
from babel.support import NullTranslations, Translations
from markupsafe import Markup

from ._errors import CatalogError
from ._languages import in_digits, in_other_script, locale_of, numbering_system, parse_tag, primary_language
from ._sandbox import file_stat
from ._sanitize import check_text, encode_for_mrml

__all__ = ["DOMAIN", "Labels", "catalog_locales", "labels", "missing_catalog", "STACKED_SCRIPTS", "script_font_stack", "scripts_of"]

DOMAIN = "messages"
LOCALES_DIR = "locales"


# Babel's Locale.parse checks the identifier against every locale it has
# (localedata.exists -> normalize_locale lowercases all ~1,000 of them): 0.1 ms
# a call, and a render asks about its languages a dozen times (catalogs,
# numbers, lists, fonts), 1.7 ms of a 6 ms breaking alert. The answer depends
# only on the tag and Babel's data, so it is memoised (a Locale is not changed
# after it is made; its data loads lazily, under Babel's own lock).
@lru_cache(maxsize=256)
def _parse(lang: str) -> Locale | None:
    # a BCP 47 tag's language, script and region (extensions and variants left out: "ar-u-nu-latn" is ar)
    return locale_of(lang)


def _likely(name: str) -> Locale | None:
    # CLDR's likely subtags are locale identifiers already ("zh_Hans_CN")
    try:
        return Locale.parse(babel.core.get_global("likely_subtags").get(name, ""))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


_LOCALE_NAME = re.compile(r"^[A-Za-z]{2,8}(?:_[A-Za-z0-9]{2,8})*$")


def catalog_locales(lang: str) -> list[str]:
    """The catalog folders to try for a BCP 47 tag, most specific first.

    >>> catalog_locales("pt-BR")
    ['pt_BR', 'pt']
    >>> catalog_locales("zh")
    ['zh', 'zh_Hans']
    >>> catalog_locales("zh-Hant-TW")
    ['zh_Hant_TW', 'zh_Hant']
    >>> catalog_locales("ar-Latn")
    ['ar_Latn']
    """
    return list(_catalog_locales(lang))


@lru_cache(maxsize=256)
def _catalog_locales(lang: str) -> tuple[str, ...]:
    loc = _parse(lang)
    other_script = in_other_script(lang)  # "ar-Latn": never the Arabic catalog, only one for its script
    if loc is None:
        # a tag CLDR does not know: its language subtag, if it looks like one (a
        # folder name: nothing from a template or a fixture may step out of locales/)
        first = primary_language(lang)
        if other_script:
            tag = parse_tag(lang)
            return tuple(n for n in (f"{first}_{tag.script}",) if _LOCALE_NAME.match(n))
        return (first,) if _LOCALE_NAME.match(first) else ()
    if other_script:
        script = parse_tag(lang).script
        return tuple(n for n in dict.fromkeys((str(loc), f"{loc.language}_{script}"))
                     if _LOCALE_NAME.match(n) and f"_{script}" in n)
    out = [str(loc)]
    script = loc.script
    if script is None:
        # CLDR's likely subtags: "zh" and "zh-CN" are written in Hans, "zh-TW" in Hant
        likely = _likely(str(loc)) or _likely(loc.language)
        script = likely.script if likely is not None and loc.language == "zh" else None
    if script:
        out.append(f"{loc.language}_{script}")
    out.append(loc.language)
    return tuple(n for n in dict.fromkeys(out) if _LOCALE_NAME.match(n))


def _catalog_files(lang: str, dirs: Sequence[Path]) -> tuple[tuple[str, float], ...]:
    """The compiled catalogs for ``lang``, each with its modification time: per folder
    (caller's first), the most specific one."""
    # one os.stat of a string per candidate, its time kept: Path joins, is_file()
    # and a second stat for the time were 15 us a call (now 5), asked 3 times a render
    found = []
    for d in dirs:
        for name in _catalog_locales(lang):
            mo = f"{d}{os.sep}{LOCALES_DIR}{os.sep}{name}{os.sep}LC_MESSAGES{os.sep}{DOMAIN}.mo"
            st = file_stat(mo)  # within a render, once: labels and the no-catalog warning both ask
            if st is not None and stat.S_ISREG(st.st_mode):
                found.append((mo, st.st_mtime))
                break
    return tuple(found)


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# the only directives a translation may hold: "%(name)s" and "%%". Python's %
# takes more ("%(names)99999999s" pads to 100 MB, "%(names)r" prints the
# value's repr, "%(names).0s" prints nothing), all of which format without error
_DIRECTIVE = re.compile(r"%(?:%|\(\w+\)s)?")


def _checked(path: Path) -> Translations:
    """The catalog at ``path``, once every translation is known to format with its
    message's placeholders: a translator's typo is a :class:`CatalogError` naming
    the file and the message, never a KeyError in the middle of a render."""
    data = path.read_bytes()
    try:
        messages = list(read_mo(io.BytesIO(data)))
        catalog = Translations(io.BytesIO(data), domain=DOMAIN)
    except Exception as err:
        raise CatalogError(f"not a compiled message catalog ({type(err).__name__}: {err})",
                           catalog=str(path)) from err
    for m in messages:
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, (list, tuple)) else (m.id,)
        allowed = {name: "" for i in ids for name in _PLACEHOLDER.findall(i)}
        if isinstance(m.id, (list, tuple)):
            allowed["num"] = ""
        for text in m.string if isinstance(m.string, (list, tuple)) else (m.string,):
            # a translation is printed like content, so it is held to content's characters
            if problem := check_text(text):
                raise CatalogError(f"message {ids[0]!r}: translation {text!r}: {problem}", catalog=str(path))
            for d in _DIRECTIVE.finditer(text):
                if d.group() == "%":
                    raise CatalogError(f"message {ids[0]!r}: translation {text!r}: at position {d.start()}, only "
                                       f"%(name)s placeholders ({sorted(allowed)}) and %% may follow '%'",
                                       catalog=str(path))
            try:
                text % allowed
            except (KeyError, ValueError, TypeError) as err:
                raise CatalogError(f"message {ids[0]!r}: translation {text!r} does not format with the "
                                   f"message's placeholders {sorted(allowed)} ({type(err).__name__}: {err})",
                                   catalog=str(path)) from err
    return catalog


@lru_cache(maxsize=128)
def _load(files: tuple[tuple[str, float], ...]) -> gettext_module.NullTranslations:
    # keyed by (path, mtime): an author who recompiles a catalog sees it on the next render
    chain: gettext_module.NullTranslations = NullTranslations()
    for path, _mtime in reversed(files):
        catalog = _checked(Path(path))
        catalog.add_fallback(chain)
        chain = catalog
    return chain


def missing_catalog(lang: str, dirs: Sequence[Path]) -> bool:
    """Whether ``lang`` renders with English labels for want of a catalog (English itself never does)."""
    return _missing(lang, _catalog_files(lang, dirs))


def _missing(lang: str, files: tuple[tuple[str, float], ...]) -> bool:
    return not files and _catalog_locales(lang)[-1:] != ("en",)


def _number_locale(lang: str) -> Locale:
    return _parse(lang) or Locale("en")


def _number(value: int, lang: str) -> str:
    """``value`` the language's way: CLDR's grouping and its numbering system's
    separators and digits (``1,234``; Persian ``۱٬۲۳۴``; ``fa-u-nu-latn`` ``1,234``)."""
    system = numbering_system(lang)
    locale = _number_locale(lang)
    try:
        text = babel.numbers.format_decimal(value, locale=locale, numbering_system=system)
    except babel.numbers.UnsupportedNumberingSystemError:  # CLDR has no separators for it here
        text = babel.numbers.format_decimal(value, locale=locale)
    return in_digits(text, lang)


# memoised as _parse is (a Locale made for each byline's names was 2 us of its 4: the
# Locale, and its data's wrapper made again on first use)
@lru_cache(maxsize=256)
def _list_locale(lang: str) -> Locale:
    # English keeps the newsroom's style, as for dates: no serial comma ("A, B and C"),
    # which CLDR's "en" has ("A, B, and C") and its "en_GB" has not
    loc = _number_locale(lang)
    return Locale("en", "GB") if loc.language == "en" and loc.territory in (None, "US") else loc


@dataclass(frozen=True)
class Labels:
    """``gettext`` and ``ngettext`` of one language, as templates call them.

    Jinja's "new style" gettext: placeholders are named (``%(names)s`` in the
    catalog, ``{% trans names=... %}{{ names }}{% endtrans %}`` or
    ``_("By %(names)s", names=...)`` in a template), so a translator can move
    them. In an escaping (MJML) template the translation is trusted text and
    each value is escaped for MJML unless it is already markup (a link, a
    ``<span dir="auto">``); numbers are written the language's way (CLDR).
    """

    lang: str
    translations: gettext_module.NullTranslations
    # (message, escape) -> the message translated and formatted with no values: what
    # gettext gives for a label (_("Read the full story")), the same every time for
    # these translations; Markup's % alone took 1 us of a label's 2 (about 15 labels
    # a render). Bounded: a template may pass any text to _().
    _labels: dict[tuple[str, bool], str] = field(default_factory=dict, init=False, repr=False, compare=False)
    # message -> (the message encoded for MJML, whether its only directives are %(name)s and %%)
    _encoded: dict[str, tuple[str, bool]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _format(self, message: str, escape: bool, variables: dict[str, Any]) -> str:
        values = {k: self._value(v, escape) for k, v in variables.items()}
        if not escape:
            return message % values
        known = self._encoded.get(message)
        if known is None:
            encoded = encode_for_mrml(message)
            known = (encoded, all(d.group() != "%" for d in _DIRECTIVE.finditer(encoded)))
            if len(self._encoded) >= 512:  # bounded: a template may pass any text to _()
                self._encoded.clear()
            self._encoded[message] = known
        encoded, plain = known
        if plain:
            # every value is Markup (_value), and %(name)s prints a Markup's text as it
            # is, as Markup's % does after wrapping each value in a helper to escape
            # it (which escapes a Markup to itself): the same text, without a helper
            # object and an escape() call a placeholder (equality tested). Another
            # directive (%(n)d, %(x)r: a template's own message) goes Markup's way,
            # which differs. 2.8 -> 1.4 us for "By %(names)s", 8 messages a breaking alert.
            return Markup(encoded % values)
        return Markup(encoded) % values

    def _value(self, value: Any, escape: bool) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = _number(value, self.lang)
        if escape and not isinstance(value, Markup):
            return Markup(encode_for_mrml(str(value)))
        return value

    # gettext and ngettext: made once per Labels (kept in its __dict__, beside the fields),
    # not at each read: a render reads them about ten times (the context's three, and
    # labels_in(v.lang).gettext in the partials), each read a closure made and marked
    @cached_property
    def gettext(self) -> Callable[..., str]:
        @jinja2.pass_eval_context
        def gettext(eval_ctx: Any, message: str, **variables: Any) -> str:
            escape = eval_ctx.autoescape
            if variables or type(message) is not str:
                return self._format(self.translations.gettext(message), escape, variables)
            label = self._labels.get((message, escape))
            if label is None:
                label = self._format(self.translations.gettext(message), escape, variables)
                if len(self._labels) >= 512:
                    self._labels.clear()
                self._labels[message, escape] = label
            return label
        return gettext

    @cached_property
    def ngettext(self) -> Callable[..., str]:
        @jinja2.pass_eval_context
        def ngettext(eval_ctx: Any, singular: str, plural: str, num: int, **variables: Any) -> str:
            variables.setdefault("num", num)
            return self._format(self.translations.ngettext(singular, plural, num), eval_ctx.autoescape, variables)
        return ngettext

    def text(self, message: str, **variables: Any) -> str:
        """A message as plain text (for Python code: the text part, the "Continue reading" link)."""
        return self._format(self.translations.gettext(message), False, variables)

    @property
    def sentence_gap(self) -> str:
        """What separates two sentences: a space, nothing after Chinese and Japanese full stops."""
        return "" if primary_language(self.lang) in ("zh", "ja") else " "

    def list(self, items: Iterable[str]) -> str:
        """``A, B and C`` the language's way (``A, B et C``, ``A، B و C``, ``A、B和C``), as plain text."""
        return babel.lists.format_list([p for p in items if p], locale=_list_locale(self.lang))

    def names(self, items: Iterable[str]) -> Markup:
        """:meth:`list` of names, each escaped for MJML and isolated (``<span dir="auto">``):
        a Latin name in a Hebrew byline keeps its place."""
        spans = [f'<span dir="auto">{encode_for_mrml(str(p))}</span>' for p in items if p]
        # CLDR's list patterns hold only punctuation, spaces and a conjunction: markup-safe
        return Markup(babel.lists.format_list(spans, locale=_list_locale(self.lang)))


@lru_cache(maxsize=256)
def _labels(lang: str, files: tuple[tuple[str, float], ...]) -> Labels:
    return Labels(lang, _load(files))


def labels(lang: str, dirs: Sequence[Path]) -> Labels:
    """The :class:`Labels` of ``lang`` from the catalogs in ``dirs`` (caller's first, packaged last).

    A language without a catalog gets English labels, and its :attr:`Labels.lang` is
    then ``"en"``: the one decision of the language labels are written in, which the
    dates, lists of names and numbers written with them follow (the date filters ask
    ``labels_in``). A Thai alert read ``Updated 28 พฤศจิกายน ค.ศ. 2026`` and
    ``By A และ B``: English labels around a Thai date and list pattern.
    """
    files = _catalog_files(lang, dirs)
    return _labels("en" if _missing(lang, files) else lang, files)


# Fonts for the scripts past Latin, added to a theme's stacks only for an email
# that holds them: named in every inline style, they cost about 7 KB on the
# forty-story digest, which they pushed over Gmail's clip. Noto where installed;
# Nirmala UI (Windows 10+) covers Devanagari, Tahoma Arabic and Hebrew on older
# Windows. Chinese and Japanese are left to the generic family on purpose: the
# client picks the font by the email's lang (Japanese glyph forms for lang="ja",
# Simplified for "zh"), which naming one CJK font would override.
_SCRIPT_FONTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # script: (serif stack, sans stack)
    "Arab": (("'Noto Naskh Arabic'", "Tahoma"), ("'Noto Sans Arabic'", "Tahoma")),
    "Hebr": (("'Noto Serif Hebrew'", "Tahoma"), ("'Noto Sans Hebrew'", "Tahoma")),
    "Deva": (("'Noto Serif Devanagari'", "'Nirmala UI'"), ("'Noto Sans Devanagari'", "'Nirmala UI'")),
}
_SCRIPT_OF = {"ar": "Arab", "fa": "Arab", "ur": "Arab", "ps": "Arab", "ckb": "Arab", "ug": "Arab", "sd": "Arab",
              "he": "Hebr", "iw": "Hebr", "yi": "Hebr", "hi": "Deva", "mr": "Deva", "ne": "Deva", "sa": "Deva"}
def _script_of(lang: str) -> str | None:
    # the tag's own script subtag first ("uz-Arab", "sr-Latn"), else its language's
    try:
        tag = parse_tag(lang)
    except ValueError:
        return None
    if tag.script:
        return tag.script if tag.script in _SCRIPT_FONTS else None
    return _SCRIPT_OF.get(tag.language or "")


_GENERIC = ("serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui")


def script_font_stack(stack: str, languages: Iterable[str]) -> str:
    """``stack`` with the fonts of the scripts ``languages`` are written in, before its generic family.

    >>> script_font_stack("Georgia, serif", ["en", "ar"])
    "Georgia, 'Noto Naskh Arabic', Tahoma, serif"
    """
    scripts = sorted({s for lang in languages if (s := _script_of(lang))})
    if not scripts:
        return stack
    names = [n.strip() for n in stack.split(",")]
    generic = names.pop() if names and names[-1] in _GENERIC else None
    sans = generic != "serif"
    for script in scripts:
        for font in _SCRIPT_FONTS[script][sans]:
            if font not in names:
                names.append(font)
    return ", ".join([*names, generic] if generic else names)



# Scripts that stack vowel signs, tone marks and subscript consonants above and below
# the letters, taller than Latin: Thai, Lao, Khmer, Myanmar, Tibetan, Tai Tham. A
# headline's line-height of 1.2 let one line's marks touch the next's (Burmese, Khmer).
STACKED_SCRIPTS = frozenset({"Thai", "Laoo", "Khmr", "Mymr", "Tibt", "Lana"})


@lru_cache(maxsize=256)
def script_of(lang: str) -> str | None:
    """The ISO 15924 script ``lang`` is written in: its own script subtag, else CLDR's
    likely one for its language (``ko`` is ``Kore``, ``my`` ``Mymr``), else ``None``."""
    try:
        tag = parse_tag(lang)
    except ValueError:
        return None
    if tag.script:
        return tag.script
    # CLDR's likely subtags ("th" -> "th_Thai_TH"), read as written: Locale.parse drops a
    # script it has no locale data for (it gave "th_TH" no script)
    likely = str(babel.core.get_global("likely_subtags").get(tag.language or "", ""))
    return next((part for part in likely.split("_")[1:] if len(part) == 4 and part.isalpha()), None)


def scripts_of(languages: Iterable[str]) -> frozenset[str]:
    """The scripts ``languages`` are written in (:func:`script_of`), for the layout's CSS:
    headlines with room for stacked marks (:data:`STACKED_SCRIPTS`), Korean words kept whole."""
    return frozenset(s for lang in languages if (s := script_of(lang)))
