"""The names every template receives, with their types and what they hold.

One table, read by the renderer (an author's global may not take one of
these names) and by the template reference (``python -m mailkit.reference``);
a test holds it equal to the context a render passes.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CONTEXT", "ContextName"]


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
    ContextName("scripts", "frozenset[str]", "the ISO 15924 scripts of the edition's languages (`Latn`, `Kore`, "
                "`Mymr`): CSS for Korean or for scripts that stack marks, only when the edition holds them"),
    ContextName("stacked_scripts", "bool", "whether one of `scripts` stacks marks above and below the line (Thai, "
                "Lao, Khmer, Myanmar, Tibetan, Tai Tham): the layout gives headlines room for them"),
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
