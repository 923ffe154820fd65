"""The CSS classes and attributes that carry meaning between templates and Python.

A template marks an element (``css-class="mk-button"``, ``data-text="rule"``)
and the text stage reads it; the body sanitiser writes classes
(``table.mk-table``) that the layout's CSS styles. Each is a named constant
here and nowhere else as a literal (a test checks the modules), and
:data:`MARKERS` describes them for the template reference (``docs/templates.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BUTTON_CLASS", "CELL_LABEL_ATTR", "CONTINUE_CLASS", "EMBED_CLASS", "EMBED_LINK_CLASS", "EMBED_TITLE_CLASS",
    "LAYOUT_TABLE_CLASS", "MARKERS", "NUMBER_CLASS", "TABLE_CLASS", "TEXT_ATTR", "TEXT_RULE", "TEXT_SKIP",
    "STACKED_TABLE_CLASS", "TEXT_URL", "VOICE_CLASS_PREFIX", "WIDE_TABLE_CLASS", "Marker",
]

# read by the text stage (mailkit._text), written by templates
BUTTON_CLASS = "mk-button"
TEXT_ATTR = "data-text"
TEXT_SKIP = "skip"
TEXT_RULE = "rule"
TEXT_URL = "url"
# written into bodies by Python (mailkit._render, mailkit._sanitize, mailkit._embeds), styled by the layout
CONTINUE_CLASS = "mk-continue"
TABLE_CLASS = "mk-table"
WIDE_TABLE_CLASS = "mk-table-wide"
STACKED_TABLE_CLASS = "mk-table-stacked"
NUMBER_CLASS = "mk-num"
LAYOUT_TABLE_CLASS = "mk-layout"
CELL_LABEL_ATTR = "data-label"
EMBED_CLASS = "mk-embed"
EMBED_TITLE_CLASS = "mk-embed-title"
EMBED_LINK_CLASS = "mk-embed-link"
# written into an mj-image's css-class by the templates (Voice.image_class), read by mailkit._compile
VOICE_CLASS_PREFIX = "mk-voice--"


@dataclass(frozen=True)
class Marker:
    """One class or attribute: how a template writes it, who writes and reads it, what it does."""

    markup: str  # as written in a template or body: 'css-class="mk-button"', 'data-text="rule"'
    writer: str  # "template" or the mailkit module that writes it
    reader: str  # the mailkit module (or "the layout's CSS") that reads it
    meaning: str


MARKERS: tuple[Marker, ...] = (
    Marker(f'css-class="{BUTTON_CLASS}" (on mj-button; mj-attributes sets it on every button)', "template",
           "mailkit._text",
           'a call-to-action: its link is written "label:" with the URL on the next line in the text part'),
    Marker(f'{TEXT_ATTR}="{TEXT_URL}"', "template", "mailkit._text",
           "the links inside are written like a button's"),
    Marker(f'{TEXT_ATTR}="{TEXT_SKIP}"', "template", "mailkit._text",
           "left out of the text part (as is anything hidden with display:none or mso-hide:all)"),
    Marker(f'{TEXT_ATTR}="{TEXT_RULE}"', "template", "mailkit._text",
           "a separator line in the text part (put one beside each mj-divider)"),
    Marker(f'p.{CONTINUE_CLASS}', "mailkit._render", "the layout's CSS",
           'the "Continue reading" link after a body cut by max_body_chars'),
    Marker(f'table.{TABLE_CLASS}', "mailkit._sanitize, or a template (in an mj-text)", "the layout's CSS, mailkit._text",
           "a data table (kept as a table in the text part; with th.mk-num, td.mk-num, a caption, thead and tfoot); "
           "the layout writes its CSS only when a body holds a table: style a template's own in the head block"),
    Marker(f'table.{WIDE_TABLE_CLASS}', "mailkit._sanitize", "the layout's CSS",
           "a data table of more than four columns: read row by row on phones"),
    Marker(f'table.{STACKED_TABLE_CLASS}', "mailkit._sanitize", "the layout's CSS",
           "a wide table whose numbers and words cannot fit the column side by side: read row by row at every width"),
    Marker(f'{CELL_LABEL_ATTR}="..." (on td)', "mailkit._sanitize", "the layout's CSS",
           "a wide table's cell: its column's header, shown before it on phones"),
    Marker(f'th.{NUMBER_CLASS}, td.{NUMBER_CLASS}', "mailkit._sanitize", "the layout's CSS",
           "a cell that holds a number: right-aligned, tabular figures"),
    Marker(f'table.{LAYOUT_TABLE_CLASS}', "mailkit._sanitize", "the layout's CSS",
           "a table a CMS used for layout (role=presentation)"),
    Marker(f'div.{EMBED_CLASS}, p.{EMBED_TITLE_CLASS}, p.{EMBED_LINK_CLASS}', "mailkit._embeds",
           "the layout's CSS", "a video or social post embed, as a poster, title and link"),
    Marker(f'css-class="mk-img{{{{ v.image_class }}}}" (on mj-image: " {VOICE_CLASS_PREFIX}LANG--DIR")', "template",
           "mailkit._compile", "the story's lang and dir moved onto the <img>, so its alt text is read in the "
           "story's language (MRML drops lang and dir on mj-image); the class leaves the HTML"),
)
