"""Microsoft Word and Outlook HTML, as editors paste it into a CMS, and the shapes other editors
export (``<details>``, ``<aside>`` pull quotes), made into the HTML they mean.

Run on the parsed body before the allowlist (:func:`mailkit._sanitize.sanitize_body`), which
then removes what is left of Word's styling (``class=MsoNormal``, ``mso-`` styles, ``<o:p>``):

- Word writes a list as paragraphs, each with ``mso-list:l0 level1 lfo1`` in its style and a
  fake marker first: ``·`` in the Symbol font (``o`` in Courier New, ``§`` in Wingdings, ``1.``)
  and a run of no-break spaces, in a span styled ``mso-list:Ignore``, inside
  ``<![if !supportLists]>`` (``<!--[if !supportLists]-->`` from the clipboard). The allowlist
  kept the marker and the spaces as text: "·        Funds agencies", a paragraph each.
  They become ``<ul>``/``<ol>`` with ``<li>`` items, nested by ``levelN``.
- A table cell's one paragraph (Word's ``<p class=MsoNormal>``) is unwrapped, and a ``<br>``
  just before a block (Word's footnote rule, ``<br clear=all><hr>``) removed: spacing only.
- Word's footnote numbers (``<span class=MsoFootnoteReference>[1]</span>``) become ``<sup>1</sup>``.
- Word's footnotes (and a table of contents) link within the document: ``href="#_ftn1"`` to
  ``<a name="_ftn1">``. The allowlist drops every ``name`` and ``id``, so such a link
  pointed at the story's web page plus ``#_ftn1`` (and the text part listed it). A link to an
  anchor the body itself holds loses its link and keeps its text: the note is right there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import lxml.etree
import lxml.html

_MSO_LIST = re.compile(r"mso-list\s*:\s*l(\d+)\s+level(\d+)", re.IGNORECASE)
_MSO_IGNORE = re.compile(r"mso-list\s*:\s*ignore", re.IGNORECASE)
# a numbered marker: "1.", "a)", "(iv)", "12."; anything else ("·", "o", "§", "-") is a bullet
_ORDERED = re.compile(r"\(?(\d+|[a-zA-Z]|[ivxlcdmIVXLCDM]+)[.)]")


_BLOCKS = frozenset({"hr", "p", "div", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure"})
# what a pass below rewrites in HTML of allowed elements and attributes only (the other passes
# need a style, an id or name, or a tag the allowlist lacks, which makes the body parsed anyway):
# sanitize_body skips the parser for a body a scan finds nothing to remove in, so without this a
# cell's paragraph or a footnote number was rewritten only beside some unrelated markup
# (every sanitised body is scanned: the pattern starts with "<", so the regex engine looks
# for that character alone; with "Mso..." as a first alternative it tried all three at
# every character, 2.1 ms of a 1,000-paragraph body, which bench/run.py section 6 missed
# its 0.25x target by; the class names are matched as _NOTE_REFERENCE matches them, exactly)
_ALLOWED_SHAPES = re.compile(
    r"<(?:t[dh]\b[^<>]*>\s*<p\b|br\b[^<>]*>\s*<(?:" + "|".join(sorted(_BLOCKS)) + r")\b)", re.IGNORECASE)


def has_office_shapes(html: str, tags: Iterable[str] | None = None) -> bool:
    """Whether :func:`normalize_office` may rewrite ``html`` though it holds only allowed markup.

    ``tags``: the distinct tag candidates of ``html`` (``"<p>"``, ``"<td class=x>"``), when
    known: without a cell or a line break the scan is not needed (a 1,000-paragraph body's
    0.17 ms)."""
    if "MsoFootnoteReference" in html or "MsoEndnoteReference" in html:
        return True
    if tags is not None and not any(tag[1:3].lower() in ("td", "th", "br") for tag in tags):
        return False
    return _ALLOWED_SHAPES.search(html) is not None


def normalize_office(root: lxml.html.HtmlElement) -> int:
    """Rewrite Word's fake lists, in-document links, cell paragraphs and line breaks before
    a block under ``root``; how many were rewritten."""
    return (_numbered_headings(root) + _lists(root) + _spacing_runs(root) + _note_references(root)
            + _local_links(root) + _cell_paragraphs(root) + _breaks_before_blocks(root) + _disclosures(root)
            + _aside_pull_quotes(root))


def _numbered_headings(root: lxml.html.HtmlElement) -> int:
    """Word numbers a heading as it numbers a list (``mso-list`` and a fake marker in
    ``<h1>``..``<h6>``): the number is part of the heading ("1. Background"), its no-break
    spaces one space. A body's ``<h1>`` is a subhead, ``<h2>``: the story's headline is the
    email's one h1 (the allowlist removed the tag, leaving its text loose)."""
    changed = 0
    for heading in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        if _MSO_LIST.search(heading.get("style", "")) and (marker := _marker(heading)):
            heading.text = f"{marker} {(heading.text or '').lstrip()}"
            changed += 1
        if heading.tag == "h1":
            heading.tag = "h2"
            changed += 1
    return changed


_SPACING = re.compile(r"mso-(?:spacerun|tab-count)\s*:", re.IGNORECASE)


def _spacing_runs(root: lxml.html.HtmlElement) -> int:
    """Word keeps a run of spaces as ``<span style='mso-spacerun:yes'>&nbsp;&nbsp; </span>`` and a
    tab as a ``mso-tab-count`` span of no-break spaces: in an email each is one space."""
    # spaces only, and no element (an image has no text): nothing but spacing is ever lost
    runs = [el for el in root.iter("span") if _SPACING.search(el.get("style", ""))
            and not el.text_content().strip("\xa0 \t\r\n") and not _holds_elements(el)]
    for span in runs:
        span.text = " "
        for child in list(span):
            span.remove(child)
    return len(runs)


def _holds_elements(el: lxml.html.HtmlElement, allowed: frozenset[str] = frozenset()) -> bool:
    """Whether ``el`` holds an element other than ``allowed`` ones (comments aside)."""
    return any(isinstance(d.tag, str) and d.tag not in allowed for d in el.iterdescendants())


def _disclosures(root: lxml.html.HtmlElement) -> int:
    """``<details><summary>`` (Notion's toggle, a Substack or Ghost box): no email client opens
    one, so it is shown open, its summary a bold paragraph; the allowlist removed both tags,
    leaving the summary loose text run into what followed, with two warnings."""
    found = list(root.iter("details"))
    for summary in [el for d in found for el in d.iterchildren("summary")]:
        summary.tag = "strong"
        paragraph = summary.makeelement("p", {})
        summary.addprevious(paragraph)
        paragraph.append(summary)  # moves it, with its tail: the tail stays after the paragraph
        paragraph.tail, summary.tail = summary.tail, None
    for details in found:
        details.tag = "div"
    return len(found)


def _aside_pull_quotes(root: lxml.html.HtmlElement) -> int:
    """An ``<aside>`` classed as a pull quote (``pullquote``, ``pull-quote``, Medium's
    ``graf--pullquote``) is one: the templates style ``blockquote.pullquote``. Unstyled, it
    read as one more paragraph of the story, repeating a line of it."""
    asides = [el for el in root.iter("aside") if re.search(r"pull-?quote", el.get("class", ""), re.IGNORECASE)]
    for aside in asides:
        aside.tag = "blockquote"
        aside.set("class", "pullquote")
    return len(asides)


_NOTE_REFERENCE = re.compile(r"\bMso(?:Footnote|Endnote)Reference\b")
_BRACKETED = re.compile(r"\[(\w{1,8})\]")
_NOTE_WRAPPERS = frozenset({"span", "sup", "b", "i", "font"})


def _note_references(root: lxml.html.HtmlElement) -> int:
    """Word's footnote and endnote numbers as the superscripts Word shows: its HTML gives them as
    ``<span class=MsoFootnoteReference>[1]</span>`` (the brackets a fallback for browsers,
    the superscript in a style sheet a CMS does not keep), which the text part read as a
    reference to the first of its own numbered links."""
    # a number in (Word's nested) spans only: a span holding an image or a link is left whole
    outermost = [el for el in root.iter("span") if _NOTE_REFERENCE.search(el.get("class", ""))
                 and not any(_NOTE_REFERENCE.search(a.get("class", "")) for a in el.iterancestors("span"))
                 and not _holds_elements(el, _NOTE_WRAPPERS)]
    for el in outermost:
        text = el.text_content().strip()
        sup = el.makeelement("sup", {})
        sup.text = m.group(1) if (m := _BRACKETED.fullmatch(text)) else text
        sup.tail = el.tail
        el.getparent().replace(el, sup)
    return len(outermost)


def _cell_paragraphs(root: lxml.html.HtmlElement) -> int:
    """A table cell holding one paragraph holds its content: Word (``<p class=MsoNormal>``) and
    Google Docs (``<p dir="ltr">``) wrap every cell's text in one, and each cell then had a
    paragraph's bottom margin, a table of tall, unevenly padded rows."""
    changed = 0
    for cell in root.iter("td", "th"):
        if len(cell) == 1 and cell[0].tag == "p" and not (cell.text or "").strip() and not (cell[0].tail or "").strip():
            cell[0].drop_tag()
            changed += 1
    return changed


def _breaks_before_blocks(root: lxml.html.HtmlElement) -> int:
    """A ``<br>`` followed by a block (only white space between) breaks nothing and adds an
    empty line: Word's footnote separator is ``<br clear=all><hr>``."""
    breaks = [br for br in root.iter("br") if not (br.tail or "").strip()
              and (after := br.getnext()) is not None and after.tag in _BLOCKS]
    for br in breaks:
        br.drop_tree()
    return len(breaks)


def _conditional_marker(p: lxml.html.HtmlElement) -> str | None:
    """The text between ``<!--[if !supportLists]-->`` and its ``<!--[endif]-->`` in ``p``, removed
    (Word's clipboard does not always style the marker ``mso-list:Ignore``); None when there is none."""
    for start in p.iter(lxml.etree.Comment):
        if "supportLists" not in (start.text or "") or not (start.text or "").lstrip().startswith("[if"):
            continue
        between = []
        for sibling in start.itersiblings():
            if sibling.tag is lxml.etree.Comment and "endif" in (sibling.text or ""):
                break
            between.append(sibling)
        else:
            return None  # no end: the rest of the paragraph is the item, not its marker
        marker = (start.tail or "") + "".join(el.text_content() + (el.tail or "") if isinstance(el.tag, str)
                                              else el.tail or "" for el in between)
        start.tail = None
        for el in between:
            el.getparent().remove(el)  # with its tail: the marker's spaces
        return marker.strip("\xa0 \t\r\n")
    return None


def _marker(p: lxml.html.HtmlElement) -> str:
    """The fake marker of a Word list paragraph, removed from it ("" when it has none)."""
    marker = _conditional_marker(p)
    if marker:  # the marker, its mso-list:Ignore span inside: removed with it
        return marker
    # else the first mso-list:Ignore span is the marker; a later one's words are the item's
    span = next((el for el in p.iterdescendants() if isinstance(el.tag, str) and _MSO_IGNORE.search(el.get("style", ""))),
                None)
    if span is None:
        return ""
    marker = span.text_content().strip("\xa0 \t\r\n")
    span.drop_tree()  # keeps its tail: the item's text
    return marker


def _lists(root: lxml.html.HtmlElement) -> int:
    paragraphs = [p for p in root.iter("p") if _MSO_LIST.search(p.get("style", ""))]
    top: lxml.html.HtmlElement | None = None  # the list the previous paragraph went into
    stack: list[tuple[int, lxml.html.HtmlElement]] = []  # (level, list element), outermost first
    for p in paragraphs:
        m = _MSO_LIST.search(p.get("style", ""))
        assert m is not None
        level = int(m.group(2))
        previous = p.getprevious()
        # a run of list paragraphs, siblings with nothing but white space between them, is one list
        if top is None or previous is not top or (top.tail or "").strip():
            top, stack = None, []
        marker = _marker(p)
        ordered = _ORDERED.fullmatch(marker) is not None
        while stack and stack[-1][0] > level:
            stack.pop()
        if not stack or stack[-1][0] < level or (stack[-1][1].tag == "ol") != ordered:
            if stack and stack[-1][0] == level:  # a bullet list after a numbered one: a new list
                stack.pop()
            lst = p.makeelement("ol" if ordered else "ul", {})
            number = _ORDERED.fullmatch(marker)
            if number and number.group(1).isdigit() and int(number.group(1)) != 1:
                lst.set("start", number.group(1))
            if stack and len(stack[-1][1]):
                stack[-1][1][-1].append(lst)  # a deeper level: inside the last item
            elif stack:
                stack[-1][1].append(lst)
            else:
                p.addprevious(lst)
                top = lst
            stack.append((level, lst))
        item = p.makeelement("li", {})
        item.text = (p.text or "").lstrip("\xa0 \t\r\n") or None
        item.extend(list(p))
        stack[-1][1].append(item)
        if top is not None and p.getparent() is not None:
            top.tail = p.tail
            p.getparent().remove(p)
    return len(paragraphs)


def _local_links(root: lxml.html.HtmlElement) -> int:
    anchors = {el.get(name) for el in root.iter() if isinstance(el.tag, str)
               for name in ("name", "id") if el.get(name)}
    local = [a for a in root.iter("a") if (href := a.get("href", "").strip()).startswith("#") and href[1:] in anchors]
    for a in local:
        a.drop_tag()  # keeps its text and children
    return len(local)
