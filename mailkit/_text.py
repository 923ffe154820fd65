"""Stage 4, text: the text/plain part, from the compiled HTML.

html2text does the block layout, lists, quotes and wrapping; before it, lxml
reduces MJML's output to the content a reader needs (html2text on raw MJML
output gives table pipes, rulers, ``[](url)`` image links and the hidden
preheader as the first line); after it, headings are underlined and the
link list is appended.

Links: a link whose text is not its URL becomes ``text [n]``, listed at the
end under "Links:" as ``[n] text`` with the full URL on the next line, at
column 0, so no URL is ever broken and every line over the width is a bare URL. A link inside an element marked ``data-text="url"`` (the templates'
call-to-action buttons) is written as ``text:`` with its URL on the next line.
Elements marked ``data-text="skip"`` are left out; ``data-text="rule"``
becomes a separator line.
"""

from __future__ import annotations

import re
import secrets
import textwrap
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, count
from operator import itemgetter, not_
from typing import Any, Protocol, runtime_checkable

import lxml.etree
import lxml.html

from ._errors import TextError, shown
from ._html2text import collapse_spaces as collapse_spaces  # re-exported: tests and bench time it
from ._html2text import convert
from ._markers import BUTTON_CLASS, TABLE_CLASS, TEXT_ATTR, TEXT_RULE, TEXT_SKIP, TEXT_URL

__all__ = ["Html2TextEngine", "Line", "TextEngine", "TextOptions", "document_lines", "html_to_text", "lay_out_text",
           "text_engine", "text_lines", "tree_text_lines"]


@dataclass(frozen=True, kw_only=True)
class TextOptions:
    """Options for :func:`html_to_text`.

    ``links_heading``: the line above the list of link URLs; ``None`` (the
    default) is "Links:" in the edition's language (render() fills it in).
    ``button_label``: how a button's label introduces its URL on the next line,
    ``%(label)s`` the label; ``None``: ``"%(label)s:"`` in the edition's
    language (French ``"%(label)s :"``, Chinese ``"%(label)s："``).
    """

    width: int = 78
    links_heading: str | None = None
    button_label: str | None = None
    rule: str = "-" * 40
    # the email's direction: in a right-to-left one, a line of right-to-left text whose first
    # letter is left to right gets a RIGHT-TO-LEFT MARK (see _rtl_lines)
    direction: str = "ltr"


# invisible filler (the preheader's U+034F U+200C runs, zero-width spaces, BOMs,
# soft hyphens) goes; a joiner (U+200D, U+200C, U+034F) between two visible
# characters is part of the text and stays: 👨‍👩‍👧 is one family, not three
# people, and Persian "می‌خواهم" needs its ZWNJ
_JOINERS = "\u034f\u200c\u200d"
_INVISIBLE = "\u200b\u2060\ufeff\u00ad"
# Both patterns run over the whole text part. Each starts with one character
# class, so the regex engine skips ahead to a candidate in its C loop; the
# conditions come after it (a lookbehind first, as these were written before,
# tried every position of a 200 KB text: 13 ms of a 1,000-paragraph alert).
# _SPACES leaves a single " " after a word alone (replacing it with itself
# was a match per word). Equal to the plain forms (FILLER_REFERENCE and
# SPACES_REFERENCE), tested.
FILLER_REFERENCE = (f"[{_INVISIBLE}]|(?<![^\\s{_JOINERS}{_INVISIBLE}])[{_JOINERS}]"
                    f"|[{_JOINERS}](?![^\\s{_JOINERS}{_INVISIBLE}])")
_FILLER = re.compile(f"[{_INVISIBLE}{_JOINERS}](?:(?<=[{_INVISIBLE}])|(?<![^\\s{_JOINERS}{_INVISIBLE}].)"
                     f"|(?![^\\s{_JOINERS}{_INVISIBLE}]))")
SPACES_REFERENCE = r"(?<=\S)[ \t\u00a0\u2007\u202f]+"
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f](?<=\S.)(?:(?<! )|(?=[ \t\u00a0\u2007\u202f]))[ \t\u00a0\u2007\u202f]*")
_LEADING = re.compile(r"^[ \t\u00a0\u2007\u202f]+", re.MULTILINE)
# The text of a body rarely holds anything _FILLER or _SPACES replaces but a
# run of plain spaces; their classes still begin at every space of it, 1.7 and
# 0.6 ms of 216 KB of text (1,000 paragraphs). So the filler pass runs only
# when one of its characters is there (seven searches in C: 0.02 ms), and
# when the only spaces are " ", _SPACES' matches are runs of two or more after
# a non-space, which _DOUBLE_SPACES finds by its literal "  " (0.1 ms).
# Line starts: "\n" first, a literal the engine searches for, not "^" tried at
# every character (0.6 -> 0.1 ms). Equal to the plain passes (tests/test_speed.py).
_FILLER_CHARS = _INVISIBLE + _JOINERS
_OTHER_SPACES = "\t\u00a0\u2007\u202f"
_DOUBLE_SPACES = re.compile("  (?<=\\S  ) *")
_LINE_START_SPACES = re.compile("\n[ \t\u00a0\u2007\u202f]+")
_LINE_START_CHARS = " \t\u00a0\u2007\u202f"


def drop_filler(text: str) -> str:
    """``_FILLER.sub("", text)``."""
    # (every filler character is beyond ASCII: a link's label in English is told so in one C call,
    # not seven searches from a generator, 0.6 -> 0.1 us)
    if text.isascii():
        return text
    return _FILLER.sub("", text) if any(c in text for c in _FILLER_CHARS) else text


def single_spaces(text: str) -> str:
    """``_SPACES.sub(" ", text)``: a run of spaces after a word as one space."""
    if any(c in text for c in _OTHER_SPACES):
        return _SPACES.sub(" ", text)
    return _DOUBLE_SPACES.sub(" ", text) if "  " in text else text


def _indent_after_break(m: re.Match[str]) -> str:
    return "\n" + _indent_width(len(m.group()) - 1, m.string, m.end())


def indent_lines(text: str) -> str:
    """``_LEADING.sub(_indent, text)``: each line's leading whitespace as spaces (see :func:`_indent`)."""
    # nothing to indent (a text of paragraphs): one search, without the two copies of the
    # text that "\n" + text and [1:] make (0.12 -> 0.09 ms of 216 KB)
    if text[:1] not in _LINE_START_CHARS and _LINE_START_SPACES.search(text) is None:
        return text
    return _LINE_START_SPACES.sub(_indent_after_break, "\n" + text)[1:]
_BLOCK = re.compile("\ue000mkblock[0-9a-f]+n[0-9]+\ue000")
_LAYOUT_TAGS = ("table", "tbody", "thead", "tfoot", "tr", "td", "th", "center", "o:p")
# HTML's block elements html2text does not lay out as blocks (it runs their text
# into the text around them: two figures' captions read "... ReutersHow it
# spread."); each is read as a <div>, a paragraph of its own. The body allowlist
# keeps <figure> and <figcaption>; a template may write any of them.
_BLOCK_TAGS = ("address", "article", "aside", "details", "dialog", "fieldset", "figcaption", "figure", "footer",
               "header", "hgroup", "legend", "main", "menu", "nav", "search", "section", "summary")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all", re.IGNORECASE)


@dataclass(frozen=True)
class _Markers:
    """The marks the text stage puts into the text html2text converts: a rule,
    a heading's level, a backslash held back from html2text's escaping.

    They travel in band, so each render draws its own: a fixed marker
    ("@@mailkit-rule@@" once) could be written in an article and would turn
    its paragraph into a rule or a heading. Letters and digits only, which
    html2text passes through as they are.
    """

    rule: str
    heading: str  # + level digit + " "
    backslash: str

    @classmethod
    def new(cls) -> _Markers:
        mark = "mk" + secrets.token_hex(8)
        return cls(rule=f"{mark}rule", heading=f"{mark}h", backslash=f"{mark}b")


class _Lxml(threading.local):
    """The parser, one per thread (lxml parsers must not be shared between threads)."""

    def __init__(self) -> None:
        # comments (MJML's many Outlook conditionals) are dropped while parsing
        self.parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)


_LXML = _Lxml()


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _marked(body: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Every element of ``body``'s document, in document order, marked ``data-text``, with a style
    holding "none" or "mso-hide", or a class holding the button class: what the XPath
    ``//*[@data-text or contains(@style, "none") or contains(@style, "mso-hide") or contains(@class,
    "mk-button")]`` finds. A Python step an element: libxml2's XPath, converting every element's
    attributes to strings, was 1.05 of 4 ms of the text stage on a 60-story digest, this 0.6
    (equal, tests/test_speed.py). (An XPath over the attributes themselves, a union of three,
    measured again right after the inline stage: 62 against 61 us at 1 paragraph, 360 against 345
    at 1,000, slower in the median: not taken.)"""
    out = []
    for el in body.getroottree().getroot().iter(lxml.etree.Element):
        style = el.get("style")
        if el.get(TEXT_ATTR) is not None or (style and ("none" in style or "mso-hide" in style)) \
                or BUTTON_CLASS in el.get("class", ""):
            out.append(el)
    return out


def _text_with_breaks(el: lxml.html.HtmlElement) -> str:
    """``el``'s text with each ``<br>`` as a line break: itertext() skips it,
    so a link "Read<br>more" read "Readmore", a cell "Kyiv<br>Ukraine"
    "KyivUkraine", and a CMS's <pre> of lines joined by <br> one line."""
    if next(el.iterdescendants("br"), None) is None:  # (find(".//br") goes through ElementPath: twice the time)
        return "".join(el.itertext())
    parts: list[str] = []
    for event, node in lxml.etree.iterwalk(el, events=("start", "end")):
        if event == "start":
            if node.tag == "br":
                parts.append("\n")
            elif isinstance(node.tag, str) and node.text:
                parts.append(node.text)
        elif node is not el and node.tail:
            parts.append(node.tail)
    return "".join(parts)


def _text_of(el: lxml.html.HtmlElement) -> str:
    return " ".join(drop_filler(_text_with_breaks(el)).split())


_SCHEME_AND_WWW = re.compile(r"^(?:https?://|mailto:|tel:)(?:www\.)?|^www\.")


def _bare(url: str) -> str:
    return _SCHEME_AND_WWW.sub("", url).rstrip("/")


def _is_own_url(label: str, href: str) -> bool:
    """Whether a link's text is its own URL (then the URL is written once, in
    place of the text, and not listed). ``href`` may have gained tracking
    parameters or a recipient's token since the text was written, so the text
    need only be the start of it; what is written is ``href``, so a text
    that merely looks like another URL never hides where the link goes."""
    if " " in label:  # (before the two regex passes of _bare: most labels are words)
        return False
    bare_label = _bare(label)
    if not bare_label:
        return False
    return label == href or _bare(href).startswith(bare_label)


# An element replaced by text becomes one of these, and all of them are stripped at once at the
# end of _reduce: adding each text to the previous sibling's tail copied the whole tail every time,
# quadratic in a run of links or images (15,000 links in a 300 KB body took seconds).
_TEXT_TAG = "mk-text-run"


def _replace(el: lxml.html.HtmlElement, text: str, *, block: bool = False) -> None:
    """Replace ``el`` by ``text`` (keeping its tail); inline text is merged in by :func:`_reduce`."""
    parent = el.getparent()
    if parent is None:
        return
    new = lxml.etree.Element("p" if block else _TEXT_TAG)
    new.text = text
    new.tail = el.tail
    parent.replace(el, new)


def _reduce(root: lxml.html.HtmlElement, options: TextOptions, marks: _Markers
            ) -> tuple[lxml.html.HtmlElement, dict[str, str], dict[str, list[Line]]]:
    body = next(root.iterchildren("body"), None)  # root.find("body") without ElementPath: 2.5 -> 1.3 us warm, 8 in a render
    if body is None:
        body = root
    # One scan of the document finds every element the text part treats
    # specially (an XPath test over every element costs a third of a
    # millisecond on a digest, so there is one, not four).
    # (one iter() for both lists, and one for <sup> and <a> below: each pass over a 60-story
    # digest's thousand elements is about 0.15 ms)
    found: list[lxml.html.HtmlElement] = list(body.iter("style", "script", "img", "head", "hr"))
    hidden = [el for el in found if el.tag != "hr"]
    # <hr> too: html2text would write it "* * *", which a paragraph can also say
    rules = [el for el in found if el.tag == "hr"]
    buttons: set[lxml.html.HtmlElement] = set()
    for el in _marked(body):
        mark = el.get(TEXT_ATTR)
        # MJML's preheader (the first hidden div of the body), anything hidden
        # on purpose (display:none, mso-hide:all) or marked data-text="skip"
        if mark == TEXT_SKIP or _HIDDEN_STYLE.search(el.get("style", "")):
            hidden.append(el)
        elif mark == TEXT_RULE:
            rules.append(el)
        elif mark == TEXT_URL or f" {BUTTON_CLASS} " in f" {el.get('class', '')} ":
            buttons.update(el.iter("a"))
    # an image inside a link is read by its alt text, so a link whose only content
    # is an image (a gallery, a logo) keeps its text and URL; not when a link with
    # text goes there too (an embed's poster and its "Watch on YouTube")
    told: set[str] | None = None
    for el in hidden:
        if el.getparent() is None:
            continue
        alt = el.get("alt", "").strip() if el.tag == "img" else ""
        link = next(el.iterancestors("a"), None) if alt else None
        if link is not None:
            if told is None:
                told = {a.get("href", "") for a in body.iter("a") if "".join(a.itertext()).strip()}
            if link.get("href", "") in told:
                alt = ""
        _replace(el, alt if link is not None else "")
    for el in rules:
        _replace(el, marks.rule, block=True)

    # a superscript number is "^1", a footnote's linked number too ("^1 [1]"): before the
    # link pass, which turns its link into text
    sups_and_links: list[lxml.html.HtmlElement] = list(body.iter("sup", "a"))  # (the sup pass changes only texts)
    for sup in sups_and_links:
        if sup.tag == "sup" and _FOOTNOTE.fullmatch("".join(sup.itertext())):
            sup.text = "^" + (sup.text or "")
    refs: dict[str, str] = {}  # URL -> the text of its first link
    numbers: dict[str, int] = {}  # URL -> its number in refs
    for a in sups_and_links:
        if a.tag != "a":
            continue
        href = (a.get("href") or "").strip()
        label = _text_of(a)
        if not label:
            _replace(a, "")
            continue
        if not href or href.startswith("#"):
            _replace(a, label)
            continue
        if _is_own_url(label, href):
            _replace(a, f" {href} ")
        elif a in buttons:
            # "Read the full story:" with the URL on a line of its own below it
            span = lxml.etree.Element("span")
            span.text = (options.button_label or "%(label)s:") % {"label": label}
            lxml.etree.SubElement(span, "br").tail = href
            span.tail = a.tail
            a.getparent().replace(a, span)
        else:
            refs.setdefault(href, label)
            number = numbers.setdefault(href, len(numbers) + 1)  # list(refs).index(): quadratic
            _replace(a, f"{label} [{number}]")
    lxml.etree.strip_tags(body, _TEXT_TAG)  # the texts merged in at once: linear
    blocks = _take_blocks(body, options)
    # headings travel through html2text as paragraphs with a marker, so that a
    # paragraph that merely starts with "#" is never taken for one
    # (an iter() over the document: the XPath "//h1 | ... | //h6" was six scans, 0.37 ms at 1,000 paragraphs)
    for el in list(body.getroottree().getroot().iter(*_HEADINGS)):
        level = int(el.tag[1])
        el.tag = "p"
        el.text = f"{marks.heading}{level} " + (el.text or "")
    lxml.etree.strip_tags(body, *_LAYOUT_TAGS)
    for el in body.iter(*_BLOCK_TAGS):
        el.tag = "div"
    # html2text needs the elements, not their attributes: less for it to parse
    lxml.etree.strip_attributes(body, "style", "class", "align", "role", "width", "height", "border",
                                "cellpadding", "cellspacing", "bgcolor", "valign", "aria-label",
                                "aria-roledescription", "lang", "vertical-align")
    return body, refs, blocks


# --- blocks laid out by mailkit, not html2text: preformatted text and tables ---
#
# Each is taken out of the tree (after the link pass, so a link in a cell is
# "text [n]" like any other) and replaced by a paragraph holding a token made
# of private-use characters and a random number, which html2text passes
# through and content cannot predict; _expand_blocks puts the lines back.

def _indent(m: re.Match[str]) -> str:
    """A line's leading whitespace as spaces: html2text indents a nested list
    item two spaces a level, from two; mailkit's top level is " - "."""
    return _indent_width(len(m.group()), m.string, m.end())


def _indent_width(width: int, text: str, end: int) -> str:
    return " " * (width - 1 if _LIST.match(text[end: end + 3]) else width)


def _pre_lines(el: lxml.html.HtmlElement) -> list[Line]:
    """A ``<pre>`` as it is, four spaces in, never wrapped (tabs as four columns)."""
    text = drop_filler(_text_with_breaks(el)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip().expandtabs(4) for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return [("text", "")] + [("raw", f"    {line}" if line else "") for line in lines] + [("text", "")]


_FOOTNOTE = re.compile(r"[\d*†‡§]+|[\d.,+\-−]+")
_NUMBER_CELL = re.compile(r"[-+\u2212\u00b1]?[$€£¥]?\d[\d,.\u00a0\u202f\u2009]*(?:%|\s?pts?|\s?[kKmM])?")


def _table_rows(table: lxml.html.HtmlElement) -> tuple[list[list[str]], int, int]:
    """The cells of ``table`` as a grid of text (colspan and rowspan filled with
    ""), how many of its first rows are header rows, and where the footer starts."""
    grid: list[list[str]] = []
    spans: dict[tuple[int, int], str] = {}
    header = 0
    footer = -1
    rows = [tr for tr in table.iter("tr") if _owner(tr, "table") is table]
    group = None
    for r, tr in enumerate(rows):
        if tr.getparent() is not group:  # a cell spans rows of its own row group only (HTML's table model)
            group = tr.getparent()
            spans.clear()
        section = tr.getparent().tag if tr.getparent() is not None else "tbody"
        first_row_of_th = r == 0 and section != "tfoot" and all(c.tag == "th" for c in tr if isinstance(c.tag, str))
        if section == "thead" or first_row_of_th:
            header = r + 1
        if section == "tfoot" and footer < 0:
            footer = r
        row: list[str] = []
        c = 0
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            while (r, c) in spans:
                row.append(spans.pop((r, c)))
                c += 1
            text = _cell_text(cell)
            colspan = min(int(cell.get("colspan", "1") or 1), 50)
            rowspan = min(int(cell.get("rowspan", "1") or 1), 500)
            for i in range(colspan):
                row.append(text if i == 0 else "")
                for j in range(1, rowspan):
                    spans[(r + j, c + i)] = ""
            c += colspan
        while (r, c) in spans:
            row.append(spans.pop((r, c)))
            c += 1
        grid.append(row)
    columns = max((len(row) for row in grid), default=0)
    return [row + [""] * (columns - len(row)) for row in grid], header, footer


def _cell_text(cell: lxml.html.HtmlElement) -> str:
    """A cell's text, its blocks and nested cells apart ("x y 1 2", not "xy12")."""
    for el in cell.iterdescendants("p", "div", "br", "li", "td", "th", "tr", "caption", "dt", "dd", "pre"):
        el.tail = " " + (el.tail or "")
    return _text_of(cell)


def _owner(el: lxml.html.HtmlElement, tag: str) -> lxml.html.HtmlElement | None:
    for ancestor in el.iterancestors(tag):
        return ancestor
    return None


def table_lines(caption: str, grid: list[list[str]], header: int, footer: int, width: int) -> list[Line]:
    """A data table as text: aligned columns (numbers to the right, a rule under
    the header) when they fit in ``width``, else one ``label: value`` block a row."""
    out: list[Line] = [("text", "")]
    if caption:
        out += [("text", caption), ("text", "")]
    if not grid:
        return out
    count = len(grid[0])
    body = [row for i, row in enumerate(grid) if i >= header]
    numeric = [all(not row[c] or _NUMBER_CELL.fullmatch(row[c]) for row in body) and any(row[c] for row in body)
               for c in range(count)]
    # in terminal columns: a Chinese or Japanese cell takes two a character
    widths = [max(columns(row[c]) for row in grid) for c in range(count)]
    if sum(widths) + 2 * (count - 1) <= width:
        def line(row: list[str]) -> str:
            pads = [" " * (widths[c] - columns(row[c])) for c in range(count)]
            cells = [pads[c] + row[c] if numeric[c] else row[c] + pads[c] for c in range(count)]
            return "  ".join(cells).rstrip()
        for i, row in enumerate(grid):
            if i == footer or (i == header and header):
                out.append(("raw", "  ".join("-" * w for w in widths)))
            out.append(("raw", line(row)))
        out.append(("text", ""))
        return out
    labels = [" ".join(x for x in (grid[r][c] for r in range(header)) if x) for c in range(count)]
    for row in body:
        for c, value in enumerate(row):
            if not value:
                continue
            label = labels[c]
            out.append(("text", f"{label}: {value}" if label else value))
        out.append(("text", ""))
    return out


def _take_blocks(body: lxml.html.HtmlElement, options: TextOptions) -> dict[str, list[Line]]:
    """Take ``<pre>`` and data tables (``table.mk-table``) out of the tree, each
    replaced by a token paragraph; return the lines of each by token."""
    blocks: dict[str, list[Line]] = {}
    nonce = secrets.token_hex(6)
    found = [el for el in body.iter("pre", "table")
             if el.tag == "pre" or f" {TABLE_CLASS} " in f" {el.get('class', '')} "]
    outer = set(found)
    for el in found:
        if any(a in outer for a in el.iterancestors("pre", "table")):
            continue  # inside another block: laid out as its text
        if el.tag == "pre":
            lines = _pre_lines(el)
        else:
            caption = el.find("caption")
            grid, header, footer = _table_rows(el)
            lines = table_lines(_text_of(caption) if caption is not None else "", grid, header, footer,
                                options.width)
        token = f"\ue000mkblock{nonce}n{len(blocks)}\ue000"
        blocks[token] = lines
        _replace(el, token, block=True)
    # inline code reads as it is in text: no Markdown backticks (nor html2text's
    # "*[NATO]: ..." for an abbreviation)
    lxml.etree.strip_tags(body, "code", "kbd", "samp", "abbr")
    return blocks


def _expand_blocks(lines: list[Line], blocks: dict[str, list[Line]]) -> list[Line]:
    """Put each block's lines where its token is, indented as the token was (in a list item)."""
    if not blocks:
        return lines
    out: list[Line] = []
    for kind, text in lines:
        m = _BLOCK.search(text) if "\ue000" in text else None
        if m is None or m.group() not in blocks:
            out.append((kind, text))
            continue
        before = text[: m.start()]
        indent = " " * len(before)
        if before.strip():
            out.append((kind, before.rstrip()))
        for block_kind, line in blocks[m.group()]:
            out.append((block_kind, indent + line if line else line))
        after = text[m.end():].strip()
        if after:
            out.append((kind, indent + after))
    return out


_MD_ESCAPE = re.compile(r"\\(?=[.+\-])")
_LIST = re.compile(r"^(\s*)([-*+]|\d+\.) +")
_QUOTE = re.compile(r"^((?:> ?)+)")
# a line that is one URL is never wrapped (nor, so, re-wrapped per recipient)
URL_LINE = re.compile(r"^\S+://\S+$|^mailto:\S+$")


# whitespace other than " " (U+2003, U+3000 ...): textwrap drops a word of
# it at a line's end, _fill would keep it, so such lines go to textwrap
_OTHER_SPACE = re.compile(r"[^\S ]")


@lru_cache(maxsize=16)
def _filler(width: int) -> re.Pattern[str]:
    # the longest run of at most ``width`` characters that ends before a space
    # (or the end), else one word longer than ``width`` on its own
    return re.compile(rf"(.{{1,{width}}})(?: |\Z)|([^ ]+)(?: |\Z)")


def _fill(line: str, width: int) -> list[str]:
    """Greedy fill of a line of single-spaced words: what textwrap.wrap does for
    such a line with break_long_words and break_on_hyphens off, in one regex
    pass (wrapping was most of PreparedEmail.build). Equality is tested."""
    return [short or long for short, long in _filler(width).findall(line)]


# Chinese, Japanese and Korean: two columns a character in a terminal, and no
# spaces between words, so a line may break between any two of them (UAX #14),
# except before closing punctuation or after opening (kinsoku: never "。" at a
# line's start). Without this a CJK paragraph was one line of 200 columns.
_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\u2fff\u3001-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
                   r"\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")
# Korean is written with spaces between words (eojeol), and a word is not broken: a line breaks
# at a space (as word-break: keep-all does in CSS), never between two syllables, nor between a
# syllable and the Latin letters, digits or punctuation written in the same word ("AI가", "(서울)").
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff]")
_NO_BREAK_BEFORE = frozenset("、。，．・：；？！）〕］｝〉》」』】〙〗〟’”ヽヾーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ々〻…‥")
_NO_BREAK_AFTER = frozenset("（〔［｛〈《「『【〘〖〝‘“")


# What takes no column in a terminal (wcwidth 0): Unicode's combining marks (categories Mn and
# Me: Vietnamese tones written apart, Hebrew niqqud, Arabic harakat, Devanagari signs above and
# below) in the Basic Multilingual Plane, and the zero-width space, non-joiner, word joiner and BOM,
# and the left-to-right and right-to-left marks (the text part writes U+200F: see _rtl_lines).
# Not the joiner (U+200D) nor the variation selectors: they hold emoji sequences together, and an
# emoji takes two columns where this counts one, so a sequence keeps a column for each of its
# code points, as before. Generated from unicodedata 14.0; tests/test_hostile_probe5.py checks
# it against the running Python's.
_ZERO_WIDTH = re.compile("["
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1-\u05c2\u05c4-\u05c5\u05c7\u0610-\u061a"
    "\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7-\u06e8\u06ea-\u06ed\u0711\u0730-\u074a"
    "\u07a6-\u07b0\u07eb-\u07f3\u07fd\u0816-\u0819\u081b-\u0823\u0825-\u0827\u0829-\u082d"
    "\u0859-\u085b\u0898-\u089f\u08ca-\u08e1\u08e3-\u0902\u093a\u093c\u0941-\u0948\u094d\u0951-\u0957"
    "\u0962-\u0963\u0981\u09bc\u09c1-\u09c4\u09cd\u09e2-\u09e3\u09fe\u0a01-\u0a02\u0a3c\u0a41-\u0a42"
    "\u0a47-\u0a48\u0a4b-\u0a4d\u0a51\u0a70-\u0a71\u0a75\u0a81-\u0a82\u0abc\u0ac1-\u0ac5\u0ac7-\u0ac8"
    "\u0acd\u0ae2-\u0ae3\u0afa-\u0aff\u0b01\u0b3c\u0b3f\u0b41-\u0b44\u0b4d\u0b55-\u0b56\u0b62-\u0b63"
    "\u0b82\u0bc0\u0bcd\u0c00\u0c04\u0c3c\u0c3e-\u0c40\u0c46-\u0c48\u0c4a-\u0c4d\u0c55-\u0c56"
    "\u0c62-\u0c63\u0c81\u0cbc\u0cbf\u0cc6\u0ccc-\u0ccd\u0ce2-\u0ce3\u0d00-\u0d01\u0d3b-\u0d3c"
    "\u0d41-\u0d44\u0d4d\u0d62-\u0d63\u0d81\u0dca\u0dd2-\u0dd4\u0dd6\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
    "\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd\u0f18-\u0f19\u0f35\u0f37\u0f39\u0f71-\u0f7e\u0f80-\u0f84"
    "\u0f86-\u0f87\u0f8d-\u0f97\u0f99-\u0fbc\u0fc6\u102d-\u1030\u1032-\u1037\u1039-\u103a"
    "\u103d-\u103e\u1058-\u1059\u105e-\u1060\u1071-\u1074\u1082\u1085-\u1086\u108d\u109d\u135d-\u135f"
    "\u1712-\u1714\u1732-\u1733\u1752-\u1753\u1772-\u1773\u17b4-\u17b5\u17b7-\u17bd\u17c6"
    "\u17c9-\u17d3\u17dd\u180b-\u180d\u180f\u1885-\u1886\u18a9\u1920-\u1922\u1927-\u1928\u1932"
    "\u1939-\u193b\u1a17-\u1a18\u1a1b\u1a56\u1a58-\u1a5e\u1a60\u1a62\u1a65-\u1a6c\u1a73-\u1a7c\u1a7f"
    "\u1ab0-\u1ace\u1b00-\u1b03\u1b34\u1b36-\u1b3a\u1b3c\u1b42\u1b6b-\u1b73\u1b80-\u1b81\u1ba2-\u1ba5"
    "\u1ba8-\u1ba9\u1bab-\u1bad\u1be6\u1be8-\u1be9\u1bed\u1bef-\u1bf1\u1c2c-\u1c33\u1c36-\u1c37"
    "\u1cd0-\u1cd2\u1cd4-\u1ce0\u1ce2-\u1ce8\u1ced\u1cf4\u1cf8-\u1cf9\u1dc0-\u1dff\u200b-\u200c\u200e-\u200f\u2060"
    "\u20d0-\u20f0\u2cef-\u2cf1\u2d7f\u2de0-\u2dff\u302a-\u302d\u3099-\u309a\ua66f-\ua672"
    "\ua674-\ua67d\ua69e-\ua69f\ua6f0-\ua6f1\ua802\ua806\ua80b\ua825-\ua826\ua82c\ua8c4-\ua8c5"
    "\ua8e0-\ua8f1\ua8ff\ua926-\ua92d\ua947-\ua951\ua980-\ua982\ua9b3\ua9b6-\ua9b9\ua9bc-\ua9bd\ua9e5"
    "\uaa29-\uaa2e\uaa31-\uaa32\uaa35-\uaa36\uaa43\uaa4c\uaa7c\uaab0\uaab2-\uaab4\uaab7-\uaab8"
    "\uaabe-\uaabf\uaac1\uaaec-\uaaed\uaaf6\uabe5\uabe8\uabed\ufb1e\ufe20-\ufe2f\ufeff"
    "]")


def _char_columns(ch: str) -> int:
    return 0 if _ZERO_WIDTH.match(ch) else 2 if _WIDE.match(ch) else 1


def columns(text: str) -> int:
    """The width of ``text`` in a terminal: a CJK character takes two columns, a combining mark none."""
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE.findall(text)) - len(_ZERO_WIDTH.findall(text))


def _breaks_between(before: str, after: str) -> bool:
    """Whether a line may break between two characters with no space between them: beside a
    Chinese or Japanese character, not beside Korean (see _HANGUL)."""
    return bool((_WIDE.match(before) and not _HANGUL.match(before)) or (_WIDE.match(after) and not _HANGUL.match(after)))


def _wrap_wide(line: str, width: int) -> list[str]:
    lines: list[str] = []
    current, used, last_break = "", 0, -1  # last_break: index in current after which a break may go
    for ch in line:
        if current and (ch == " " or _breaks_between(current[-1], ch)) \
                and ch not in _NO_BREAK_BEFORE and current[-1] not in _NO_BREAK_AFTER:
            last_break = len(current)
        current += ch
        used += _char_columns(ch)
        if used > width and last_break > 0:
            lines.append(current[:last_break].rstrip(" "))
            current = current[last_break:].lstrip(" ")
            used, last_break = columns(current), -1
    if current:
        lines.append(current)
    return lines


# Thai, Lao, Myanmar, Khmer, Tai Tham, New Tai Lue: no spaces between words
# (UAX #14's class SA, which needs a dictionary to find word ends), so a
# paragraph was one line of hundreds of columns. A line breaks at a space where
# one fits, else between two letters of these scripts, never inside a
# character cluster: not before a vowel sign, tone mark or other combining
# mark, nor after a Thai or Lao vowel written before its consonant, nor before
# a repetition mark. A URL or a Latin word in the line is never broken.
_NO_SPACE_SCRIPT = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u1980-\u19df\u1a20-\u1aaf]")
_LEADING_VOWELS = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4")
# never first on a line: Thai and Lao vowels written after their consonant (ะ า ำ ๅ), the
# abbreviation and repetition marks (ฯ ๆ), Khmer's and Myanmar's full stops
_NOT_FIRST = frozenset("\u0e30\u0e32\u0e33\u0e45\u0e2f\u0e46\u0eb0\u0eb2\u0eb3\u0eaf\u0ec6"
                       "\u17d4\u17d5\u104a\u104b")


def _cluster_break(before: str, after: str) -> bool:
    """Whether a line may break between ``before`` and ``after``, two letters of a script without spaces."""
    return (_NO_SPACE_SCRIPT.match(before) is not None and _NO_SPACE_SCRIPT.match(after) is not None
            and not unicodedata.category(after).startswith("M") and after not in _NOT_FIRST
            and before not in _LEADING_VOWELS and after not in "\u200c\u200d" and before not in "\u200c\u200d")


def _wrap_clusters(line: str, width: int) -> list[str]:
    """Greedy wrap at spaces, breaking a run longer than ``width`` between character clusters.

    Counted in terminal columns, as every other line: a vowel or tone mark above or
    below takes none (counted as characters, a Thai headline broke at 63 columns of 78)."""
    lines: list[str] = []
    current = ""
    used = 0  # columns(current)
    space = cluster = -1  # where in current a break may go: after a space, between two clusters
    for ch in line:
        if current:
            if ch == " ":
                space = len(current)
            elif _cluster_break(current[-1], ch):
                cluster = len(current)
        current += ch
        used += _char_columns(ch)
        if used > width and ch != " ":
            cut = space if space > 0 else cluster
            if cut > 0:
                lines.append(current[:cut].rstrip(" "))
                current = current[cut:].lstrip(" ")
                used = columns(current)
                space = cluster = -1
                for i in range(1, len(current)):  # the breaks left in what moved down
                    if current[i] == " ":
                        space = i
                    elif _cluster_break(current[i - 1], current[i]):
                        cluster = i
    if current.strip(" "):
        lines.append(current.rstrip(" "))
    return lines or [line]


def _wrap(line: str, width: int) -> list[str]:
    if line[-1:].isspace():
        # textwrap drops whitespace (U+00A0 too) at a line's end; the fast paths below keep it
        return _textwrap(line, width)
    if len(line) <= width // 2 or URL_LINE.match(line):
        return [line]
    if len(line) > width and _NO_SPACE_SCRIPT.search(line):  # (len: a bound on the columns)
        m = _QUOTE.match(line) or _LIST.match(line)
        prefix = m.group(0) if m else line[: len(line) - len(line.lstrip(" "))]
        indent = prefix if _QUOTE.match(line) else " " * len(prefix)
        wrapped = _wrap_clusters(line[len(prefix):], max(width - len(prefix), 10))
        return [prefix + wrapped[0]] + [indent + rest for rest in wrapped[1:]]
    # CJK (two columns a character) and text with combining marks (none): wrapped by columns;
    # by characters, a Hebrew line with niqqud was cut at 44 columns of 78
    if _WIDE.search(line) or (len(line) > width and not line.isascii() and _ZERO_WIDTH.search(line)):
        if columns(line) <= width:
            return [line]
        # a quote's, list item's or indented line's prefix first, repeated or hung as in
        # _textwrap (a quoted Chinese sentence of 63 characters, 107 columns, stood on one
        # line; a definition's second line lost its indent)
        m = _QUOTE.match(line) or _LIST.match(line)
        prefix = m.group(0) if m else line[: len(line) - len(line.lstrip(" "))]
        if not prefix:
            return _wrap_wide(line, width)
        indent = prefix if _QUOTE.match(line) else " " * len(prefix)
        wrapped = _wrap_wide(line[len(prefix):], max(width - len(prefix), 10))
        return [prefix + wrapped[0]] + [indent + rest for rest in wrapped[1:]]
    if len(line) <= width:
        return [line]
    if (not _QUOTE.match(line) and not _LIST.match(line) and not line.startswith(" ") and "  " not in line
            and (line.isascii() or not _OTHER_SPACE.search(line))):
        return _fill(line, width)
    return _textwrap(line, width)


def _textwrap(line: str, width: int) -> list[str]:
    """The slow path of _wrap (and its reference in tests): textwrap, with a
    quote's ``> `` repeated, a list item's continuation lines hung under
    its text and an indented line's (a definition's) under its first."""
    quote = _QUOTE.match(line)
    m = quote or _LIST.match(line)
    prefix = m.group(0) if m else line[: len(line) - len(line.lstrip(" "))]
    indent = prefix if quote else " " * len(prefix)
    # break_long_words / break_on_hyphens off: a URL is never broken.
    return textwrap.wrap(line, width=width, initial_indent="", subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or [line]


# (kind, text): kind is "text", "raw" (never wrapped), "ref" (a link list entry),
# "rule", or "heading1".."heading3"
Line = tuple[str, str]
LINE_KINDS = frozenset({"text", "raw", "ref", "rule", "heading1", "heading2", "heading3"})


def _logical_lines(markdown: str, refs: dict[str, str], options: TextOptions, marks: _Markers) -> list[Line]:
    out: list[Line] = []
    # whole-text substitutions: one pass each instead of one per line
    markdown = single_spaces(drop_filler(markdown))
    if "\\" in markdown:  # (a search in C: the pattern's scan of 216 KB without one was 0.05 ms)
        markdown = _MD_ESCAPE.sub("", markdown)
    markdown = markdown.replace(marks.backslash, "\\")
    markdown = indent_lines(markdown)
    heading = marks.heading
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if marks.rule in line:
            out.append(("rule", ""))
            continue
        if line.startswith(heading):
            level, title = int(line[len(heading)]), line[len(heading) + 2 :].strip()
            if title:  # a heading with nothing visible in it is dropped
                out.append((f"heading{min(level, 3)}", title))
            continue
        out.append(("text", line))
    if refs:
        out += [("text", ""), ("text", options.links_heading or "Links:"), ("text", "")]
        for i, (url, label) in enumerate(refs.items(), 1):
            # the link's text, then its URL on a line of its own at column 0:
            # every line over the width is a bare URL, whatever a recipient's
            # URL is (indented, a 79-80 character URL wraps in an 80-column
            # terminal client, and the wrapped URL no longer works)
            out += [("ref", f"[{i}] {label}"), ("raw", url)]
    return out


# text/plain has no dir: a reader lays out each line in the direction of its first letter
# (Unicode's bidi algorithm, P2-P3), so "Apple משיקה אייפון ..." in a Hebrew email ran left to
# right and a reader starting from the right met the brand last. Such a line (its first
# letter not right to left, a right-to-left letter after it) starts with U+200F, which takes
# no column; once: a line already starting with a mark is left alone.
_RTL = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
_LTR_FIRST = re.compile(f"^(?![\u200e\u200f])(?=(?:[^\\w\\n]|[\\d_])*(?![{_RTL}])[^\\W\\d_])(?=[^\\n]*[{_RTL}])",
                        re.MULTILINE)


def _rtl_lines(text: str) -> str:
    return _LTR_FIRST.sub("\u200f", text)


def lay_out(line: Line, options: TextOptions) -> list[str]:
    """The physical lines of one logical line: wrapped, a heading underlined, a rule."""
    if options.direction == "rtl":
        return [_rtl_lines(physical) for physical in _lay_out(line, options)]
    return _lay_out(line, options)


def _lay_out(line: Line, options: TextOptions) -> list[str]:
    kind, text = line
    if kind == "rule":
        return ["", options.rule, ""]
    if kind == "raw":
        return [text]
    if kind == "ref":  # "[12] Link text", wrapped under its own text
        if len(text) <= options.width or (not text.isascii() and columns(text) <= options.width):
            return [text]
        indent = " " * (text.index("] ") + 2)
        if _WIDE.search(text) or _ZERO_WIDTH.search(text):
            # Chinese or Japanese, or combining marks (NFD Vietnamese, Thai, niqqud): by
            # columns, as every other line (by characters, "[1] Hà Nội ..." written NFD
            # broke at 58 columns of 78)
            wrapped = _wrap_wide(text[len(indent):], max(options.width - len(indent), 10))
            return [text[:len(indent)] + wrapped[0]] + [indent + rest for rest in wrapped[1:]]
        return _urls_at_column_0(textwrap.wrap(text, width=options.width, subsequent_indent=indent,
                                               break_long_words=False, break_on_hyphens=False) or [text],
                                 options.width)
    if kind.startswith("heading"):
        # h1 underlined "=", h2 "-"; h3 and below (story headlines in a
        # digest) stand on their own, so sections and stories stay distinct
        lines = _wrap(text, options.width)
        if kind == "heading3":
            return ["", *lines, ""]
        mark = "=" if kind == "heading1" else "-"
        return ["", *lines, mark * max(columns(x) for x in lines), ""]
    return _urls_at_column_0(_wrap(text, options.width), options.width) if text else [""]


# a wrapped line over the width is one word: a URL after a quote's "> " or a
# list item's indent moves to column 0, where a terminal cannot wrap it
# (the URL starts at its scheme's first letter, which the prefix cannot hold:
# "\S+://" after a lazy prefix tried every split of a line of 60,000 digits, 3 s)
_PREFIXED_URL = re.compile(r"^[\s>*+\-\d.]+?((?:[a-zA-Z][a-zA-Z0-9+.\-]*://|mailto:)\S+)$")


def _urls_at_column_0(lines: list[str], width: int) -> list[str]:
    if all(len(line) <= width for line in lines):
        return lines
    out = []
    for line in lines:
        m = _PREFIXED_URL.match(line) if len(line) > width else None
        out.append(m.group(1) if m else line)
    return out


_BLANK_LINES = re.compile("\n\n\n+")


@lru_cache(maxsize=16)
def _run_filler(width: int) -> re.Pattern[str]:
    # _filler over many lines at once, each ending in "\n" (which "." never
    # crosses): the same chunks line by line, and a blank line a match of its
    # own (""). One group, so findall gives strings, not a tuple a line: tuples
    # are objects the garbage collector counts, and thousands alive at once
    # set off its collections (a full one costs 20-30 ms once mailkit is loaded)
    return re.compile(rf"(.{{1,{width}}}(?=[ \n])|[^ \n]+(?=[ \n])|(?=\n))[ \n]")


# the first characters of an ASCII line that may start a quote, a list item or an indent (_QUOTE, _LIST)
_MAYBE_PREFIX = frozenset(" >-*+0123456789\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f")


def _plain(line: str, width: int) -> bool:
    """Whether :func:`lay_out` of the text line ``line`` (with no CJK in it) is :func:`_fill`
    of it: no whitespace at its end, and short, or a run of single-spaced words that
    is no quote, list item or indented line (the conditions of :func:`_wrap`)."""
    if line[-1:].isspace() or "\n" in line:  # a line break: from a TextEngine of one's own
        return False
    if len(line) <= width:
        return True
    # (a script written without spaces wraps between clusters: _wrap_clusters)
    return (" " != line[0] and "  " not in line
            and (line.isascii() or not (_OTHER_SPACE.search(line) or _NO_SPACE_SCRIPT.search(line)
                                        or _ZERO_WIDTH.search(line)))
            and not _QUOTE.match(line) and not _LIST.match(line))


def _fill_run(run: str, width: int, out: list[str]) -> None:
    """``out`` extended with :func:`lay_out` of each line of ``run`` (lines joined by "\\n"), all
    :func:`_plain`: one regex pass over the run instead of a few calls a line (saves about 3 ms
    of 5 at 1,000 paragraphs). Equal to laying out line by line (tests/test_speed.py)."""
    lines: list[str] = _run_filler(width).findall(run + "\n")
    if lines and max(map(len, lines)) > width:
        # a long word: a URL after a prefix moves to column 0 (_urls_at_column_0 of the lines over
        # the width only, found in C: a Python test of every line was 0.2 ms at 1,000 paragraphs)
        for i in compress(count(), map(width.__lt__, map(len, lines))):
            m = _PREFIXED_URL.match(lines[i])
            if m:
                lines[i] = m.group(1)
    out += lines


def lay_out_text(lines: list[Line], options: TextOptions) -> str:
    """``assemble([lay_out(line, options) for line in lines], options)``, faster.

    Runs of text lines that need nothing but the greedy fill (most of a body:
    paragraphs, blank lines) are wrapped in one pass each.
    """
    width = options.width
    # Chinese or Japanese anywhere: a line of it is laid out by columns, not in a run. Searched
    # in the lines not in ASCII only (a str.isascii() a line, in C): _WIDE over the whole text
    # was 0.57 ms of 2.3 at 1,000 paragraphs, this 0.06
    texts = list(map(itemgetter(1), lines))
    wide = any(map(_WIDE.search, compress(texts, map(not_, map(str.isascii, texts)))))
    physical: list[str] = []
    run: list[str] = []
    for line in lines:
        kind, text = line
        # the common cases (a blank line, a short one, a long one in ASCII that starts with no
        # space, quote, list mark or digit and has no doubled space) tested here, not in a call
        # (_plain's, 0.25 ms at 1,000 paragraphs)
        if kind == "text" and (not text or (not text[-1].isspace() and "\n" not in text and (
                len(text) <= width or (text.isascii() and text[0] not in _MAYBE_PREFIX and "  " not in text)))
                               or _plain(text, width)) and not (wide and _WIDE.search(text)):
            run.append(text)
            continue
        if run:
            _fill_run("\n".join(run), width, physical)
            run = []
        physical += _lay_out(line, options)  # the marks of a right-to-left email: in _assembled
    if run:
        _fill_run("\n".join(run), width, physical)
    return _assembled("\n".join(physical), options)


def assemble(blocks: list[list[str]], options: TextOptions) -> str:
    """Join laid-out lines; at most one blank line in a row, no doubled rules."""
    return _assembled("\n".join(line for block in blocks for line in block), options)


def _assembled(text: str, options: TextOptions) -> str:
    text = text.strip("\n")
    if "\n\n\n" in text:
        # a literal first, which the regex engine searches for in C ("\n{3,}"
        # was tried at every line break: 1.2 ms of 216 KB of text)
        text = _BLANK_LINES.sub("\n\n", text)
    doubled = f"{options.rule}\n\n{options.rule}"
    while doubled in text:
        text = text.replace(doubled, options.rule)
    if options.direction == "rtl":
        text = _rtl_lines(text)
    return text + "\n"


def text_lines(html: str, options: TextOptions = TextOptions()) -> list[Line]:
    """The logical lines of the text part of ``html``, before wrapping."""
    try:
        root = lxml.html.document_fromstring(html, parser=_LXML.parser)
    except lxml.etree.ParserError:  # "Document is empty": nothing to say
        return []
    except (lxml.etree.LxmlError, ValueError) as err:
        raise TextError(f"plain-text conversion failed: {type(err).__name__}: {err}") from err
    return tree_text_lines(root, options)


def tree_text_lines(root: Any, options: TextOptions = TextOptions()) -> list[Line]:
    """:func:`text_lines` of an already parsed document, which it takes apart.

    The pipeline hands over the tree premailer just serialised, saving a parse.
    """
    try:
        lxml.etree.strip_elements(root, lxml.etree.Comment, lxml.etree.ProcessingInstruction, with_tail=False)
        marks = _Markers.new()
        content, refs, blocks = _reduce(root, options, marks)
        markdown = convert(content, marks.backslash)
        return _expand_blocks(_logical_lines(markdown, refs, options, marks), blocks)
    except TextError:
        raise
    except Exception as err:  # lxml / html2text raise assorted types
        raise TextError(f"plain-text conversion failed: {type(err).__name__}: {err}") from err


def html_to_text(html: str, options: TextOptions = TextOptions()) -> str:
    """The plain-text part of ``html`` (MJML output), wrapped at ``options.width``."""
    lines = text_lines(html, options)
    return lay_out_text(lines, options) if lines else ""


# -- the engines --------------------------------------------------------------------------------

@runtime_checkable
class TextEngine(Protocol):
    """What makes the plain-text part: the inlined document in, its logical lines out.

    ``lines(root, options)`` gets the inlined email parsed by lxml (it may take
    it apart) and returns ``(kind, text)`` pairs, kind one of ``"text"``
    (wrapped at ``options.width``), ``"raw"`` (never wrapped: a URL, a table
    row), ``"ref"`` (a link list entry), ``"rule"``, ``"heading1"`` ..
    ``"heading3"``; mailkit wraps, underlines and personalises them.
    ``name`` names it in errors.
    """

    name: str

    def lines(self, root: Any, options: TextOptions) -> list[Line]:
        """The logical lines of the text part of the document ``root``."""
        ...


class Html2TextEngine:
    """The default text engine: lxml reduces the document, html2text lays out its blocks (:func:`tree_text_lines`)."""

    name: str = "html2text"

    def lines(self, root: Any, options: TextOptions) -> list[Line]:
        """:func:`tree_text_lines` of ``root``."""
        return tree_text_lines(root, options)


_HTML2TEXT = Html2TextEngine()
_TEXT_ENGINES: dict[str, TextEngine] = {"html2text": _HTML2TEXT}


def text_engine(engine: str | TextEngine) -> TextEngine:
    """The engine ``engine`` names (``"html2text"``), or ``engine`` itself if it is one; else a :class:`TextError`."""
    if isinstance(engine, str):
        known = _TEXT_ENGINES.get(engine)
        if known is None:
            raise TextError(f"unknown text engine {shown(engine)}: choose one of {', '.join(_TEXT_ENGINES)}, "
                            "or pass a TextEngine")
        return known
    if isinstance(engine, TextEngine) and isinstance(getattr(engine, "name", None), str) \
            and callable(getattr(engine, "lines", None)):
        return engine
    raise TextError(f"unknown text engine {shown(engine)}: choose one of {', '.join(_TEXT_ENGINES)}, "
                    "or pass a TextEngine (a 'name' and a lines(root, options) method)")


def document_lines(root: Any, engine: str | TextEngine = "html2text", options: TextOptions = TextOptions()) -> list[Line]:
    """The logical lines ``engine`` makes of the inlined document ``root``, checked.

    A failure of a third-party engine, or lines that are not ``(kind, text)``
    pairs of a known kind, is a :class:`TextError` naming the engine.
    """
    chosen = text_engine(engine)
    try:
        lines = chosen.lines(root, options)
    except TextError:
        raise
    except Exception as err:  # a third-party engine may raise anything
        raise TextError(f"the {chosen.name!r} text engine failed: {type(err).__name__}: {err}") from err
    if chosen is _HTML2TEXT:
        return lines
    if not isinstance(lines, list):
        raise TextError(f"the {chosen.name!r} text engine returned {type(lines).__name__}, not a list of lines")
    for i, line in enumerate(lines):
        if not (isinstance(line, tuple) and len(line) == 2 and line[0] in LINE_KINDS and isinstance(line[1], str)):
            raise TextError(f"the {chosen.name!r} text engine's line {i} is {line!r}, not (kind, text) with kind "
                            f"one of {', '.join(sorted(LINE_KINDS))}")
    return lines
