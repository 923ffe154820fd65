"""The public entry point: ``render(template, edition) -> RenderedEmail``.

    models -> compose (Jinja2 -> MJML) -> compile (MRML -> HTML) -> inline (premailer) -> text (html2text)
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .checks import deliverability_warnings
from .compile import CompileOptions, compile_mjml
from .compose import TEMPLATE_SUFFIX, TEXT_SUFFIX, compose, find_template, names_used, text_template_exists
from .errors import DeliverabilityError, OptionsError, TemplateError
from .fixtures import find_theme, load_edition, load_theme, no_theme_message
from .i18n import Labels, labels, missing_catalog, script_font_stack
from .inline import InlineOptions, Inliner, inline_document
from .links import LinkTagging, tag_links
from .media import Watched, image_box, leaves_out, unshown_story_fields, unwrap, voice_of, watch_edition
from .models import Article, Edition, Fonts, Recipient
from .paths import template_dirs
from .personalize import PreparedEmail, RecipientSlots, new_nonce, slot_token
from .rendered import RenderedEmail
from .sanitize import cut_body, encode_for_mrml, sanitize_body
from .text import TextOptions, tree_text_lines

__all__ = ["RenderOptions", "RenderedEmail", "prepare", "render"]


@dataclass(frozen=True, kw_only=True)
class RenderOptions:
    """How to render. Defaults are safe: offline, escaped, warnings reported, not raised.

    ``template_dirs``: extra template folders, searched before the packaged one.
    ``theme``: a theme name or file that replaces the edition's brand.
    ``strict``: raise :class:`DeliverabilityError` instead of returning warnings.
    ``link_tagging``: UTM parameters for every story link (off by default).
    ``max_body_chars``: cut each article body after the last paragraph (or
    other block) that ends within this many characters of text, followed by a
    "Continue reading" link to the article: how a long read stays under
    Gmail's clip. ``None`` (the default) never cuts.

    ``render()`` and ``prepare()`` also take a mapping of these
    (``{"theme": "harbor-ledger"}``); an unknown key or a value of the wrong
    type is an :class:`OptionsError` naming it.
    """

    template_dirs: tuple[str | Path, ...] = ()
    theme: str | Path | None = None
    strict: bool = False
    # frozen dataclasses: one shared default instance is safe
    text: TextOptions = TextOptions()  # noqa: RUF009
    inline: InlineOptions = InlineOptions()  # noqa: RUF009
    # "css-inline" needs mailkit[fast]: the same guarantees, about 3x faster
    inliner: Inliner = "premailer"
    link_tagging: LinkTagging | None = None
    max_body_chars: int | None = None

    def __post_init__(self) -> None:
        # a plain string would be taken apart letter by letter as folders
        dirs = self.template_dirs
        if isinstance(dirs, str | Path):
            dirs = (dirs,)
        dirs = tuple(dirs) if isinstance(dirs, Iterable) else dirs
        if not isinstance(dirs, tuple) or not all(isinstance(d, str | Path) for d in dirs):
            raise OptionsError(f"options.template_dirs: expected folder paths, not {self.template_dirs!r}")
        object.__setattr__(self, "template_dirs", dirs)
        if self.theme is not None and not isinstance(self.theme, str | Path):
            raise OptionsError(f"options.theme: expected a theme name or file, not {type(self.theme).__name__}")
        if not isinstance(self.strict, bool):
            raise OptionsError(f"options.strict: expected True or False, not {self.strict!r}")
        for name, kind in (("text", TextOptions), ("inline", InlineOptions), ("link_tagging", LinkTagging)):
            value = getattr(self, name)
            if isinstance(value, Mapping):
                object.__setattr__(self, name, _dataclass_from(kind, value, f"options.{name}"))
            elif not isinstance(value, kind) and not (name == "link_tagging" and value is None):
                raise OptionsError(f"options.{name}: expected {kind.__name__} or a mapping, not {type(value).__name__}")


def _dataclass_from(kind: Any, values: Mapping[Any, Any], where: str) -> Any:
    """``kind(**values)``; an unknown key is an :class:`OptionsError` naming it and the known ones."""
    known = [f.name for f in fields(kind) if f.init]
    for key in values:
        if key not in known:
            raise OptionsError(f"{where}.{key}: unknown option (options: {', '.join(known)})")
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


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:—–-")
    return cut + "…"


_TAGS = re.compile(r"<[^>]+>")
# a sentence ends at . ! ? (and a closing quote) before a space and a capital
# or an opening quote, unless the word is an abbreviation ("U.S.", "Mr.").
_SENTENCE_END = re.compile(r"[.!?][’”\"]?(?=\s+[A-Z“\"‘]|$)")
_ABBREVIATION = re.compile(r"(?:\b(?:[A-Za-z]\.)+|\b(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Jr|Sr|No|Inc|Corp|Co|vs)\.)$")


PREHEADER_CHARS = 130


# longer than any abbreviation the pattern knows; a run of initials this long
# is an abbreviation whichever way it is cut
_ABBREVIATION_REACH = 64


# inline elements join the text around them ("<b>Wash</b>ington" is one word);
# any other tag separates words
_INLINE_TAGS = re.compile(r"</?(?:a|abbr|b|cite|code|del|em|i|ins|kbd|mark|q|s|samp|small|span|strong|sub|sup|u)\b[^>]*>")


def _plain(html: str) -> str:
    return " ".join(html_lib.unescape(_TAGS.sub(" ", _INLINE_TAGS.sub("", html))).split())


def _first_sentence(html: str, limit: int = PREHEADER_CHARS) -> str:
    """The first sentence of ``html``'s text, as far as :func:`shorten` to ``limit`` can tell.

    Only the first ``2 * limit`` characters are read: a sentence that ends later is
    shortened to the same preheader as the text cut there (shorten reads the first
    ``limit - 1`` characters and whether there are more), so the time does not grow
    with the body. (Read to its end, one long paragraph of abbreviations, "U.S. U.S. ...",
    took seconds: each candidate full stop searched all the text before it.)
    """
    text = _plain(html)[: 2 * limit]
    for m in _SENTENCE_END.finditer(text):
        # the abbreviation test reads the words before the stop only: on the
        # whole text so far, "A. " * 30,000 (a body of 90 KB with no dek)
        # took minutes, each stop copying and searching everything before it
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


def _unshown(template: str, edition: Edition, used: frozenset[str] | None) -> list[str]:
    """Warnings for the parts of ``edition`` that ``template`` never refers to
    (a digest's sections rendered with the breaking template): they would be
    dropped without a word. A template that refers to ``edition`` may show anything."""
    if used is None or "edition" in used:
        return []
    by = f"not shown by template {template!r}"
    out: list[str] = []
    if "articles" not in used:
        if "article" not in used:
            out.append(f"articles: {len(edition.articles)} article(s) {by}")
        elif len(edition.articles) > 1:
            out.append(f"articles[1:]: {len(edition.articles) - 1} article(s) after the lead {by}, "
                       "which shows the lead article only")
    if edition.sections and "sections" not in used:
        stories = sum(len(s.articles) for s in edition.sections)
        out.append(f"sections: {len(edition.sections)} section(s) with {stories} article(s) {by}")
    if edition.more_stories and "more_stories" not in used:
        out.append(f"more_stories: {len(edition.more_stories)} link(s) {by}")
    if edition.editor_note and "editor_note" not in used:
        out.append(f"editor_note: {by}")
    return out


def _articles(edition: Edition) -> Iterable[tuple[str, Article]]:
    for i, a in enumerate(edition.articles):
        yield f"articles[{i}]", a
    for j, s in enumerate(edition.sections):
        for k, a in enumerate(s.articles):
            yield f"sections[{j}].articles[{k}]", a


_MARKUP = re.compile(r"<([a-z][a-z0-9]*)|\b(mk-[a-z-]+)")


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


def _image_warnings(edition: Edition) -> list[str]:
    out = []
    for path, article in _articles(edition):
        img = article.image
        if img is not None and not (img.width and img.height):
            out.append(f"{path}.image: no width and height: shown at the column's width with height auto; "
                       "Outlook on Windows needs both to reserve its box, so the layout may move as it loads")
    return out


def _continue_link(article: Article, lang: str, dirs: tuple[Path, ...]) -> str:
    # the link after a cut body, in the story's language (a gettext message, like every label)
    label = labels(lang, dirs).text("Continue reading")
    return f'<p class="mk-continue"><a href="{encode_for_mrml(article.url)}">{encode_for_mrml(label)}</a></p>'


def _fonts(edition: Edition) -> Fonts:
    """The theme's font stacks, with the fonts of the scripts this edition's languages use."""
    fonts = edition.newsletter.brand.fonts
    languages = {edition.lang, *(a.language for _, a in _articles(edition) if a.language),
                 *(link.language for link in edition.more_stories if link.language)}
    return fonts.model_copy(update={"headline": script_font_stack(fonts.headline, languages),
                                    "body": script_font_stack(fonts.body, languages)})


def _context(template: str, edition: Edition, warnings: list[str], slots: RecipientSlots,
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
            warnings.extend(clean.warnings)
            body_html = clean.html
            if article is edition.lead:
                lead_body = body_html  # before any cut: the preheader's first sentence
            if max_body_chars is not None:
                # in the body itself, so every template (a reader's own included) shows the link
                cut = cut_body(body_html, max_body_chars, field=f"{path}.body", warnings=warnings)
                if cut is not None:
                    body_html = cut + _continue_link(article, article.language or edition.lang, dirs)
            bodies[id(article)] = Markup(body_html)
            markup.update(tag or cls for tag, cls in _MARKUP.findall(body_html))
    subject = _subject(edition)
    newsletter = edition.newsletter
    nonce = slots.nonce()

    def body(article: Article | Watched) -> Markup:
        if isinstance(article, Watched):
            article._read.add("body")
        return bodies.get(id(unwrap(article)), Markup(""))

    lang, direction = edition.lang, edition.dir
    here = labels(lang, dirs)

    def in_language(other: str) -> Labels:
        # a story's own language in a digest: {% with gettext=..., _=... %} in the partials
        return labels(other, dirs)

    def voice(item: Any) -> Any:
        return voice_of(item, lang, direction)

    return {
        "template": template,
        "edition": watched,
        "newsletter": newsletter,
        "brand": newsletter.brand,
        "colors": newsletter.brand.colors,
        "fonts": _fonts(edition),
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


def _language_warnings(edition: Edition, extra_dirs: tuple[str | Path, ...]) -> list[str]:
    """A warning for each language (the edition's, a story's) that has no catalog: its labels are English."""
    dirs = template_dirs(extra_dirs)
    wanted = {edition.lang: "lang"}
    for path, article in _articles(edition):
        if article.language:
            wanted.setdefault(article.language, f"{path}.language")
    return [f"{field}: no message catalog for language {lang!r}: its labels are in English"
            for lang, field in wanted.items() if missing_catalog(lang, dirs)]


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


def prepare(template: str, edition: Edition | Mapping[str, Any] | str | Path,
            options: RenderOptions | Mapping[str, Any] = RenderOptions()) -> PreparedEmail:
    """Run the whole pipeline once, with placeholders for recipient fields.

    >>> prepared = prepare("breaking", "fixtures/breaking-china-cyberspying.yaml")   # doctest: +SKIP
    >>> for reader in readers:                                                       # doctest: +SKIP
    ...     send(prepared.personalize(reader).to_message())
    """
    options = render_options(options)
    dirs = tuple(options.template_dirs)
    find_template(template, dirs)
    edition = load_edition(edition, extra_dirs=dirs)
    if options.theme is not None:
        if find_theme(options.theme, dirs) is None:  # the option's fault, not the edition's
            raise OptionsError(f"options.theme: {no_theme_message(options.theme, dirs)}")
        brand = load_theme(options.theme, dirs)
        edition = edition.model_copy(update={"newsletter": edition.newsletter.model_copy(update={"brand": brand})})
    warnings: list[str] = []
    nonce = new_nonce()
    slots = RecipientSlots(nonce)
    watched = watch_edition(edition)
    context = _context(template, edition, warnings, slots, watched, options.max_body_chars, dirs)
    warnings.extend(_language_warnings(edition, dirs))

    mjml = compose(template, context, extra_dirs=dirs)
    _check_placeholders(slots, mjml, template + TEMPLATE_SUFFIX)
    used = names_used(template, dirs)
    warnings.extend(_unshown(template, edition, used))
    warnings.extend(unshown_story_fields(template, watched, _covered(template, edition, used)))
    warnings.extend(_image_warnings(edition))
    compiled = compile_mjml(mjml, CompileOptions(web_fonts=dict(edition.newsletter.brand.fonts.web_fonts),
                                                 template=template, extra_dirs=dirs))
    footer = edition.newsletter.footer
    compiled = tag_links(
        compiled, tagging=options.link_tagging, slots=_story_slots(edition),
        skip=frozenset(u for u in (footer.view_in_browser_url, footer.signup_url) if u),
        recipient_token=(str(slot_token(nonce, "link_params_q")), str(slot_token(nonce, "link_params_amp"))),
    )
    text_options = options.text
    here = labels(edition.lang, template_dirs(dirs))
    if text_options.links_heading is None:
        text_options = replace(text_options, links_heading=here.text("Links:"))
    if text_options.button_label is None:
        # the button's label, then its URL on the next line ("Read the full story:"); the
        # placeholder survives the formatting: the text stage fills it for each button
        text_options = replace(text_options, button_label=here.text("%(label)s:", label="%(label)s"))
    html, tree = inline_document(compiled, options.inliner, options.inline)
    text: list[Any] | str
    if text_template_exists(template, dirs):
        text = compose(template, context, extra_dirs=dirs, suffix=TEXT_SUFFIX)
        _check_placeholders(slots, text, template + TEXT_SUFFIX)
    else:
        # the text stage takes apart the tree just inlined and serialised
        text = tree_text_lines(tree, text_options)

    prepared = PreparedEmail.build(
        template=template, edition=edition, subject=context["subject"], preheader=context["preheader"],
        mjml=mjml, html=html, text=text, text_options=text_options, nonce=nonce,
        fallbacks=tuple(slots.fallbacks), warnings=(),
    )
    warnings.extend(deliverability_warnings(prepared._personalize(None)))
    if options.strict and warnings:
        raise DeliverabilityError(warnings)
    return replace(prepared, warnings=tuple(warnings))


def render(template: str, edition: Edition | Mapping[str, Any] | str | Path,
           options: RenderOptions | Mapping[str, Any] = RenderOptions(),
           recipient: Recipient | Mapping[str, Any] | None = None) -> RenderedEmail:
    """Render ``edition`` (an :class:`Edition`, a dict, or a fixture path) with ``template``.

    ``recipient`` personalises it (first name, own unsubscribe link, link
    parameters); it equals ``prepare(template, edition, options).personalize(recipient)``
    byte for byte (the same code, without compiling a fill for one recipient).

    >>> email = render("breaking", "fixtures/breaking-china-cyberspying.yaml")   # doctest: +SKIP
    >>> email.subject, email.html, email.text                                    # doctest: +SKIP
    """
    if isinstance(recipient, Mapping):
        recipient = Recipient.validate_from(recipient, "recipient")
    elif recipient is not None and not isinstance(recipient, Recipient):
        raise OptionsError(f"recipient: expected a Recipient or a mapping, not {type(recipient).__name__}")
    return prepare(template, edition, options)._personalize(recipient)
