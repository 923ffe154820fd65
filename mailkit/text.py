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
import textwrap
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import html2text
import lxml.etree
import lxml.html

from .errors import TextError

__all__ = ["TextOptions", "html_to_text", "text_lines", "tree_text_lines"]


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


_FILLER = re.compile("[\u034f\u200b-\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_LAYOUT_TAGS = ("table", "tbody", "thead", "tfoot", "tr", "td", "th", "center", "o:p")
_SECTION = "@@mailkit-rule@@"
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all", re.IGNORECASE)
_HEADING_MARK = "@@mailkit-h"  # + level + "@@", like the rule marker


class _Lxml(threading.local):
    """Compiled XPaths and the parser, one set per thread.

    Compiled once (lxml compiles an XPath string on every .xpath() call), but
    per thread: lxml parsers, and XPath evaluators, must not be shared
    between threads.
    """

    def __init__(self) -> None:
        self.marked = lxml.etree.XPath(
            '//*[@data-text or contains(@style, "none") or contains(@style, "mso-hide")'
            ' or contains(@class, "mk-button")]'
        )
        self.headings = lxml.etree.XPath("//h1 | //h2 | //h3 | //h4 | //h5 | //h6")
        # comments (MJML's many Outlook conditionals) are dropped while parsing
        self.parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)


_LXML = _Lxml()


def _text_of(el: lxml.html.HtmlElement) -> str:
    return " ".join(_FILLER.sub("", "".join(el.itertext())).split())


def _bare(url: str) -> str:
    return re.sub(r"^(?:https?://|mailto:|tel:)", "", url).rstrip("/")


def _replace(el: lxml.html.HtmlElement, text: str, *, block: bool = False) -> None:
    """Replace ``el`` by ``text`` (keeping its tail)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail or ""
    if block:
        new = lxml.etree.Element("p")
        new.text = text
        new.tail = tail
        parent.replace(el, new)
        return
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + text + tail
    else:
        parent.text = (parent.text or "") + text + tail
    parent.remove(el)


def _reduce(root: lxml.html.HtmlElement, options: TextOptions) -> tuple[lxml.html.HtmlElement, dict[str, str]]:
    body = root.find("body")
    if body is None:
        body = root
    # One scan of the document finds every element the text part treats
    # specially (an XPath test over every element costs a third of a
    # millisecond on a digest, so there is one, not four).
    hidden: list[lxml.html.HtmlElement] = list(body.iter("style", "script", "img", "head"))
    rules: list[lxml.html.HtmlElement] = []
    buttons: set[lxml.html.HtmlElement] = set()
    for el in cast(list[lxml.html.HtmlElement], _LXML.marked(body)):
        mark = el.get("data-text")
        # MJML's preheader (the first hidden div of the body), anything hidden
        # on purpose (display:none, mso-hide:all) or marked data-text="skip"
        if mark == "skip" or _HIDDEN_STYLE.search(el.get("style", "")):
            hidden.append(el)
        elif mark == "rule":
            rules.append(el)
        elif mark == "url" or " mk-button " in f" {el.get('class', '')} ":
            buttons.update(el.iter("a"))
    for el in hidden:
        if el.getparent() is not None:
            _replace(el, "")
    for el in rules:
        _replace(el, _SECTION, block=True)

    refs: dict[str, str] = {}  # URL -> the text of its first link
    for a in list(body.iter("a")):
        href = (a.get("href") or "").strip()
        label = _text_of(a)
        if not label:
            _replace(a, "")
            continue
        if not href or href.startswith("#"):
            _replace(a, label)
            continue
        if label in (href, _bare(href)) or _bare(label) == _bare(href):
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
            _replace(a, f"{label} [{list(refs).index(href) + 1}]")
    # headings travel through html2text as paragraphs with a marker, so that a
    # paragraph that merely starts with "#" is never taken for one
    for el in cast(list[lxml.html.HtmlElement], _LXML.headings(body)):
        level = int(el.tag[1])
        el.tag = "p"
        el.text = f"{_HEADING_MARK}{level}@@" + (el.text or "")
    lxml.etree.strip_tags(body, *_LAYOUT_TAGS)
    # html2text needs the elements, not their attributes: less for it to parse
    lxml.etree.strip_attributes(body, "style", "class", "align", "role", "width", "height", "border",
                                "cellpadding", "cellspacing", "bgcolor", "valign", "aria-label",
                                "aria-roledescription", "lang", "vertical-align")
    return body, refs


def _converter(width: int) -> html2text.HTML2Text:
    h = html2text.HTML2Text()
    h.body_width = 0  # wrapping is done after, so that URLs and headings wrap by our rules
    h.unicode_snob = True  # keep ’ “ ” — … as they are
    h.ignore_images = True
    h.ignore_emphasis = True
    h.ignore_links = True
    h.ignore_tables = True
    h.ul_item_mark = "-"
    h.emphasis_mark = ""
    h.single_line_break = False
    h.escape_snob = False
    return h


# html2text escapes Markdown in text with backslashes and has no switch for it.
# Text runs are fed with handle_data(data, entity_char=True), which skips that
# escaping (escape_md_section: four regex passes per run, a tenth of the text
# stage). As a guard for any escape it still adds, backslashes in the content
# are swapped for U+FFFF (a non-character mailkit refuses in input) first, so
# every backslash it returns is its own ("\\." "\\+" "\\-"): those are
# dropped and U+FFFF turned back into a backslash. An exact round trip.
_BACKSLASH = "\uffff"
_VOID = frozenset({"br", "hr", "img", "wbr", "input", "meta", "link", "area", "col", "source"})


def _convert(body: lxml.html.HtmlElement, width: int) -> str:
    """html2text over an lxml tree: its HTMLParser handlers fed from the tree.

    The same events ``HTML2Text.handle(html)`` gets from its own (pure
    Python) tokeniser, without serialising the tree and tokenising it again:
    a third of the text stage. Equality with ``handle()`` is tested on every
    rendered template (tests/test_text.py).
    """
    h = _converter(width)
    h.start = True

    def walk(el: lxml.html.HtmlElement) -> None:
        tag = el.tag
        h.handle_starttag(tag, list(el.attrib.items()))
        if el.text:
            h.handle_data(el.text.replace("\\", _BACKSLASH), True)
        for child in el:
            walk(child)
            if child.tail:
                h.handle_data(child.tail.replace("\\", _BACKSLASH), True)
        if tag not in _VOID:  # HTMLParser reports no end tag for a void element
            h.handle_endtag(tag)

    walk(body)
    return h.optwrap(h.finish())


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
_NO_BREAK_BEFORE = frozenset("、。，．・：；？！）〕］｝〉》」』】〙〗〟’”ヽヾーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖ々〻…‥")
_NO_BREAK_AFTER = frozenset("（〔［｛〈《「『【〘〖〝‘“")


def columns(text: str) -> int:
    """The width of ``text`` in a terminal: a CJK character takes two columns."""
    return len(text) + len(_WIDE.findall(text))


def _wrap_wide(line: str, width: int) -> list[str]:
    lines: list[str] = []
    current, used, last_break = "", 0, -1  # last_break: index in current after which a break may go
    for ch in line:
        if current and (ch == " " or (_WIDE.match(ch) or _WIDE.match(current[-1]))) \
                and ch not in _NO_BREAK_BEFORE and current[-1] not in _NO_BREAK_AFTER:
            last_break = len(current)
        current += ch
        used += 2 if _WIDE.match(ch) else 1
        if used > width and last_break > 0:
            lines.append(current[:last_break].rstrip(" "))
            current = current[last_break:].lstrip(" ")
            used, last_break = columns(current), -1
    if current:
        lines.append(current)
    return lines


def _wrap(line: str, width: int) -> list[str]:
    if len(line) <= width // 2 or URL_LINE.match(line):
        return [line]
    if _WIDE.search(line) and not _QUOTE.match(line) and not _LIST.match(line):
        return _wrap_wide(line, width) if columns(line) > width else [line]
    if len(line) <= width:
        return [line]
    if (not _QUOTE.match(line) and not _LIST.match(line) and not line.startswith(" ") and "  " not in line
            and (line.isascii() or not _OTHER_SPACE.search(line))):
        return _fill(line, width)
    return _textwrap(line, width)


def _textwrap(line: str, width: int) -> list[str]:
    """The slow path of _wrap (and its reference in tests): textwrap, with a
    quote's ``> `` repeated and a list item's continuation lines hung under
    its text."""
    quote = _QUOTE.match(line)
    m = quote or _LIST.match(line)
    prefix = m.group(0) if m else ""
    indent = prefix if quote else " " * len(prefix)
    # break_long_words / break_on_hyphens off: a URL is never broken.
    return textwrap.wrap(line, width=width, initial_indent="", subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or [line]


# (kind, text): kind is "text", "raw" (never wrapped), "ref" (a link list entry),
# "rule", or "heading1".."heading3"
Line = tuple[str, str]


def _logical_lines(markdown: str, refs: dict[str, str], options: TextOptions) -> list[Line]:
    out: list[Line] = []
    # whole-text substitutions: one pass each instead of one per line
    markdown = _MD_ESCAPE.sub("", _SPACES.sub(" ", _FILLER.sub("", markdown))).replace(_BACKSLASH, "\\")
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if _SECTION in line or line.strip() in ("* * *", "---", "___"):
            out.append(("rule", ""))
            continue
        if line.startswith(_HEADING_MARK):
            level, title = int(line[len(_HEADING_MARK)]), line[len(_HEADING_MARK) + 3 :].strip()
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


def lay_out(line: Line, options: TextOptions) -> list[str]:
    """The physical lines of one logical line: wrapped, a heading underlined, a rule."""
    kind, text = line
    if kind == "rule":
        return ["", options.rule, ""]
    if kind == "raw":
        return [text]
    if kind == "ref":  # "[12] Link text", wrapped under its own text
        if len(text) <= options.width:
            return [text]
        indent = " " * (text.index("] ") + 2)
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
_PREFIXED_URL = re.compile(r"^[\s>*+\-\d.]+?((?:\S+://|mailto:)\S+)$")


def _urls_at_column_0(lines: list[str], width: int) -> list[str]:
    if all(len(line) <= width for line in lines):
        return lines
    out = []
    for line in lines:
        m = _PREFIXED_URL.match(line) if len(line) > width else None
        out.append(m.group(1) if m else line)
    return out


def assemble(blocks: list[list[str]], options: TextOptions) -> str:
    """Join laid-out lines; at most one blank line in a row, no doubled rules."""
    text = "\n".join(line for block in blocks for line in block).strip("\n")
    if "\n\n\n" in text:
        text = re.sub(r"\n{3,}", "\n\n", text)
    doubled = f"{options.rule}\n\n{options.rule}"
    while doubled in text:
        text = text.replace(doubled, options.rule)
    return text + "\n"


def text_lines(html: str, options: TextOptions = TextOptions()) -> list[Line]:
    """The logical lines of the text part of ``html``, before wrapping."""
    try:
        root = lxml.html.document_fromstring(html, parser=_LXML.parser)
    except lxml.etree.ParserError:  # "Document is empty": nothing to say
        return []
    except (lxml.etree.LxmlError, ValueError) as err:
        raise TextError(f"plain-text conversion failed: {type(err).__name__}: {err}") from None
    return tree_text_lines(root, options)


def tree_text_lines(root: Any, options: TextOptions = TextOptions()) -> list[Line]:
    """:func:`text_lines` of an already parsed document, which it takes apart.

    The pipeline hands over the tree premailer just serialised, saving a parse.
    """
    try:
        lxml.etree.strip_elements(root, lxml.etree.Comment, lxml.etree.ProcessingInstruction, with_tail=False)
        content, refs = _reduce(root, options)
        markdown = _convert(content, options.width)
        return _logical_lines(markdown, refs, options)
    except TextError:
        raise
    except Exception as err:  # noqa: BLE001 - lxml / html2text raise assorted types
        raise TextError(f"plain-text conversion failed: {type(err).__name__}: {err}") from None


def html_to_text(html: str, options: TextOptions = TextOptions()) -> str:
    """The plain-text part of ``html`` (MJML output), wrapped at ``options.width``."""
    lines = text_lines(html, options)
    return assemble([lay_out(line, options) for line in lines], options) if lines else ""
