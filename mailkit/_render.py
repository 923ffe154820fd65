"""The public entry point: ``render(template, edition) -> RenderedEmail``.

    models -> compose (Jinja2 -> MJML) -> compile (MRML -> HTML) -> inline (premailer) -> text (html2text)
"""

from __future__ import annotations

import html as html_lib
import keyword
import math
import re
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from markupsafe import Markup

from ._checks import deliverability_warnings
from ._compile import CompileOptions, compile_mjml
from ._compose import TEMPLATE_SUFFIX, TEXT_SUFFIX, TemplateInfo, Templates, builtin_names, shared_templates
from ._context import CONTEXT
from ._errors import DeliverabilityError, InliningError, OptionsError, TemplateError, TextError, shown
from ._fixtures import find_theme, load_edition, load_theme, no_theme_message
from ._i18n import STACKED_SCRIPTS, Labels, labels, missing_catalog, script_font_stack, scripts_of
from ._inline import (
    CssInlineEngine,
    InlineEngine,
    InlineOptions,
    Inliner,
    PremailerEngine,
    inline_document,
    inline_engine,
)
from ._languages import composed_length, grapheme_start, shorten
from ._links import LinkTagging, tag_links
from ._markers import CONTINUE_CLASS
from ._media import (
    Watched,
    image_box,
    leaves_out,
    size_body_images,
    unshown_story_fields,
    unwrap,
    voice_of,
    watch_edition,
)
from ._message import RenderedEmail
from ._models import Article, Brand, Edition, Fonts, Recipient, mojibake_warnings
from ._paths import template_dirs
from ._personalize import PreparedEmail
from ._personalize import checked_recipient as _checked_recipient
from ._sandbox import checked_once
from ._sanitize import LIMITS, Limits, cut_body, encode_for_mrml, limits_in_force, sanitize_body
from ._slots import RecipientSlots, new_nonce, slot_token
from ._text import TextEngine, TextOptions, document_lines, text_engine
from ._warning import WARNING_CODES, RenderWarning, unknown_codes

__all__ = ["RenderOptions", "RenderedEmail", "Renderer", "prepare", "render", "renderer_for"]


@dataclass(frozen=True, kw_only=True)
class RenderOptions:
    """How to render. Defaults are safe: offline, escaped, warnings reported, not raised.

    ``template_dirs``: extra template folders, searched before the packaged one.
    ``theme``: a theme name or file that replaces the edition's brand.
    ``strict``: raise :class:`DeliverabilityError` instead of returning warnings.
    ``ignore``: warning codes (:data:`~mailkit.WARNING_CODES`) strict mode lets
    through, ``ignore=("field-not-shown",)``; they are still in ``email.warnings``.
    ``link_tagging``: UTM parameters for every story link (off by default).
    ``max_body_chars``: cut each article body after the last paragraph (or
    other block) that ends within this many characters of text, followed by a
    "Continue reading" link to the article: how a long read stays under
    Gmail's clip. ``None`` (the default) never cuts.
    ``inliner``: the CSS inliner, ``"premailer"`` (default), ``"css-inline"``
    (``mailkit[fast]``) or any :class:`mailkit.InlineEngine`.
    ``text_engine``: what makes the plain-text part, ``"html2text"`` or any
    :class:`mailkit.TextEngine`.

    ``render()`` and ``prepare()`` also take a mapping of these
    (``{"theme": "harbor-ledger"}``); an unknown key or a value of the wrong
    type is an :class:`OptionsError` naming it.
    """

    template_dirs: tuple[str | Path, ...] = ()
    theme: str | Path | None = None
    strict: bool = False
    ignore: tuple[str, ...] = ()
    # frozen dataclasses: one shared default instance is safe
    text: TextOptions = TextOptions()  # noqa: RUF009
    inline: InlineOptions = InlineOptions()  # noqa: RUF009
    # "css-inline" needs mailkit[fast]: the same guarantees, about 3x faster; or any InlineEngine
    inliner: Inliner | InlineEngine = "premailer"
    link_tagging: LinkTagging | None = None
    max_body_chars: int | None = None
    # what makes the plain-text part from the inlined HTML: "html2text", or any TextEngine
    text_engine: str | TextEngine = "html2text"

    def __post_init__(self) -> None:
        for name, value in _checked_settings("options.", {f.name: getattr(self, f.name) for f in fields(self)}).items():
            object.__setattr__(self, name, value)


def _checked_settings(where: str, values: dict[str, Any]) -> dict[str, Any]:
    """The render settings in ``values`` (RenderOptions' fields), checked and normalised;
    a wrong one is an :class:`OptionsError` naming it (``options.theme: ...``, ``where`` first)."""
    # a plain string would be taken apart letter by letter as folders
    dirs = values["template_dirs"]
    if isinstance(dirs, str | Path):
        dirs = (dirs,)
    dirs = tuple(dirs) if isinstance(dirs, Iterable) else dirs
    if not isinstance(dirs, tuple) or not all(isinstance(d, str | Path) for d in dirs):
        raise OptionsError(f"{where}template_dirs: expected folder paths, not {shown(values['template_dirs'])}")
    for d in dirs:  # a name the OS refuses (NUL, a lone surrogate, too long) is this option's fault
        # a folder that is not there is a typo, refused as the CLI's --templates refuses it: it
        # was looked in and held nothing, so the packaged template of the same name was rendered
        try:
            is_folder = stat.S_ISDIR(Path(d).stat().st_mode)
        except (FileNotFoundError, NotADirectoryError) as err:
            raise OptionsError(f"{where}template_dirs: {shown(str(d))}: no such folder") from err
        except PermissionError:
            continue  # there, but not ours to look in: it holds nothing we can read, as before
        except (OSError, ValueError) as err:
            raise OptionsError(f"{where}template_dirs: {shown(d)} cannot be a folder name: {err}") from err
        if not is_folder:
            raise OptionsError(f"{where}template_dirs: {shown(str(d))} is not a folder")
    out = {**values, "template_dirs": dirs}
    theme = values["theme"]
    if theme is not None and not isinstance(theme, str | Path):
        raise OptionsError(f"{where}theme: expected a theme name or file, not {type(theme).__name__}")
    if not isinstance(values["strict"], bool):
        raise OptionsError(f"{where}strict: expected True or False, not {shown(values['strict'])}")
    cut = values["max_body_chars"]
    if cut is not None and (not isinstance(cut, int) or isinstance(cut, bool) or cut < 1):
        raise OptionsError(f"{where}max_body_chars: expected a number of characters (1 or more) or None, not {shown(cut)}")
    # a plain string is one code, not its letters
    ignore = (values["ignore"],) if isinstance(values["ignore"], str) else values["ignore"]
    ignore = tuple(ignore) if isinstance(ignore, Iterable) else ignore
    if not isinstance(ignore, tuple) or not all(isinstance(c, str) for c in ignore):
        raise OptionsError(f"{where}ignore: expected warning codes, not {shown(values['ignore'])}")
    if unknown := unknown_codes(ignore):
        raise OptionsError(f"{where}ignore: unknown warning code {shown(unknown[0])} (codes: {', '.join(WARNING_CODES)})")
    out["ignore"] = ignore
    try:
        inline_engine(values["inliner"])
    except InliningError as err:
        raise OptionsError(f"{where}inliner: {err}") from err
    try:
        text_engine(values["text_engine"])
    except TextError as err:
        raise OptionsError(f"{where}text_engine: {err}") from err
    for name, kind in (("text", TextOptions), ("inline", InlineOptions), ("link_tagging", LinkTagging)):
        value = values[name]
        if isinstance(value, Mapping):
            out[name] = _dataclass_from(kind, value, f"{where}{name}")
        elif not isinstance(value, kind) and not (name == "link_tagging" and value is None):
            raise OptionsError(f"{where}{name}: expected {kind.__name__} or a mapping, not {type(value).__name__}")
    # the text part's width: a line-wrapping regex's repetition count and a slice length
    # (None was TypeError, 0 re.error, -1 ValueError, 2**63 OverflowError)
    width = out["text"].width
    if isinstance(width, bool) or not isinstance(width, int) or not 20 <= width <= 1000:
        raise OptionsError(f"{where}text.width: expected a whole number of characters from 20 to 1000, "
                           f"not {shown(width)}")
    _check_text_labels(out["text"], where)
    tagging = out["link_tagging"]
    for name in ("source", "medium", "campaign"):  # query values of every story link
        tag = getattr(tagging, name, None)
        if tag is None and name == "campaign":
            continue
        # a lone surrogate was UnicodeEncodeError from urlencode, a list RecursionError;
        # anything else (a space, a newline) is percent-encoded into the query, safely
        if tagging is not None and (not isinstance(tag, str) or len(tag) > 200
                                    or any("\ud800" <= c <= "\udfff" for c in tag)):
            raise OptionsError(f"{where}link_tagging.{name}: expected text of up to 200 characters "
                               f"(no lone surrogates), not {shown(tag)}")
    return out


# a button label's one directive is its label (a width such as "%(label)999999999s" made a
# string of a gigabyte for every button); "%%" is a percent sign
_LABEL_FORMAT = re.compile(r"%(?:\(label\)s|%)")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _check_text_labels(text: TextOptions, where: str) -> None:
    """The text part's own words (``links_heading``, ``button_label``, ``rule``) are short
    text without control characters, and ``direction`` is ltr or rtl: a wrong type was a
    TypeError from deep in the text stage, a format width a memory bomb."""
    for name in ("links_heading", "button_label", "rule"):
        value = getattr(text, name)
        if value is None and name != "rule":
            continue
        if not isinstance(value, str) or len(value) > 200 or _CONTROL.search(value):
            raise OptionsError(f"{where}text.{name}: expected text of up to 200 characters without control "
                               f"characters{'' if name == 'rule' else ' or None'}, not {shown(value)}")
    label = text.button_label
    if label is not None and "%" in _LABEL_FORMAT.sub("", label):
        raise OptionsError(f"{where}text.button_label: the only directive it takes is %(label)s "
                           f"(and %% for a percent sign), not {shown(label)}")
    if text.direction not in ("ltr", "rtl"):
        raise OptionsError(f"{where}text.direction: expected 'ltr' or 'rtl', not {shown(text.direction)}")


def _dataclass_from(kind: Any, values: Mapping[Any, Any], where: str) -> Any:
    """``kind(**values)``; an unknown key is an :class:`OptionsError` naming it and the known ones."""
    known = [f.name for f in fields(kind) if f.init]
    for key in values:
        if key not in known:  # the key is the caller's: shown cut (a 100,000-character key was the whole message)
            name = key if isinstance(key, str) and len(key) <= 80 else shown(key)
            raise OptionsError(f"{where}.{name}: unknown option (options: {', '.join(known)})")
    return kind(**values)


def render_options(options: RenderOptions | Mapping[str, Any] | None) -> RenderOptions:
    """``options`` as :class:`RenderOptions`: a mapping is read key by key (``{"theme": "harbor-ledger"}``)."""
    if isinstance(options, RenderOptions):
        return options
    if options is None:
        return RenderOptions()
    if isinstance(options, Mapping):
        return _dataclass_from(RenderOptions, options, "options")
    raise OptionsError(f"options: expected RenderOptions or a mapping, not {type(options).__name__}")


_TAGS = re.compile(r"<[^>]+>")
# a sentence ends at . ! ? (and a closing quote) before a space and a capital
# or an opening quote, unless the word is an abbreviation ("U.S.", "Mr.").
_SENTENCE_END = re.compile(r"[.!?][’”\"]?(?=\s+[A-Z“\"‘]|$)")
_ABBREVIATION = re.compile(r"(?:\b(?:[A-Za-z]\.)+|\b(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Jr|Sr|No|Inc|Corp|Co|vs)\.)$")


PREHEADER_CHARS = 130
# a list's number or numeral opening the text ("1. List item": an ordered list, or a Word
# list pasted as paragraphs) is not a sentence: "1." alone was the preheader
_LIST_NUMBER = re.compile(r"[0-9]{1,3}|[IVXLCDM]{1,7}|[ivxlcdm]{1,7}")


# longer than any abbreviation the pattern knows; a run of initials this long
# is an abbreviation whichever way it is cut
_ABBREVIATION_REACH = 64


# inline elements join the text around them ("<b>Wash</b>ington" is one word);
# any other tag separates words
_INLINE_TAGS = re.compile(r"</?(?:a|abbr|b|cite|code|del|em|i|ins|kbd|mark|q|rp|rt|ruby|s|samp|small|span|strong|sub|sup|u)"
                          r"\b[^>]*>")


def _plain(html: str) -> str:
    return " ".join(html_lib.unescape(_TAGS.sub(" ", _INLINE_TAGS.sub("", html))).split())


def _plain_prefix(html: str, chars: int) -> str:
    """``_plain(html)``, or a prefix of it longer than ``chars``: only as much of ``html`` is
    read as that takes, cut just after a ``>``. A match of _TAGS or _INLINE_TAGS never
    crosses a ``>``, nor does a character reference, so the prefix's text is the text's
    prefix (tested against the whole). A story without a dek read its whole body for its
    preheader: 5 ms at 1,000 paragraphs."""
    size = max(4 * chars, 64)
    while True:
        cut = html.find(">", size) if size < len(html) else -1
        if cut == -1:
            return _plain(html)
        plain = _plain(html[: cut + 1])
        if len(plain) > chars:
            return plain
        size *= 2  # doubling: reading stays linear in the body, however sparse its text


def _first_sentence(html: str, limit: int = PREHEADER_CHARS) -> str:
    """The first sentence of ``html``'s text, as far as :func:`shorten` to ``limit`` can tell.

    Only the first ``2 * limit`` characters are read: a sentence that ends later is
    shortened to the same preheader as the text cut there (shorten reads the first
    ``limit - 1`` characters and whether there are more), so the time does not grow
    with the body. (Read to its end, one long paragraph of abbreviations, "U.S. U.S. ...",
    took seconds: each candidate full stop searched all the text before it.)
    """
    plain = _plain_prefix(html, 2 * limit)
    text = plain[: 2 * limit]
    if len(plain) > len(text) and composed_length(text) <= limit:
        # combining marks made the part read no longer than a preheader (shorten counts
        # composed characters): it is cut all the same, so it ends in an ellipsis
        return text[: grapheme_start(text, len(text) - 1)] + "…"
    for m in _SENTENCE_END.finditer(text):
        # the abbreviation test reads the words before the stop only: on the
        # whole text so far, "A. " * 30,000 (a body of 90 KB with no dek)
        # took minutes, each stop copying and searching everything before it
        if m.start() <= 7 and _LIST_NUMBER.fullmatch(text, 0, m.start()):
            continue
        if not _ABBREVIATION.search(text, max(0, m.start() + 1 - _ABBREVIATION_REACH), m.start() + 1):
            return text[: m.end()]
    return text


def _subject(edition: Edition) -> str:
    return edition.subject or shorten(edition.lead.headline, 78)


def _preheader(edition: Edition, subject: str, lead_body: str) -> str:
    """The caller's preheader, else the lead's dek, summary or first sentence of its body.

    ``lead_body`` is the lead's body as sanitised (what the reader sees): never the raw
    CMS HTML, whose script and style text would reach the inbox preview.
    """
    if edition.preheader:  # the caller's own: used as given (checks warn about it)
        return edition.preheader
    lead = edition.lead
    for field_value in (lead.dek, lead.summary, lead_body):
        candidate = field_value
        if field_value is lead_body and field_value:
            candidate = _first_sentence(field_value)  # only when there is no dek or summary
        if candidate and candidate.strip().casefold() != subject.strip().casefold():
            return shorten(candidate, PREHEADER_CHARS)
    return ""


def _unshown(template: str, edition: Edition, used: frozenset[str] | None) -> list[RenderWarning]:
    """Warnings for the parts of ``edition`` that ``template`` never refers to
    (a digest's sections rendered with the breaking template): they would be
    dropped without a word. A template that refers to ``edition`` may show anything."""
    if used is None or "edition" in used:
        return []
    by = f"not shown by template {template!r}"
    out: list[RenderWarning] = []

    def warn(field: str, message: str) -> None:
        out.append(RenderWarning("content-not-shown", f"{field}: {message}", field, template))

    if "articles" not in used:
        if "article" not in used:
            warn("articles", f"{len(edition.articles)} article(s) {by}")
        elif len(edition.articles) > 1:
            warn("articles[1:]", f"{len(edition.articles) - 1} article(s) after the lead {by}, "
                 "which shows the lead article only")
    if edition.sections and "sections" not in used:
        stories = sum(len(s.articles) for s in edition.sections)
        warn("sections", f"{len(edition.sections)} section(s) with {stories} article(s) {by}")
    if edition.more_stories and "more_stories" not in used:
        warn("more_stories", f"{len(edition.more_stories)} link(s) {by}")
    if edition.editor_note and "editor_note" not in used:
        warn("editor_note", by)
    return out


def _articles(edition: Edition) -> Iterable[tuple[str, Article]]:
    for i, a in enumerate(edition.articles):
        yield f"articles[{i}]", a
    for j, s in enumerate(edition.sections):
        for k, a in enumerate(s.articles):
            yield f"sections[{j}].articles[{k}]", a


# element names and mk- classes: two patterns, so that each starts with a
# literal the regex engine searches for in C (as one alternation beginning
# with \b it was tried at every character of every body: 3.6 ms of a
# 1,000-paragraph alert)
_MARKUP_TAG = re.compile(r"<([a-z][a-z0-9]*)")
_MARKUP_CLASS = re.compile(r"(?<![\w])mk-[a-z-]+")


def body_markup(html: str) -> set[str]:
    """The element names and ``mk-`` classes in a cleaned body."""
    found = set(_MARKUP_TAG.findall(html))
    if "mk-" in html:
        found.update(_MARKUP_CLASS.findall(html))
    return found


def _covered(template: str, edition: Edition, used: frozenset[str] | None) -> Callable[[str], bool]:
    """Which story paths :func:`_unshown` has already reported as a whole."""
    if used is None or "edition" in used:
        return lambda path: False
    lead_only = "articles" not in used and "article" in used
    no_articles = "articles" not in used and "article" not in used
    no_sections = "sections" not in used

    def covered(path: str) -> bool:
        if path.startswith("sections"):
            return no_sections
        return no_articles or (lead_only and path != "articles[0]")

    return covered


def _image_warnings(edition: Edition) -> list[RenderWarning]:
    out = []
    for path, article in _articles(edition):
        img = article.image
        if img is not None and not (img.width and img.height):
            out.append(RenderWarning(
                "image-no-size", f"{path}.image: no width and height: shown at the column's width with height auto; "
                "Outlook on Windows needs both to reserve its box, so the layout may move as it loads", f"{path}.image"))
    return out


def _continue_link(article: Article, lang: str, dirs: tuple[Path, ...]) -> str:
    # the link after a cut body, in the story's language (a gettext message, like every label)
    label = labels(lang, dirs).text("Continue reading")
    return f'<p class="{CONTINUE_CLASS}"><a href="{encode_for_mrml(article.url)}">{encode_for_mrml(label)}</a></p>'


def _languages(edition: Edition) -> set[str]:
    return {edition.lang, *(a.language for _, a in _articles(edition) if a.language),
            *(link.language for link in edition.more_stories if link.language)}


def _fonts(edition: Edition, languages: set[str]) -> Fonts:
    """The theme's font stacks, with the fonts of the scripts this edition's languages use."""
    fonts = edition.newsletter.brand.fonts
    headline, body = script_font_stack(fonts.headline, languages), script_font_stack(fonts.body, languages)
    if headline == fonts.headline and body == fonts.body:
        return fonts  # no script to add (a frozen model, as good as a copy): the copy was 8 us a render
    return fonts.model_copy(update={"headline": headline, "body": body})


def _context(template: str, edition: Edition, warnings: list[RenderWarning], slots: RecipientSlots,
             watched: Watched | None = None, max_body_chars: int | None = None,
             extra_dirs: Iterable[str | Path] = ()) -> dict[str, Any]:
    dirs = tuple(template_dirs(extra_dirs))
    if watched is None:
        watched = watch_edition(edition)
    bodies: dict[int, Markup] = {}
    markup: set[str] = set()
    lead_body = ""
    for path, article in _articles(edition):
        if article.body:
            clean = sanitize_body(article.body, field=f"{path}.body", base_url=article.url)
            warnings.extend(w.in_template(template) for w in clean.warnings)
            body_html = size_body_images(clean.html)
            if article is edition.lead:
                lead_body = body_html  # before any cut: the preheader's first sentence
            if max_body_chars is not None:
                # in the body itself, so every template (a reader's own included) shows the link
                cut_warnings: list[RenderWarning] = []
                cut = cut_body(body_html, max_body_chars, field=f"{path}.body", warnings=cut_warnings)
                warnings.extend(w.in_template(template) for w in cut_warnings)
                if cut is not None:
                    body_html = cut + _continue_link(article, article.language or edition.lang, dirs)
            bodies[id(article)] = Markup(body_html)
            markup |= body_markup(body_html)
    subject = _subject(edition)
    newsletter = edition.newsletter
    nonce = slots.nonce()

    def body(article: Article | Watched) -> Markup:
        if isinstance(article, Watched):
            article._read.add("body")
        return bodies.get(id(unwrap(article)), Markup(""))

    lang, direction = edition.lang, edition.dir
    languages = _languages(edition)
    here = labels(lang, dirs)
    # this render's labels by language: labels() looks for the catalog files
    # (a stat per folder and locale), and the partials ask for a story's
    # labels several times a story (0.1 ms of a breaking alert). Bounded by
    # the languages one edition holds; made again on the next render, so a
    # recompiled catalog is read then.
    by_language: dict[str, Labels] = {lang: here}

    def in_language(other: str) -> Labels:
        # a story's own language in a digest: {% with gettext=..., _=... %} in the partials
        found = by_language.get(other)
        if found is None:
            found = by_language[other] = labels(other, dirs)
        return found

    def voice(item: Any) -> Any:
        return voice_of(item, lang, direction)

    return {
        "template": template,
        "edition": watched,
        "newsletter": newsletter,
        "brand": newsletter.brand,
        "colors": newsletter.brand.colors,
        "fonts": _fonts(edition, languages),
        "scripts": (scripts := scripts_of(languages)),
        # an email holding a script that stacks marks above and below the line (Thai, Myanmar ...):
        # one test in the layout (a Jinja select over the scripts was 15 us a render)
        "stacked_scripts": not STACKED_SCRIPTS.isdisjoint(scripts),
        "tz": newsletter.brand.timezone,
        "footer": newsletter.footer,
        "article": watched.articles[0],
        "articles": watched.articles,
        "sections": watched.sections,
        "more_stories": edition.more_stories,
        "editor_note": edition.editor_note,
        "date": edition.date or edition.lead.published_at.date(),
        "subject": subject,
        "preheader": _preheader(edition, subject, lead_body),
        "lang": edition.lang,
        "dir": edition.dir,
        "body": body,
        "voice": voice,
        "image_box": image_box,
        "leaves_out": leaves_out,
        # element names and mk- classes in the cleaned bodies: the layout writes
        # the CSS for tables, code or embeds only when a body holds them
        "body_markup": frozenset(markup),
        # one language per render, passed in (not installed on the shared environment)
        "gettext": here.gettext,
        "ngettext": here.ngettext,
        "_": here.gettext,
        "labels_in": in_language,
        "recipient": slots,
        "unsubscribe_url": slot_token(nonce, "unsubscribe_url"),
        "preferences_url": slot_token(nonce, "preferences_url"),
    }


def _language_warnings(edition: Edition, extra_dirs: tuple[str | Path, ...]) -> list[RenderWarning]:
    """A warning for each language (the edition's, a story's) that has no catalog: its labels are English."""
    dirs = template_dirs(extra_dirs)
    wanted = {edition.lang: "lang"}
    for path, article in _articles(edition):
        if article.language:
            wanted.setdefault(article.language, f"{path}.language")
    return [RenderWarning("no-catalog", f"{field}: no message catalog for language {lang!r}: its labels are in English",
                          field) for lang, field in wanted.items() if missing_catalog(lang, dirs)]


def _story_slots(edition: Edition) -> dict[str, str]:
    slots: dict[str, str] = {}
    for _, article in _articles(edition):
        slots.setdefault(article.url, f"story-{len(slots) + 1}")
    for link in edition.more_stories:
        slots.setdefault(link.url, f"story-{len(slots) + 1}")
    return slots


def _check_placeholders(slots: RecipientSlots, composed: str, template: str) -> None:
    problem = slots.misused(composed)
    if problem is not None:
        raise TemplateError(problem, template=template)


# the names every template's context holds (see _context); an author's global may not hide one
CONTEXT_NAMES = frozenset(c.name for c in CONTEXT)
# what Jinja reads as a constant or an operator, never as a name
_JINJA_WORDS = frozenset({"true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is",
                          "if", "else", "recursive", "with", "without", "context", "ignore", "missing"})

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_search_path = template_dirs  # Renderer's argument of that name hides the function


def _checked_additions(filters: Any, globals_: Any) -> tuple[dict[str, Callable[..., Any]], dict[str, Any]]:
    """An author's extra filters and globals, checked: names templates can write, callables
    for filters, and none that would replace one of mailkit's or Jinja's own (``css``,
    ``escape``, ``range``) or hide a name of the render context (``article``)."""
    own_filters, own_globals = builtin_names()
    out: list[dict[str, Any]] = []
    for argument, given, taken in (("filters", filters, own_filters), ("globals", globals_, own_globals)):
        if not isinstance(given, Mapping):
            raise OptionsError(f"{argument}: expected a mapping of names to values, not {type(given).__name__}")
        checked: dict[str, Any] = {}
        for name, value in given.items():
            where = f"{argument}[{name!r}]"
            if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) or name in _JINJA_WORDS:
                raise OptionsError(f"{where}: not a name a template can use (letters, digits and '_')")
            if name in taken:
                raise OptionsError(f"{where}: templates already have a {argument[:-1]} named {name!r} "
                                   "(mailkit's or Jinja's own); choose another name")
            if argument == "globals" and name in CONTEXT_NAMES:
                raise OptionsError(f"{where}: {name!r} is a name of the render context, which would hide "
                                   "this global; choose another name")
            if argument == "filters" and not callable(value):
                raise OptionsError(f"{where}: expected a callable, not {type(value).__name__}")
            checked[name] = value
        out.append(checked)
    return out[0], out[1]


def _checked_limits(limits: Any) -> Limits:
    if isinstance(limits, Mapping):
        limits = _dataclass_from(Limits, limits, "limits")
    if not isinstance(limits, Limits):
        raise OptionsError(f"limits: expected mailkit.Limits or a mapping, not {type(limits).__name__}")
    for f in fields(limits):
        value = getattr(limits, f.name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise OptionsError(f"limits.{f.name}: expected a number over 0, not {shown(value)}")
        # counts are sizes, indexes and read() lengths: a whole number a C size holds
        # (max_file_bytes=2**63 was OverflowError, =1e308 or inf TypeError from file.read)
        if f.name != "max_template_seconds" and (not isinstance(value, int) or value > sys.maxsize):
            raise OptionsError(f"limits.{f.name}: expected a whole number up to {sys.maxsize}, not {shown(value)}")
        if value == math.inf:
            raise OptionsError(f"limits.{f.name}: expected a finite number of seconds, not {shown(value)}")
    return limits


class Renderer:
    """Templates, theme, limits and settings, set once, for rendering many emails.

    Like ``jinja2.Environment`` or ``httpx.Client``: construct one and keep it.
    It owns what it caches: its templates compiled by Jinja (reloaded when a
    file changes), what each template refers to, its theme as loaded. Its
    ``limits`` apply to its own renders only (other renderers, threads and
    tasks keep theirs), and its ``filters`` and ``globals`` reach its own
    templates only. A renderer never changes once made; it may render in
    several threads at once.

    >>> renderer = Renderer(template_dirs=["my_templates"], theme="harbor-ledger")   # doctest: +SKIP
    >>> email = renderer.render("digest", "fixtures/digest-morning-briefing.yaml")   # doctest: +SKIP

    Arguments are keyword-only and those of :class:`RenderOptions`, plus
    ``limits`` (a :class:`Limits`, or a mapping of its fields), ``filters`` and
    ``globals`` (names templates can use; none may replace mailkit's or Jinja's
    own, nor a name of the render context). A wrong one is an
    :class:`OptionsError` naming it. :func:`mailkit.render` is this with a
    renderer made from its ``options`` (kept for the next call with the same ones).
    """

    _where = ""  # how errors name a setting: "theme" here, "options.theme" for from_options()

    def __init__(self, *, template_dirs: Iterable[str | Path] | str | Path = (), theme: str | Path | None = None,
                 limits: Limits | Mapping[str, Any] = LIMITS, link_tagging: LinkTagging | Mapping[str, Any] | None = None,
                 strict: bool = False, max_body_chars: int | None = None,
                 text: TextOptions | Mapping[str, Any] = TextOptions(),  # noqa: B008  # frozen: a shared default is safe
                 inline: InlineOptions | Mapping[str, Any] = InlineOptions(),  # noqa: B008
                 inliner: Inliner | InlineEngine = "premailer", text_engine: str | TextEngine = "html2text",
                 ignore: Iterable[str] = (),
                 filters: Mapping[str, Callable[..., Any]] = _EMPTY, globals: Mapping[str, Any] = _EMPTY) -> None:
        settings = _checked_settings(self._where, {
            "template_dirs": template_dirs, "theme": theme, "strict": strict, "text": text, "inline": inline,
            "inliner": inliner, "link_tagging": link_tagging, "max_body_chars": max_body_chars,
            "text_engine": text_engine, "ignore": ignore})
        self._limits = _checked_limits(limits)
        checked_filters, checked_globals = _checked_additions(filters, globals)
        self._filters: Mapping[str, Callable[..., Any]] = MappingProxyType(checked_filters)
        self._globals: Mapping[str, Any] = MappingProxyType(checked_globals)
        # the folders as they are now: a later change of the working directory changes nothing
        dirs = tuple(_search_path(settings["template_dirs"]))
        self._extra = dirs[:-1]
        self._options = RenderOptions(**{**settings, "template_dirs": self._extra})
        # built lazily (the first render compiles): cheap to make, shared by with_options()
        self._templates = Templates(dirs, filters=checked_filters, globals=checked_globals)
        self._themes: dict[tuple[Path, int, int], Brand] = {}
        self._text_labelled: dict[tuple[Labels, str], TextOptions] = {}

    @classmethod
    def from_options(cls, options: RenderOptions | Mapping[str, Any], *,
                     limits: Limits | Mapping[str, Any] = LIMITS, filters: Mapping[str, Callable[..., Any]] = _EMPTY,
                     globals: Mapping[str, Any] = _EMPTY) -> Renderer:
        """A renderer with the settings of ``options`` (a :class:`RenderOptions` or a mapping of its fields)."""
        options = render_options(options)
        renderer = cls(**{f.name: getattr(options, f.name) for f in fields(options)},
                       limits=limits, filters=filters, globals=globals)
        renderer._where = "options."  # the caller wrote options.theme: errors at render time say so
        return renderer

    @property
    def options(self) -> RenderOptions:
        """The render settings (``template_dirs`` resolved: the folders this renderer reads)."""
        return self._options

    @property
    def limits(self) -> Limits:
        """The limits this renderer's renders run within."""
        return self._limits

    @property
    def filters(self) -> Mapping[str, Callable[..., Any]]:
        """The author's filters its templates have, besides mailkit's and Jinja's own (read-only)."""
        return self._filters

    @property
    def globals(self) -> Mapping[str, Any]:
        """The author's globals its templates have (read-only)."""
        return self._globals

    def _arguments(self) -> dict[str, Any]:
        options = self._options
        return {**{f.name: getattr(options, f.name) for f in fields(options)},
                "limits": self._limits, "filters": self._filters, "globals": self._globals}

    def with_options(self, **changes: Any) -> Renderer:
        """A renderer like this one with some arguments changed (``with_options(theme="nbc-news")``).

        It shares this one's compiled templates while the folders, filters and
        globals stay the same, and its loaded themes while the folders do.
        """
        arguments = self._arguments()
        for key in changes:
            if key not in arguments:
                raise OptionsError(f"{key}: unknown option (options: {', '.join(arguments)})")
        renderer = Renderer(**{**arguments, **changes})
        renderer._where = self._where
        if renderer._templates.dirs == self._templates.dirs:
            renderer._themes = self._themes
            if renderer._filters == self._filters and renderer._globals == self._globals:
                renderer._templates = self._templates
        return renderer

    def list_templates(self) -> list[TemplateInfo]:
        """Every template this renderer can render, its folders' overriding packaged ones of the same name."""
        return self._templates.list_templates()

    def _theme(self) -> Brand | None:
        """The theme's :class:`Brand`, loaded again only when its file changes."""
        theme = self._options.theme
        if theme is None:
            return None
        path = find_theme(theme, self._extra)
        if path is None:  # the option's fault, not the edition's
            raise OptionsError(f"{self._where}theme: {no_theme_message(theme, self._extra)}")
        try:
            st = path.stat()
        except OSError:
            return load_theme(path, self._extra)  # gone since: load_theme says so
        key = (path.resolve(), st.st_mtime_ns, st.st_size)
        brand = self._themes.get(key)
        if brand is None:
            brand = load_theme(path, self._extra)
            if len(self._themes) >= 16:  # bounded: one entry per version of the file
                self._themes.clear()
            self._themes[key] = brand
        return brand

    def _text_options(self, here: Labels, direction: str = "ltr") -> TextOptions:
        """The text stage's options with the labels and direction of the edition's language filled in."""
        # made once per catalog (Labels): two dataclasses.replace and two labels a render were 4 us
        text_options = self._text_labelled.get((here, direction))
        if text_options is not None:
            return text_options
        text_options = self._options.text
        if direction != text_options.direction:
            text_options = replace(text_options, direction=direction)
        if text_options.links_heading is None:
            text_options = replace(text_options, links_heading=here.text("Links:"))
        if text_options.button_label is None:
            # the button's label, then its URL on the next line ("Read the full story:"); the
            # placeholder survives the formatting: the text stage fills it for each button
            text_options = replace(text_options, button_label=here.text("%(label)s:", label="%(label)s"))
        if len(self._text_labelled) >= 64:  # bounded: one entry per language and catalog version
            self._text_labelled.clear()
        self._text_labelled[here, direction] = text_options
        return text_options

    def prepare(self, template: str, edition: Edition | Mapping[str, Any] | str | Path) -> PreparedEmail:
        """Run the whole pipeline once, with placeholders for recipient fields.

        >>> prepared = renderer.prepare("breaking", "fixtures/breaking-china-cyberspying.yaml")   # doctest: +SKIP
        >>> for reader in readers:                                                                # doctest: +SKIP
        ...     send(prepared.personalize(reader).to_message())
        """
        with limits_in_force(self._limits), checked_once():
            prepared, _own, found = self._prepare(template, edition)
            return replace(prepared, warnings=found)

    def _prepare(self, template: str, edition: Edition | Mapping[str, Any] | str | Path
                 ) -> tuple[PreparedEmail, RenderedEmail, tuple[RenderWarning, ...]]:
        """The prepared email and the newsletter's own email (no reader), both without the
        render's warnings, and the warnings: :meth:`prepare` and :meth:`render` put them in."""
        options, dirs, templates = self._options, self._extra, self._templates
        # the arguments' types, named: a template of 0 was TypeError (int + str), an edition
        # of 0 or [] TypeError from os.fspath, neither a MailkitError
        if not isinstance(template, str):
            raise OptionsError(f"template: expected a template name, not {type(template).__name__}")
        if not isinstance(edition, Edition | Mapping | str | Path):
            raise OptionsError(f"edition: expected an Edition, a mapping or a fixture file, not {type(edition).__name__}")
        templates.find(template)
        edition = load_edition(edition, extra_dirs=dirs)
        brand = self._theme()
        if brand is not None:
            edition = edition.model_copy(update={"newsletter": edition.newsletter.model_copy(update={"brand": brand})})
        warnings: list[RenderWarning] = []
        nonce = new_nonce()
        slots = RecipientSlots(nonce)
        watched = watch_edition(edition)
        context = _context(template, edition, warnings, slots, watched, options.max_body_chars, dirs)
        warnings.extend(w.in_template(template) for w in _language_warnings(edition, dirs))

        mjml = templates.compose(template, context, limits=self._limits)
        _check_placeholders(slots, mjml, template + TEMPLATE_SUFFIX)
        used = templates.names_used(template)
        warnings.extend(_unshown(template, edition, used))
        warnings.extend(unshown_story_fields(template, watched, _covered(template, edition, used)))
        warnings.extend(w.in_template(template) for w in _image_warnings(edition))
        warnings.extend(w.in_template(template) for w in mojibake_warnings(edition))
        compiled = compile_mjml(mjml, CompileOptions(web_fonts=dict(edition.newsletter.brand.fonts.web_fonts),
                                                     template=template, extra_dirs=dirs))
        footer = edition.newsletter.footer
        compiled = tag_links(
            compiled, tagging=options.link_tagging, slots=_story_slots(edition),
            skip=frozenset(u for u in (footer.view_in_browser_url, footer.signup_url) if u),
            recipient_token=(str(slot_token(nonce, "link_params_q")), str(slot_token(nonce, "link_params_amp"))),
        )
        text_options = self._text_options(context["labels_in"](edition.lang), edition.dir)  # looked up once a render
        try:
            html, tree = inline_document(compiled, options.inliner, options.inline)
        except InliningError as err:
            if not isinstance(inline_engine(options.inliner), PremailerEngine | CssInlineEngine):
                raise  # a caller's engine: its errors are passed on as they are (tested)
            # mailkit's engines fail on the template's CSS (its <mj-style>, the layout's): named,
            # as every other stage names it (cssutils writes ".\31 23" back as ".123", no selector)
            raise InliningError(f"{template}{TEMPLATE_SUFFIX}: {err}") from err
        text: list[Any] | str
        if templates.has_text_template(template):
            text = templates.compose(template, context, suffix=TEXT_SUFFIX, limits=self._limits)
            _check_placeholders(slots, text, template + TEXT_SUFFIX)
        else:
            # the text stage takes apart the tree just inlined and serialised
            text = document_lines(tree, options.text_engine, text_options)

        prepared = PreparedEmail.build(
            template=template, edition=edition, subject=context["subject"], preheader=context["preheader"],
            mjml=mjml, html=html, text=text, text_options=text_options, nonce=nonce,
            fallbacks=tuple(slots.fallbacks), warnings=(),
        )
        own = prepared.personalize(None)  # what the checks read; render() returns it to a call without a reader
        warnings.extend(deliverability_warnings(own))
        if options.strict and any(w.code not in options.ignore for w in warnings):
            raise DeliverabilityError([w for w in warnings if w.code not in options.ignore])
        return prepared, own, tuple(warnings)

    def render(self, template: str, edition: Edition | Mapping[str, Any] | str | Path,
               recipient: Recipient | Mapping[str, Any] | None = None) -> RenderedEmail:
        """Render ``edition`` (an :class:`Edition`, a dict, or a fixture path) with ``template``.

        ``recipient`` personalises it (first name, own unsubscribe link, link
        parameters); it equals ``prepare(template, edition).personalize(recipient)``
        byte for byte (the same code, without compiling a fill for one recipient).

        >>> email = renderer.render("breaking", "fixtures/breaking-china-cyberspying.yaml")   # doctest: +SKIP
        >>> email.subject, email.html, email.text                                             # doctest: +SKIP
        """
        with limits_in_force(self._limits), checked_once():  # each template file checked once a render
            reader = _checked_recipient(recipient)
            prepared, own, found = self._prepare(template, edition)
            if reader is None:
                # the email the checks read, with their warnings: what the prepared email with
                # them gives for no reader (equality tested), not made a second time from a
                # fresh copy, whose cached parts are worked out again (about 25 us of a
                # breaking alert's render after the naive glue, 9 us warm)
                return replace(own, warnings=found)
            return replace(prepared, warnings=found).personalize(reader)

    def __repr__(self) -> str:
        return f"Renderer(template_dirs={self._options.template_dirs!r}, theme={self._options.theme!r})"


# The renderers behind render() and prepare(), one per options and folders (a
# relative folder is another folder after a chdir), sharing compiled templates
# per folder list with the module-level compose(): a render with options
# compiles nothing the last one with equal options compiled.
_RENDERERS: dict[tuple[RenderOptions, tuple[Path, ...]], Renderer] = {}
_RENDERERS_MAX = 32
_RENDERERS_LOCK = threading.Lock()


def _new_default(options: RenderOptions, dirs: tuple[Path, ...]) -> Renderer:
    renderer = Renderer.from_options(options)
    if renderer._templates.dirs == dirs:  # the folders have not changed since they were looked up
        renderer._templates = shared_templates(dirs)
    return renderer


def renderer_for(options: RenderOptions | Mapping[str, Any] | None = None) -> Renderer:
    """The renderer :func:`render` and :func:`prepare` use for ``options`` (kept for the next call)."""
    options = render_options(options)
    dirs = tuple(template_dirs(options.template_dirs)) if options.template_dirs else _PACKAGED
    key = (options, dirs)
    try:
        renderer = _RENDERERS.get(key)
    except TypeError:  # an option that cannot be a key (an inliner object without a hash): not kept
        return _new_default(options, dirs)
    if renderer is None:
        renderer = _new_default(options, dirs)
        with _RENDERERS_LOCK:
            if len(_RENDERERS) >= _RENDERERS_MAX:
                del _RENDERERS[next(iter(_RENDERERS))]  # the oldest
            renderer = _RENDERERS.setdefault(key, renderer)
    return renderer


_PACKAGED = tuple(template_dirs(()))


def prepare(template: str, edition: Edition | Mapping[str, Any] | str | Path,
            options: RenderOptions | Mapping[str, Any] = RenderOptions()) -> PreparedEmail:
    """Run the whole pipeline once, with placeholders for recipient fields: :meth:`Renderer.prepare`
    with the renderer for ``options``.

    >>> prepared = prepare("breaking", "fixtures/breaking-china-cyberspying.yaml")   # doctest: +SKIP
    >>> for reader in readers:                                                       # doctest: +SKIP
    ...     send(prepared.personalize(reader).to_message())
    """
    return renderer_for(options).prepare(template, edition)


def render(template: str, edition: Edition | Mapping[str, Any] | str | Path,
           options: RenderOptions | Mapping[str, Any] = RenderOptions(),
           recipient: Recipient | Mapping[str, Any] | None = None) -> RenderedEmail:
    """Render ``edition`` (an :class:`Edition`, a dict, or a fixture path) with ``template``:
    :meth:`Renderer.render` with the renderer for ``options``.

    ``recipient`` personalises it (first name, own unsubscribe link, link
    parameters); it equals ``prepare(template, edition, options).personalize(recipient)``
    byte for byte (the same code, without compiling a fill for one recipient).

    >>> email = render("breaking", "fixtures/breaking-china-cyberspying.yaml")   # doctest: +SKIP
    >>> email.subject, email.html, email.text                                    # doctest: +SKIP
    """
    return renderer_for(options).render(template, edition, recipient)
