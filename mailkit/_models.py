"""Validated content models: what a template receives.

A fixture file (JSON or YAML) is one :class:`Edition`: the newsletter it goes
out under, its articles, and for a digest its sections. Every text field is
checked for unsafe characters, every URL for an allowed scheme; relative
URLs are resolved against the article's ``url`` or the newsletter's ``url``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from datetime import date as Date
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, TypeVar, dataclass_transform
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ._errors import InvalidFixtureError, UnsafeInputError, UnsafeUrlError, printable
from ._languages import MAX_TAG_LENGTH, is_language_tag, locale_of, parse_tag
from ._mojibake import first_repair, repair_html, repair_text
from ._paths import TEMPLATE_NAME
from ._pydantic import ModelMetaclass
from ._sanitize import (
    UrlKind,
    check_references,
    check_text,
    current_limits,
    mailto_unsubscribe_problem,
    resolve_url,
    safe_url,
    short_references,
)
from ._warning import RenderWarning

__all__ = [
    "Article",
    "Author",
    "Brand",
    "Colors",
    "Edition",
    "Fonts",
    "Footer",
    "Image",
    "Link",
    "Logo",
    "Newsletter",
    "Recipient",
    "Section",
    "Sender",
]


def _newlines(value: str) -> str:
    """Every line break as ``\n``: CRLF and a lone CR (from a Windows or old Mac
    CMS) would otherwise reach the text part and the wire, and a CRLF blank line
    would not part paragraphs. U+2028 and U+2029 are line and paragraph breaks
    by Unicode's definition, and Python's ``str.splitlines()`` (and so the email
    package) breaks lines at them while HTML and mail clients do not: as
    ``\n`` and ``\n\n`` every stage reads the same lines and paragraphs."""
    if "\r" in value or "\u2028" in value or "\u2029" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return value


# Mojibake repairs made while a model is validated: (what was given, what is kept),
# appended by the text validators, then (_claim_repairs, only when there are any)
# stored on the model holding each field, and shown as one `mojibake-repaired`
# warning per field at render (mojibake_repairs). A fresh list for each validation
# (_invalid_as); None outside one (nothing recorded). Nothing per model, per field
# or per render for clean input: a per-model validator and a declared private
# attribute cost 25 us an Article (49 -> 74 us, about +50%).
_REPAIRS: ContextVar[list[tuple[str, str]] | None] = ContextVar("mailkit_mojibake_repairs", default=None)
# where a model keeps its repairs, (field, given, kept), in pydantic's storage of
# private attributes (copied by model_copy, pickled), set only on a model that has any
_REPAIRS_KEY = "_mailkit_mojibake"
# how many models of this process hold a repair: while none does (every clean
# process), mojibake_repairs() answers without walking the edition
_REPAIRED = [0]


def _repaired(value: str, repaired: str) -> str:
    if repaired is not value and repaired != value:
        pending = _REPAIRS.get()
        if pending is not None:
            pending.append((value, repaired))
    return repaired


def _text(value: str) -> str:
    # mojibake first: what it repairs to is what the checks below must see
    if not value.isascii():  # ASCII holds no mojibake: most fields cost this test
        value = _repaired(value, repair_text(value))
    problem = check_text(value)
    if problem:
        raise PydanticCustomError("unsafe_text", problem)
    limit = current_limits().max_field_chars  # the rendering Renderer's limits, else the defaults
    if len(value) > limit:
        raise PydanticCustomError("too_long", f"{len(value)} characters, over the limit of {limit}")
    return _newlines(value)


def _html(value: str) -> str:
    # body HTML: characters checked here; its size limit (much larger than a
    # field's) is enforced by mailkit._sanitize.sanitize_body; a refused
    # character may also be written as a character reference ("&#x202E;")
    value = short_references(value)
    if not value.isascii():
        value = _repaired(value, repair_html(value))  # text nodes only: never markup, URLs or <code>
    problem = check_text(value) or check_references(value)
    if problem:
        raise PydanticCustomError("unsafe_text", problem)
    return _newlines(value)


# bidi isolates (U+2066-U+2069; the embeddings and overrides are refused in every text
# field): single-line fields become headers (a headline the Subject, a name From or To),
# where one reorders what follows ("Invoice \u2067exe.txt" shows "Invoice txt.exe") and
# mailkit._message.check_header refuses it. Refused here, a render or a reader fails at
# once naming the field, not each message of a send; a body keeps its isolates.
_ISOLATE = re.compile("[\u2066-\u2069]")


def _line(value: str) -> str:
    # single-line fields: any run of whitespace (newlines from a CMS, CR,
    # U+2028/U+2029 included: str.split() counts them as whitespace) is one space.
    value = _text(value)
    m = _ISOLATE.search(value)
    if m is not None:
        raise PydanticCustomError("unsafe_text", f"bidi isolate U+{ord(m.group()):04X} at position {m.start()} "
                                  "(a header can show text reversed with one: 'txt.exe')")
    return " ".join(value.split())


# A time converts to any time zone (every offset is under a day) only with a
# day to spare at both ends of Python's calendar: 0001-01-01T00:00+05:00 is
# before the first representable UTC instant, and astimezone() raises
# OverflowError inside the template that formats it.
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)


def _instant(value: datetime) -> datetime:
    try:
        in_range = _EARLIEST <= value.astimezone(UTC) <= _LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise PydanticCustomError(
            "datetime_range", "{value} cannot be shown in every time zone: use a time between "
            "0001-01-02 and 9999-12-30 (UTC)", {"value": value.isoformat()})
    return value


def _url(kind: UrlKind) -> Callable[[str], str]:
    def validate(value: str) -> str:
        # every URL in the models goes through safe_url and is stored canonical (ASCII, percent-encoded)
        try:
            return safe_url(value, kind=kind)
        except UnsafeUrlError as err:
            raise PydanticCustomError("unsafe_url" if err.unsafe else "url", err.problem) from err

    return validate


_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_FONT_STACK = re.compile(r"^[A-Za-z0-9 ,'\"\-]+$")
# each family a name or a quoted name: a quote left open would run on through
# the email's <style> (the css filter refuses it there too)
_UNQUOTED = r"[A-Za-z0-9-]+(?: +[A-Za-z0-9-]+)*"  # words: no two ways to match a run of spaces
_FAMILY = rf"""\s*(?:'[A-Za-z0-9 \-]*'|"[A-Za-z0-9 \-]*"|{_UNQUOTED})\s*"""
_FAMILIES = re.compile(rf"^{_FAMILY}(?:,{_FAMILY})*$")


def _color(value: str) -> str:
    if not _COLOR.match(value):
        raise PydanticCustomError("color", "not a hex colour like #c4161c")
    return value.lower()


def _font_stack(value: str) -> str:
    if not _FONT_STACK.match(value):
        raise PydanticCustomError("font", "a font stack may hold letters, digits, spaces, commas, quotes and hyphens")
    if not _FAMILIES.match(value):
        raise PydanticCustomError("font", "a font stack is names separated by commas, each quoted whole or not at all")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise PydanticCustomError("timezone", "unknown time zone {tz}", {"tz": value}) from err
    return value


def _not_bool(value: Any) -> Any:
    # pydantic's lax mode reads true as 1; a CMS's "1200" (a string) stays accepted
    if isinstance(value, bool):
        raise PydanticCustomError("pixels", "a number of pixels, not {value}", {"value": str(value).lower()})
    return value


def _unsubscribe_mailto(value: str) -> str:
    # a mailto: unsubscribe becomes List-Unsubscribe, which a client acts on unseen (see there)
    problem = mailto_unsubscribe_problem(value)
    if problem:
        raise PydanticCustomError("unsafe_url", problem)
    return value


Text = Annotated[str, AfterValidator(_text)]
Html = Annotated[str, AfterValidator(_html)]
Line = Annotated[str, AfterValidator(_line)]
LinkURL = Annotated[str, AfterValidator(_url("link"))]
ImageURL = Annotated[str, AfterValidator(_url("image"))]
FontCssURL = Annotated[str, AfterValidator(_url("font-css"))]
UnsubscribeURL = Annotated[str, AfterValidator(_url("link")), AfterValidator(_unsubscribe_mailto)]
Color = Annotated[str, AfterValidator(_color)]
FontStack = Annotated[str, AfterValidator(_font_stack)]
TimeZone = Annotated[str, AfterValidator(_timezone)]

# A reader's link_params are added to every link of the email (each story link,
# each body link), so their size is multiplied by the number of links: bounded
# as the query string they become. Before, 50 KB of parameters made a 20 MB
# email and 5 MB a 2 GB one (66 s) (tests/test_hostile_scale11.py). A reader id,
# a segment and a few tracking values are well under 200 characters.
MAX_LINK_PARAMS_CHARS = 1_000
# percent-encoding writes a character as at most 12 ("\U0010FFFF" is %F4%8F%BF%BF)
_MOST_PER_CHAR = 12


def _link_params(value: dict[str, str]) -> dict[str, str]:
    chars = sum(len(key) + len(text) + 2 for key, text in value.items()) - 1 if value else 0
    if chars * _MOST_PER_CHAR > MAX_LINK_PARAMS_CHARS:  # only then encode: the usual reader costs a sum
        chars = max(chars, len(urlencode(value)))
        if chars > MAX_LINK_PARAMS_CHARS:
            raise PydanticCustomError(
                "limit", "{n} parameters making {chars} characters of query string, over the limit of {limit} "
                "(they are added to every link)", {"n": len(value), "chars": chars, "limit": MAX_LINK_PARAMS_CHARS})
    return value
Instant = Annotated[AwareDatetime, AfterValidator(_instant)]

def _language(value: str) -> str:
    # RFC 5646's grammar (mailkit.languages), not a looser pattern: the tag is
    # printed as the lang attribute and read for catalogs and CLDR data
    if is_language_tag(value):
        return value
    bad = next((i for i, c in enumerate(value) if not (c.isascii() and (c.isalnum() or c == "-"))), None)
    if bad is not None:
        where = f"character {value[bad]!r} at position {bad}"
    elif len(value) > MAX_TAG_LENGTH:
        where = f"{len(value)} characters, over {MAX_TAG_LENGTH}"
    else:
        where = "not well-formed"
    raise PydanticCustomError("language_tag", "not a BCP 47 language tag like en, pt-BR, zh-Hant-TW or "
                              "ar-u-nu-latn ({where})", {"where": where})


# a BCP 47 tag (RFC 5646); the schema's pattern is a looser hint for editors
Language = Annotated[str, AfterValidator(_language), Field(
    json_schema_extra={"pattern": r"^[A-Za-z0-9]{1,8}(?:-[A-Za-z0-9]{1,8})*$", "maxLength": MAX_TAG_LENGTH})]
Direction = Literal["ltr", "rtl"]
# an image's side in pixels; 65,535: the largest JPEG, WebP and GIF can hold
Pixels = Annotated[int, Field(gt=0, le=65535), BeforeValidator(_not_bool)]


# An address email-validator accepts as it is (tests/test_models.py checks that it
# does, for every address this matches): lowercase ASCII, a dot-atom local part of
# at most 64 characters, a domain of at most 253 in labels of at most 63 that
# neither start nor end with "-" and hold no "--" (no Punycode, no RFC 5890 R-LDH
# label), a top-level domain of letters that is not a special-use name. Anything
# else goes to email-validator, which compiles about 13 ms of patterns when it is
# imported: a cold `mailkit render` of a fixture whose addresses are all plain
# (most are) no longer loads it (14 ms by -X importtime; 0.390 -> 0.350 s CPU,
# medians of 15 fresh processes interleaved with the code before, load 3.5).
_PLAIN_ADDRESS = re.compile(r"(?=[^@]{1,64}@.{1,253}\Z)[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*"
                            r"@(?!.*--)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", re.ASCII)
# email_validator.SPECIAL_USE_DOMAIN_NAMES (one label each; equality tested)
_SPECIAL_USE_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})


@lru_cache(maxsize=4096)
def ascii_address(value: str) -> str:
    """A plain ``local@domain`` address in its ASCII form, or :class:`ValueError` saying why.

    The one address check, used by the models and the message writer alike
    (email-validator). No display name, comment, quotes or domain literal.
    An internationalised domain is turned into its ASCII (IDNA) form, which
    every mail system routes; a non-ASCII local part is refused, because it
    needs SMTPUTF8 from every server on the way, and mailkit writes 7-bit
    messages that any server accepts. Results are memoised: a bulk send checks
    each reader's address when the Recipient is made and again in the message.
    """
    if _PLAIN_ADDRESS.fullmatch(value) and len(value) <= 254 and value.rpartition(".")[2] not in _SPECIAL_USE_TLDS:
        return value  # what email-validator returns for it, unchanged (tested): no need to load it
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(value, check_deliverability=False, allow_smtputf8=False, allow_display_name=False,
                                allow_quoted_local=False, allow_domain_literal=False)
    except EmailNotValidError as err:
        reason = str(err)
        if "before the @-sign" in reason and not value.partition("@")[0].isascii():
            reason += " (an address with a non-ASCII local part needs SMTPUTF8, which mailkit does not use)"
        raise ValueError(f"{value!r} is not a plain address like reader@example.org: {reason}") from err
    return str(result.ascii_email)


def _email_address(value: str) -> str:
    try:
        return ascii_address(value)
    except ValueError as err:
        raise PydanticCustomError("email", str(err)) from err


# a plain local@domain address, in its ASCII form (see ascii_address)
EmailAddress = Annotated[str, AfterValidator(_email_address), Field(json_schema_extra={"format": "email"})]

# languages written right to left that CLDR may not know (Aramaic, old tags)
_RTL_LANGUAGES = {"ar", "arc", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "ur", "yi"}
# scripts written right to left (ISO 15924), for a tag that names its script ("ar-Latn", "uz-Arab")
_RTL_SCRIPTS = {"Adlm", "Arab", "Aran", "Armi", "Avst", "Hebr", "Mand", "Mani", "Nbat", "Nkoo", "Palm", "Phli", "Phlp",
                "Phnx", "Prti", "Rohg", "Samr", "Sarb", "Sogd", "Syrc", "Thaa", "Yezi"}


@lru_cache(maxsize=256)
def direction_of(language: str) -> Direction:
    """Text direction of a BCP 47 language tag (``"ar"`` -> ``"rtl"``): CLDR's
    character order when CLDR knows the language (with its script: ``ckb``,
    ``az-Arab``, ``pa-Arab`` are right to left, ``ha`` and ``uz-Latn`` left to
    right), else mailkit's list of right-to-left languages. A script subtag
    decides (``ar-Latn`` is left to right); extensions and variants do not
    (``ar-u-nu-latn`` is Arabic, right to left).

    The list alone made a Sorani (``ckb``) or Uyghur edition left to right and
    a Hausa one (written in Latin letters) a mirrored right-to-left email.
    """
    try:
        primary, script, region = parse_tag(language)
    except ValueError:
        return "ltr"
    if script:  # the tag says how it is written
        return "rtl" if script in _RTL_SCRIPTS else "ltr"
    if primary in _RTL_LANGUAGES and region is None:
        return "rtl"
    loc = locale_of(language)
    return "rtl" if loc is not None and loc.character_order == "right-to-left" else "ltr"


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":  # pydantic's marker: the dict key itself is wrong, not its value
            out += " (key)"
        else:
            # a key of the data (an unknown field, a link parameter): shown, never obeyed
            out += ("." if out else "") + printable(str(part))
    return out


def _message(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown field (a typo?)"
    if err["type"] == "missing":
        return "required field missing"
    if err["type"] == "string_unicode" and isinstance(err.get("input"), str):
        # pydantic cannot read a string holding a lone surrogate ("unable to parse raw data")
        i, ch = next(((i, ch) for i, ch in enumerate(err["input"]) if "\ud800" <= ch <= "\udfff"), (0, "?"))
        return f"lone surrogate U+{ord(ch):04X} at position {i}"
    if err["type"] == "frozen_instance":
        return "models are frozen: make a changed copy with model_copy(update={...})"
    return str(err["msg"]).removeprefix("Value error, ")


def translate_validation_error(err: ValidationError, source: str) -> InvalidFixtureError:
    """Turn a pydantic error into an :class:`InvalidFixtureError` naming each field path."""
    details = err.errors(include_url=False)
    errors = [(_field_path(e["loc"]), _message(e)) for e in details]
    unsafe = any(e["type"] in ("unsafe_text", "unsafe_url", "string_unicode") for e in details)
    return (UnsafeInputError if unsafe else InvalidFixtureError)(source, errors)


@contextmanager
def _invalid_as(source: str) -> Iterator[list[tuple[str, str]]]:
    pending: list[tuple[str, str]] = []  # this validation's mojibake repairs, for _claim_repairs
    token = _REPAIRS.set(pending)
    try:
        yield pending
    except ValidationError as err:
        raise translate_validation_error(err, source) from err
    finally:
        _REPAIRS.reset(token)


class _Model(BaseModel):
    """Every way of building or changing a model raises :class:`InvalidFixtureError`
    (or :class:`UnsafeInputError`), with pydantic's ``ValidationError`` as its cause:
    ``Article(...)``, ``Edition.model_validate(...)``, ``model_validate_json``,
    ``model_validate_strings`` and assignment (models are frozen)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    if not TYPE_CHECKING:  # type checkers keep pydantic's field-by-field __init__ signature

        def __init__(self, /, **data: Any) -> None:
            with _invalid_as(type(self).__name__) as repairs:
                super().__init__(**data)
            _claim_repairs(self, repairs)

        # pydantic calls a model's own __init__ for every nested instance it
        # validates when the class overrides __init__ (``__pydantic_custom_init__``),
        # which would turn a nested error into a path-less one. This wrapper only
        # translates the top-level error, so nested validation stays in
        # pydantic-core; tests/test_models.py fails loudly if pydantic stops
        # reading this marker.
        __init__.__pydantic_base_init__ = True

        def __setattr__(self, name: str, value: Any) -> None:
            with _invalid_as(type(self).__name__):
                super().__setattr__(name, value)

        def __delattr__(self, name: str) -> None:
            with _invalid_as(type(self).__name__):
                super().__delattr__(name)

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """pydantic's ``model_validate``; errors are :class:`InvalidFixtureError`."""
        with _invalid_as(cls.__name__) as repairs:
            model = super().model_validate(obj, *args, **kwargs)
        return _claim_repairs(model, repairs)

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        """pydantic's ``model_validate_json``; errors are :class:`InvalidFixtureError`."""
        with _invalid_as(cls.__name__) as repairs:
            model = super().model_validate_json(json_data, *args, **kwargs)
        return _claim_repairs(model, repairs)

    @classmethod
    def model_validate_strings(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """pydantic's ``model_validate_strings``; errors are :class:`InvalidFixtureError`."""
        with _invalid_as(cls.__name__) as repairs:
            model = super().model_validate_strings(obj, *args, **kwargs)
        return _claim_repairs(model, repairs)

    @classmethod
    def validate_from(cls, data: Any, source: str) -> Self:
        """``model_validate(data)``, its errors naming ``source`` (a file) instead of the model."""
        with _invalid_as(source) as repairs:
            model = super().model_validate(data)
        return _claim_repairs(model, repairs)


_M = TypeVar("_M", bound=BaseModel)


def _claim_repairs(model: _M, pending: list[tuple[str, str]]) -> _M:
    """Store each repair of ``pending`` on the model (``model`` or one in it) holding the
    field it was made for. Validation and this walk go field by field in the same order,
    so the first repair left whose text is a field's value is that field's."""
    if pending:  # rare: clean input costs this test
        _claim(model, pending)
    return model


def _claim(model: BaseModel, pending: list[tuple[str, str]]) -> None:
    mine = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, str):
            # a single-line field's whitespace is folded after the repair
            i = next((i for i, (_, kept) in enumerate(pending) if value in (kept, " ".join(kept.split()))), None)
            if i is not None:
                mine.append((name, pending.pop(i)[0], value))
        elif isinstance(value, BaseModel):
            _claim(value, pending)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    _claim(item, pending)
        if not pending:
            break
    if mine:
        private = model.__pydantic_private__ or {}
        object.__setattr__(model, "__pydantic_private__", {**private, _REPAIRS_KEY: tuple(mine)})
        _REPAIRED[0] += 1


def mojibake_repairs(model: BaseModel, path: str = "") -> Iterator[tuple[str, str, str]]:
    """``(field path, given, kept)`` for each text field of ``model`` and the models in it
    whose mojibake was repaired when it was validated, in field order."""
    if not _REPAIRED[0]:
        return
    own = {name: (given, kept) for name, given, kept in (model.__pydantic_private__ or {}).get(_REPAIRS_KEY, ())}
    for name in type(model).model_fields:
        where = f"{path}.{name}" if path else name
        if name in own:
            yield (where, *own[name])
            continue
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from mojibake_repairs(value, where)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from mojibake_repairs(item, f"{where}[{i}]")


def mojibake_warnings(model: BaseModel) -> list[RenderWarning]:
    """One ``mojibake-repaired`` warning for each field of ``model`` (an edition) whose
    mojibake was repaired, showing the first repair: what a render and a feed import report."""
    out = []
    for path, given, kept in mojibake_repairs(model):
        before, after = first_repair(given, kept)
        out.append(RenderWarning("mojibake-repaired", f"{path}: repaired text decoded twice (mojibake): "
                                 f"{before!r} -> {after!r}", path))
    return out


def _resolve(data: Any, keys: tuple[str, ...], base: str | None) -> Any:
    if isinstance(data, dict) and base:
        data = dict(data)
        for key in keys:
            if isinstance(data.get(key), str):
                data[key] = resolve_url(data[key], base)
    return data


class Link(_Model):
    """A headline link: in "More stories", related links and the like."""

    title: Line
    url: LinkURL
    source: Line | None = None
    language: Language | None = None


class Image(_Model):
    """An image with its alt text (``""`` for a decorative one), caption and credit.

    ``width`` and ``height`` are the file's own pixels, as the CMS gives them;
    either or both may be missing (RSS and most CMS APIs give neither). They
    set the ratio the image is shown at, never its size: templates lay it out
    at the column's width, or narrower, never wider than the file.
    """

    src: ImageURL
    alt: Line
    width: Pixels | None = None
    height: Pixels | None = None
    caption: Line | None = None
    credit: Line | None = None

    @property
    def caption_credit(self) -> str | None:
        """The credit to print after the caption: ``credit``, or None when the caption already
        holds it (``"... (Photo: AP)"`` with credit ``"AP"``; case, ``Photo:``, ``©`` and
        brackets aside, at word boundaries), so it is not printed twice. The templates'
        caption macro prints this; ``credit`` itself stays as given (a story card shows it alone)."""
        if not self.credit or not self.caption:
            return self.credit
        credit = _credit_words(self.credit)
        return None if credit and _credits(self.caption, credit) else self.credit


# what a credit is written with in a caption or a credit field, and is not the credit itself
_CREDIT_NOISE = re.compile(r"(?:photo(?:graph)?s?|pictures?|images?|credits?|fotos?)\s*:|©|\(c\)", re.IGNORECASE)


# a caption's part in brackets: "(Jane Doe/Reuters)", "[AP]"
_BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
_CREDIT_TOKEN = re.compile(rf"(?P<label>{_CREDIT_NOISE.pattern})|\w+", re.IGNORECASE)


def _credits(caption: str, credit: str) -> bool:
    """Whether ``caption`` credits ``credit`` (words as :func:`_credit_words` gives them): at its
    end, just after a credit label ("Photo: AP. ..."), or as the whole of a bracketed part; a
    caption that only mentions the agency ("... told Reuters on Monday") does not. Linear in
    the caption: each of its words is read once."""
    wanted = credit.split()
    if not wanted or wanted[-1] not in caption.casefold():  # the usual caption: the credit is nowhere in it
        return False
    words: list[str] = []
    after_label: list[int] = []  # where in words a label was
    for m in _CREDIT_TOKEN.finditer(caption):
        if m.group("label") is not None:
            after_label.append(len(words))
        else:
            words.append(m.group().casefold())
    n = len(wanted)
    if words[-n:] == wanted or any(words[i:i + n] == wanted for i in after_label):
        return True
    return any(_credit_words(m.group(1) or m.group(2) or "") == credit for m in _BRACKETED.finditer(caption))


def _credit_words(text: str) -> str:
    """``text``'s words, casefolded, one space apart, without credit labels and punctuation."""
    return " ".join(re.findall(r"\w+", _CREDIT_NOISE.sub(" ", text).casefold()))


class Author(_Model):
    """A byline. ``reported_from`` feeds the closing line ("X reported from London")."""

    name: Line
    url: LinkURL | None = None
    reported_from: Line | None = None


class Article(_Model):
    """One story, as it comes from the CMS. ``body`` is CMS HTML, sanitised before use."""

    headline: Line = Field(min_length=1)
    url: LinkURL
    dek: Line | None = None
    kicker: Line | None = None
    section: Line | None = None
    dateline: Line | None = None
    published_at: Instant
    updated_at: Instant | None = None
    authors: list[Author] = []
    contributors: Line | None = None
    image: Image | None = None
    summary: Line | None = None
    body: Html = ""
    related: list[Link] = []
    language: Language | None = None

    @model_validator(mode="before")
    @classmethod
    def _resolve_urls(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        base = data.get("url") if isinstance(data.get("url"), str) else None
        data = dict(data)
        if isinstance(data.get("image"), dict):
            data["image"] = _resolve(data["image"], ("src",), base)
        if isinstance(data.get("related"), list):
            data["related"] = [_resolve(r, ("url",), base) for r in data["related"]]
        return data


class Section(_Model):
    """A digest section ("World", "Business") and its story cards."""

    title: Line = Field(min_length=1)
    articles: list[Article] = Field(min_length=1)


class Colors(_Model):
    """Brand colours; dark-mode variants are used under ``prefers-color-scheme: dark``."""

    accent: Color = Field(default="#c4161c", description="the band, kickers, section titles and the pull quote's rule")
    on_accent: Color = Field(default="#ffffff", description="the band's label, on accent")
    text: Color = Field(default="#1a1a1a", description="body text, headlines and the dek")
    muted: Color = Field(default="#595959", description="captions, credits, bylines, the header's and footer's text, an image's alt text")
    link: Color = Field(default="#0b57a4", description="links in text")
    background: Color = Field(default="#ffffff", description="the 600 px column's background")
    page: Color = Field(default="#f1f1f1", description="the page around the column, the footer's background and code blocks")
    rule: Color = Field(default="#dddddd", description="rules, table borders and an image's box while it loads")
    button: Color = Field(default="#1a1a1a", description="buttons' background")
    on_button: Color = Field(default="#ffffff", description="buttons' label, on button")
    dark_background: Color = Field(default="#121212", description="the column in dark mode (prefers-color-scheme: dark)")
    dark_page: Color = Field(default="#000000", description="the page and footer in dark mode")
    dark_text: Color = Field(default="#e8e8e8", description="text and headlines in dark mode; buttons' background there")
    dark_muted: Color = Field(default="#b3b3b3", description="captions, bylines and footer text in dark mode")
    dark_link: Color = Field(default="#8ab4f8", description="links in dark mode")
    dark_accent: Color = Field(default="#ff7a7f", description="kickers and section titles in dark mode")
    dark_rule: Color = Field(default="#333333", description="rules, borders and image boxes in dark mode")


class Fonts(_Model):
    """Font stacks. ``web_fonts`` (name -> https CSS URL) are linked only when given."""

    headline: FontStack = Field(default="Georgia, 'Times New Roman', Times, serif",
                                description="headlines, the pull quote and the brand name without a logo")
    body: FontStack = Field(default="-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
                            description="everything else")
    web_fonts: dict[FontStack, FontCssURL] = Field(
        default={}, description="a font's name -> its https CSS URL, linked in the head; none by default (offline)")


class Logo(_Model):
    """The brand's logo, shown in the header; ``dark_src`` is a variant for dark backgrounds."""

    src: ImageURL = Field(description="the logo image's URL")
    alt: Line = Field(description="its alt text (the brand's name)")
    width: int = Field(gt=0, le=600, description="its width in the email, in CSS pixels")
    height: int = Field(gt=0, le=300, description="its height in the email, in CSS pixels")
    dark_src: ImageURL | None = Field(default=None, description="a variant for dark mode, shown instead there")


class Brand(_Model):
    """A theme: the brand's name, logo, colours, fonts and time zone."""

    name: Line = Field(description="the brand's name (the header shows it when there is no logo)")
    logo: Logo | None = Field(default=None, description="the header's logo")
    colors: Colors = Field(default=Colors(), description="the colours, light and dark")
    fonts: Fonts = Field(default=Fonts(), description="the font stacks")
    timezone: TimeZone = Field(default="America/New_York", description="the IANA time zone dates and times are shown in")


class Footer(_Model):
    """Facts every email's footer carries (CAN-SPAM, RFC 8058)."""

    postal_address: Line
    unsubscribe_url: UnsubscribeURL
    preferences_url: LinkURL
    view_in_browser_url: LinkURL | None = None
    signup_url: LinkURL | None = None
    reason: Line | None = None
    copyright: Line | None = None


class Sender(_Model):
    """Who the message is from, for :meth:`RenderedEmail.to_message`."""

    name: Line
    address: EmailAddress
    reply_to: EmailAddress | None = None
    list_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}$")] | None = None
    unsubscribe_mailto: EmailAddress | None = None


class Newsletter(_Model):
    """The publication an email goes out under: name, description, brand and footer."""

    name: Line = Field(min_length=1)
    description: Line = ""
    url: LinkURL
    brand: Brand
    footer: Footer
    sender: Sender | None = None
    language: Language = "en"

    @model_validator(mode="before")
    @classmethod
    def _resolve_urls(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        base = data.get("url") if isinstance(data.get("url"), str) else None
        data = dict(data)
        if isinstance(data.get("footer"), dict):
            data["footer"] = _resolve(
                data["footer"], ("unsubscribe_url", "preferences_url", "view_in_browser_url", "signup_url"), base
            )
        return data


@dataclass_transform(kw_only_default=True, field_specifiers=(Field,))  # as ModelMetaclass, for type checkers
class _Translating(ModelMetaclass):
    """``Model(...)``, called by the caller, raises InvalidFixtureError naming the field.

    A Recipient is made by the caller, once per subscriber row: pydantic's own
    ValidationError is no MailkitError, and a bulk job catching MailkitError
    stopped at the first bad address. A metaclass rather than ``__init__``:
    pydantic calls a model's own ``__init__`` while it validates, and would
    wrap the error again.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except ValidationError as err:
            raise translate_validation_error(err, cls.__name__) from err


class Recipient(_Model, metaclass=_Translating):
    """One reader, for personalisation. Empty ``first_name`` falls back to a greeting without a name."""

    email: EmailAddress
    first_name: Line = ""
    unsubscribe_url: UnsubscribeURL | None = None
    preferences_url: LinkURL | None = None
    link_params: Annotated[dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")], Line],
                           AfterValidator(_link_params)] = {}


class Edition(_Model):
    """What one email renders: a newsletter, its articles and, for a digest, its sections.

    ``templates`` names the templates this fixture is meant for; the snapshot
    tests and ``mailkit preview`` render each fixture with each of them.
    """

    newsletter: Newsletter
    articles: list[Article] = Field(min_length=1)
    sections: list[Section] = []
    more_stories: list[Link] = []
    editor_note: Text | None = None
    date: Date | None = None
    subject: Line | None = None
    preheader: Line | None = None
    language: Language | None = None
    direction: Direction | None = None
    templates: list[Annotated[str, Field(pattern=TEMPLATE_NAME)]] = []

    @model_validator(mode="before")
    @classmethod
    def _resolve_urls(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        nl = data.get("newsletter")
        base = nl.get("url") if isinstance(nl, dict) and isinstance(nl.get("url"), str) else None
        data = dict(data)
        if isinstance(data.get("articles"), list):
            data["articles"] = [_resolve(a, ("url",), base) for a in data["articles"]]
        if isinstance(data.get("more_stories"), list):
            data["more_stories"] = [_resolve(a, ("url",), base) for a in data["more_stories"]]
        if isinstance(data.get("sections"), list):
            data["sections"] = [
                {**s, "articles": [_resolve(a, ("url",), base) for a in s["articles"]]}
                if isinstance(s, dict) and isinstance(s.get("articles"), list) else s
                for s in data["sections"]
            ]
        return data

    @model_validator(mode="after")
    def _check_limits(self) -> Edition:
        stories = self.story_count
        most = current_limits().max_stories
        if stories > most:
            raise PydanticCustomError("limit", "{n} stories, over the limit of {limit}", {"n": stories, "limit": most})
        return self

    @property
    def lang(self) -> str:
        """The document language: the edition's, else the lead article's, else the newsletter's."""
        return self.language or self.articles[0].language or self.newsletter.language

    @property
    def dir(self) -> Direction:
        """The document direction: given, or derived from :attr:`lang`."""
        return self.direction or direction_of(self.lang)

    @property
    def lead(self) -> Article:
        """The first article: the alert, the report, or the digest's lead story."""
        return self.articles[0]

    @property
    def story_count(self) -> int:
        """All stories in the edition, lead, cards and "More stories" links."""
        return len(self.articles) + sum(len(s.articles) for s in self.sections) + len(self.more_stories)
