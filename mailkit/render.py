"""The public entry point: ``render(template, edition) -> RenderedEmail``.

    models -> compose (Jinja2 -> MJML) -> compile (MRML -> HTML) -> inline (premailer) -> text (html2text)
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .checks import deliverability_warnings
from .compile import CompileOptions, compile_mjml
from .compose import TEXT_SUFFIX, compose, find_template, names_used, text_template_exists
from .errors import DeliverabilityError
from .fixtures import load_edition, load_theme
from .inline import InlineOptions, inline_tree, parse_html
from .links import LinkTagging, tag_links
from .models import Article, Edition, Recipient
from .personalize import PreparedEmail, RecipientSlots, new_nonce
from .rendered import RenderedEmail
from .sanitize import sanitize_body
from .text import TextOptions, tree_text_lines

__all__ = ["RenderOptions", "RenderedEmail", "prepare", "render"]


@dataclass(frozen=True, kw_only=True)
class RenderOptions:
    """How to render. Defaults are safe: offline, escaped, warnings reported, not raised.

    ``template_dirs``: extra template folders, searched before the packaged one.
    ``theme``: a theme name or file that replaces the edition's brand.
    ``strict``: raise :class:`DeliverabilityError` instead of returning warnings.
    ``link_tagging``: UTM parameters for every story link (off by default).
    """

    template_dirs: tuple[str | Path, ...] = ()
    theme: str | Path | None = None
    strict: bool = False
    # frozen dataclasses: one shared default instance is safe
    text: TextOptions = TextOptions()  # noqa: RUF009
    inline: InlineOptions = InlineOptions()  # noqa: RUF009
    link_tagging: LinkTagging | None = None


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


def _plain(html: str) -> str:
    return " ".join(html_lib.unescape(_TAGS.sub(" ", html)).split())


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
        if not _ABBREVIATION.search(text[: m.start() + 1]):
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


def _context(template: str, edition: Edition, warnings: list[str], slots: RecipientSlots) -> dict[str, Any]:
    bodies: dict[int, Markup] = {}
    for path, article in _articles(edition):
        if article.body:
            clean = sanitize_body(article.body, field=f"{path}.body", base_url=article.url)
            warnings.extend(clean.warnings)
            bodies[id(article)] = Markup(clean.html)
    subject = _subject(edition)
    newsletter = edition.newsletter

    def body(article: Article) -> Markup:
        return bodies.get(id(article), Markup(""))

    return {
        "template": template,
        "edition": edition,
        "newsletter": newsletter,
        "brand": newsletter.brand,
        "colors": newsletter.brand.colors,
        "fonts": newsletter.brand.fonts,
        "tz": newsletter.brand.timezone,
        "footer": newsletter.footer,
        "article": edition.lead,
        "articles": edition.articles,
        "sections": edition.sections,
        "more_stories": edition.more_stories,
        "editor_note": edition.editor_note,
        "date": edition.date or edition.lead.published_at.date(),
        "subject": subject,
        "preheader": _preheader(edition, subject, bodies.get(id(edition.lead), "")),
        "lang": edition.lang,
        "dir": edition.dir,
        "body": body,
        "recipient": slots,
        "unsubscribe_url": slots.token("unsubscribe_url"),
        "preferences_url": slots.token("preferences_url"),
    }


def _story_slots(edition: Edition) -> dict[str, str]:
    slots: dict[str, str] = {}
    for _, article in _articles(edition):
        slots.setdefault(article.url, f"story-{len(slots) + 1}")
    for link in edition.more_stories:
        slots.setdefault(link.url, f"story-{len(slots) + 1}")
    return slots


def prepare(template: str, edition: Edition | Mapping[str, Any] | str | Path,
            options: RenderOptions = RenderOptions()) -> PreparedEmail:
    """Run the whole pipeline once, with placeholders for recipient fields.

    >>> prepared = prepare("breaking", "fixtures/breaking-china-cyberspying.yaml")   # doctest: +SKIP
    >>> for reader in readers:                                                       # doctest: +SKIP
    ...     send(prepared.personalize(reader).to_message())
    """
    dirs = tuple(options.template_dirs)
    find_template(template, dirs)
    edition = load_edition(edition, extra_dirs=dirs)
    if options.theme is not None:
        brand = load_theme(options.theme, dirs)
        edition = edition.model_copy(update={"newsletter": edition.newsletter.model_copy(update={"brand": brand})})
    warnings: list[str] = []
    nonce = new_nonce()
    slots = RecipientSlots(nonce)
    context = _context(template, edition, warnings, slots)

    mjml = compose(template, context, extra_dirs=dirs)
    warnings.extend(_unshown(template, edition, names_used(template, dirs)))
    compiled = compile_mjml(mjml, CompileOptions(web_fonts=dict(edition.newsletter.brand.fonts.web_fonts),
                                                 template=template, extra_dirs=dirs))
    footer = edition.newsletter.footer
    compiled = tag_links(
        compiled, tagging=options.link_tagging, slots=_story_slots(edition),
        skip=frozenset(u for u in (footer.view_in_browser_url, footer.signup_url) if u),
        recipient_token=(str(slots.token("link_params_q")), str(slots.token("link_params_amp"))),
    )
    tree = parse_html(compiled)
    html = inline_tree(tree, options.inline)
    text: list[Any] | str
    if text_template_exists(template, dirs):
        text = compose(template, context, extra_dirs=dirs, suffix=TEXT_SUFFIX)
    else:
        # the text stage takes apart the tree premailer has just serialised
        text = tree_text_lines(tree, options.text)

    prepared = PreparedEmail.build(
        template=template, edition=edition, subject=context["subject"], preheader=context["preheader"],
        mjml=mjml, html=html, text=text, text_options=options.text, nonce=nonce,
        fallbacks=tuple(slots.fallbacks), warnings=(),
    )
    warnings.extend(deliverability_warnings(prepared._personalize(None)))
    if options.strict and warnings:
        raise DeliverabilityError(warnings)
    return replace(prepared, warnings=tuple(warnings))


def render(template: str, edition: Edition | Mapping[str, Any] | str | Path,
           options: RenderOptions = RenderOptions(), recipient: Recipient | None = None) -> RenderedEmail:
    """Render ``edition`` (an :class:`Edition`, a dict, or a fixture path) with ``template``.

    ``recipient`` personalises it (first name, own unsubscribe link, link
    parameters); it equals ``prepare(template, edition, options).personalize(recipient)``
    byte for byte (the same code, without compiling a fill for one recipient).

    >>> email = render("breaking", "fixtures/breaking-china-cyberspying.yaml")   # doctest: +SKIP
    >>> email.subject, email.html, email.text                                    # doctest: +SKIP
    """
    return prepare(template, edition, options)._personalize(recipient)
