"""The template reference (``docs/templates.md``), generated from the code.

``python -m mailkit.reference > docs/templates.md`` writes it; a test fails
when the committed page differs. Everything on it is read from where it is
defined: the context names from :data:`CONTEXT` (a test holds it equal to
what ``render`` passes), the macros and their parameters from the Jinja
syntax tree of the shipped partials (with the comment right after each
``{% macro %}``), the theme keys from the :class:`~mailkit.models.Brand`
models, the filters from the template environment, and the classes and
attributes from :data:`mailkit.markers.MARKERS`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import nodes
from pydantic import BaseModel

from .compose import _environment, list_templates
from .markers import MARKERS
from .models import Brand
from .paths import TEMPLATES_DIR
from .stylesheet import CSS_FUNCTIONS

__all__ = ["CONTEXT", "ContextName", "reference"]


@dataclass(frozen=True)
class ContextName:
    """One name every template receives."""

    name: str
    type: str
    description: str


CONTEXT: tuple[ContextName, ...] = (
    ContextName("template", "str", "the template's name (`breaking`)"),
    ContextName("edition", "Edition", "the whole edition (referring to it turns off the 'not shown' warnings)"),
    ContextName("newsletter", "Newsletter", "name, description, url, language, brand, footer, sender"),
    ContextName("brand", "Brand", "the theme: `brand.name`, `brand.logo` (see Theme keys)"),
    ContextName("colors", "Colors", "the theme's colours (see Theme keys); `brand.colors`"),
    ContextName("fonts", "Fonts", "the theme's font stacks, with fonts for the scripts this edition uses"),
    ContextName("tz", "str", "the theme's time zone (`America/New_York`), for the `datetime` filter"),
    ContextName("footer", "Footer", "postal_address, reason, copyright, view_in_browser_url, signup_url"),
    ContextName("article", "Article", "the lead article (`articles[0]`)"),
    ContextName("articles", "list[Article]", "the edition's articles, lead first"),
    ContextName("sections", "list[Section]", "a digest's sections: `title` and `articles`"),
    ContextName("more_stories", "list[Link]", "\"More stories\" links: `title`, `url`, `source`, `language`"),
    ContextName("editor_note", "str or None", "the editor's note, paragraphs separated by a blank line"),
    ContextName("date", "date", "the edition's date (else the lead's publication day), for the `date` filter"),
    ContextName("subject", "str", "the subject line (the edition's, else the lead's headline, shortened)"),
    ContextName("preheader", "str", "the inbox preview text (the edition's, else the lead's dek, summary or "
                "first sentence)"),
    ContextName("lang", "str", "the email's language tag (`en`, `ar`), for `<mjml lang>`"),
    ContextName("dir", "str", "`ltr` or `rtl`, for `<mjml dir>`"),
    ContextName("body", "function", "`body(article)`: the article's body, sanitised (and cut by "
                "`max_body_chars`), as markup"),
    ContextName("voice", "function", "`voice(article_or_link)`: its `lang`, `dir`, `align` and `attrs` in this "
                "email (a story in another language than the email's)"),
    ContextName("image_box", "function", "`image_box(image, width, max_height)`: `width`, `height` and `fluid` "
                "to lay the image out in its own ratio"),
    ContextName("leaves_out", "function", "`{% set noted = leaves_out(story, \"image body\", \"why\") %}`: "
                "declares fields this part does not show, and why (the warning says it); prints nothing"),
    ContextName("body_markup", "frozenset[str]", "element names and `mk-` classes in the edition's cleaned "
                "bodies: write CSS for tables, code or embeds only when a body holds them"),
    ContextName("gettext", "function", "the edition language's gettext (`{% trans %}` uses it)"),
    ContextName("ngettext", "function", "the edition language's ngettext (`{% trans count=n %}`)"),
    ContextName("_", "function", "`_(\"Unsubscribe\")`: gettext in the edition's language"),
    ContextName("labels_in", "function", "`labels_in(lang)`: `.gettext`, `.ngettext`, `.names(list)` in another "
                "language (a story's own)"),
    ContextName("recipient", "RecipientSlots", "`recipient.first_name`, `recipient.first_name_or(\"there\")`, "
                "`recipient.email`: filled in per reader; print them as they are"),
    ContextName("unsubscribe_url", "str", "the reader's own unsubscribe URL, else the newsletter's"),
    ContextName("preferences_url", "str", "the reader's own preferences URL, else the newsletter's"),
)


def _default(node: nodes.Expr) -> str:
    """A macro parameter's default as the template writes it."""
    if isinstance(node, nodes.Const):
        value = node.value
        if value is None or isinstance(value, bool):
            return str(value).lower()
        return f'"{value}"' if isinstance(value, str) else repr(value)
    return "(expression)"


def _macros(env: jinja2.Environment, name: str) -> list[tuple[str, str, int]]:
    """``(signature, doc comment, line)`` of every macro in template ``name``."""
    source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
    comments = [(line, " ".join(value.split())) for line, kind, value in env.lex(source) if kind == "comment"]
    out = []
    for macro in env.parse(source).find_all(nodes.Macro):
        params = [arg.name for arg in macro.args]
        first_default = len(params) - len(macro.defaults)
        shown = [p if i < first_default else f"{p}={_default(macro.defaults[i - first_default])}"
                 for i, p in enumerate(params)]
        doc = next((text for line, text in comments if macro.lineno < line <= macro.lineno + 1), "")
        out.append((f"{macro.name}({', '.join(shown)})", doc, macro.lineno))
    return out


def _blocks(env: jinja2.Environment, name: str) -> list[str]:
    source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
    return [block.name for block in env.parse(source).find_all(nodes.Block)]


def _type_name(annotation: Any) -> str:
    if hasattr(annotation, "__metadata__"):  # Annotated[str, ...]: the type itself
        annotation = annotation.__origin__
    args = getattr(annotation, "__args__", ())
    if type(None) in args:  # X | None
        return " or ".join("none" if a is type(None) else _type_name(a) for a in args)
    text = getattr(annotation, "__name__", None) or str(annotation)
    return text.replace("typing.", "").replace("mailkit.models.", "")


# a theme value's check (mailkit.models) -> what the reference calls its type
_CHECKED_KINDS = {"_color": "hex colour (`#c4161c`)", "_font_stack": "font stack", "_timezone": "IANA time zone"}


def _theme_keys(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str, str, str]]:
    """``(key, type, default, description)`` of a theme model's fields, nested models flattened."""
    rows = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        kind = field.annotation
        nested = next((k for k in (kind, *getattr(kind, "__args__", ())) if isinstance(k, type)
                       and issubclass(k, BaseModel)), None)
        if nested is not None:
            rows.append((key, nested.__name__, "" if field.is_required() else "see below", field.description or ""))
            rows += _theme_keys(nested, key + ".")
            continue
        default = "required" if field.is_required() else repr(field.default)
        # what the models accept, not just "str": pydantic keeps a field's validators in its metadata
        checks = {getattr(getattr(m, "func", None), "__name__", "") for m in field.metadata}
        shown = next((_CHECKED_KINDS[c] for c in sorted(checks) if c in _CHECKED_KINDS), _type_name(kind))
        rows.append((key, shown, default, field.description or ""))
    return rows


def _first_line(text: str | None) -> str:
    """A docstring's first paragraph on one line, in Markdown's backticks."""
    return " ".join((text or "").strip().split("\n\n")[0].split()).replace("``", "`")


def reference() -> str:
    """The template reference page, as Markdown."""
    env = _environment((TEMPLATES_DIR,))
    builtin = jinja2.Environment()
    out = [
        "# Template reference",
        "",
        "<!-- Generated by `python -m mailkit.reference > docs/templates.md`; do not edit by hand. -->",
        "",
        "Templates are Jinja2 (sandboxed, autoescaped, strict about undefined names) writing MJML.",
        "Start from `mailkit new-template NAME`; extend `layouts/base.mjml.j2` and import the macros:",
        "",
        "```jinja",
        '{% extends "layouts/base.mjml.j2" %}',
        '{% import "partials/components.mjml.j2" as ui with context %}',
        '{% block band %}{{ ui.band(_("STORM WATCH"), color="#8a4b00") }}{% endblock %}',
        ('{% block content %}{{ ui.story(article, _("STORM WATCH"), _("Read the full story"), show_endnotes=false) }}'
         "{% endblock %}"),
        "```",
        "",
        "## Shipped templates",
        "",
        "| template | description |",
        "|---|---|",
    ]
    out += [f"| `{t.name}` | {t.description} |" for t in list_templates()]
    out += ["", "`layouts/base.mjml.j2` (head, dark mode, breakpoints, header and footer) has the blocks "
            + ", ".join(f"`{b}`" for b in _blocks(env, "layouts/base.mjml.j2")) + ". `head` is inside "
            "`<mj-head>`, after the layout's styles: a template's own `<mj-style>` (or `<mj-attributes>`) "
            "goes there; in `content` MJML would show its CSS as text.", ""]

    out += ["## Context", "", "Every template receives these names.", "", "| name | type | what it is |",
            "|---|---|---|"]
    out += [f"| `{c.name}` | {c.type} | {c.description} |" for c in CONTEXT]

    out += ["", "## Macros", "", ("In `partials/components.mjml.j2`; import it `with context` (the macros read "
                                  "`colors`, `fonts`, `voice`, `labels_in` and the other names above)."), ""]
    for signature, doc, _line in _macros(env, "partials/components.mjml.j2"):
        out += [f"### `ui.{signature}`", "", doc or "(no description)", ""]

    out += ["## Filters", "", "Jinja's built-in filters, and:", "", "| filter | what it does |", "|---|---|"]
    for name in sorted(set(env.filters) - set(builtin.filters)):
        out.append(f"| `{name}` | {_first_line(env.filters[name].__doc__)} |")
    out += ["", "Globals: Jinja's (" + ", ".join(f"`{g}`" for g in sorted(builtin.globals)) + "), within "
            "`mailkit.LIMITS`; the functions in the context above.", ""]

    out += ["## CSS in `<mj-style>`", "",
            "Between `<mj-style>` and `</mj-style>` (and in a `<style>` element in `mj-raw` or a double-quoted "
            "`style=\"...\"` attribute), every `{{ value }}` is printed as CSS: checked as one "
            "colour, length, keyword or font stack and written unescaped (`| css` is applied by itself; "
            "writing it is the same). A value holding `; { } < > & : / \\ @`, a quote or parenthesis left open, "
            "or a function other than " + ", ".join(f"`{f}()`" for f in sorted(CSS_FUNCTIONS))
            + " is a `TemplateError` naming the template and line. "
            "Decided from each template's own text, so inside `<mj-style>` only `{{ }}` prints a value: "
            "`{% if %}`, `{% for %}`, `{% set %}` and `{% with %}` work there, while `{% block %}`, "
            "`{% include %}`, `{% call %}`, `{% filter %}` and `{% trans %}` (which would write text its "
            "`{{ }}` never checked) are a `TemplateError` naming the template and line: write the whole "
            "`<mj-style>` in the block (the layout's `head`), macro or file instead. A tag or an HTML entity "
            "that reaches a `<mj-style>` another way is refused too. "
            "MJML attributes (`color=\"{{ colors.text }}\"`) are HTML-escaped as usual; pass them `| css` "
            "when the value comes from content (its quotes come out single, `'Iowan Old Style'`: write such "
            "attributes in double quotes).", ""]

    out += ["## Theme keys", "", ("A theme file (`templates/themes/NAME.yaml`) or a fixture's "
                                  "`newsletter.brand`; in templates `brand.KEY`, `colors.KEY`, `fonts.KEY`."), "",
            "| key | type | default | what it is |", "|---|---|---|---|"]
    for key, kind, default, description in _theme_keys(Brand):
        out.append(f"| `{key}` | {kind} | {'`' + default + '`' if default not in ('', 'required', 'see below') else default} "
                   f"| {description} |")

    out += ["", "## Classes and attributes mailkit reads or writes", "",
            "| markup | written by | read by | what it does |", "|---|---|---|---|"]
    out += [f"| `{m.markup}` | {m.writer} | {m.reader} | {m.meaning} |" for m in MARKERS]
    return "\n".join(out) + "\n"


def main() -> None:
    """Print the reference (``python -m mailkit.reference > docs/templates.md``)."""
    sys.stdout.write(reference())


if __name__ == "__main__":
    main()
