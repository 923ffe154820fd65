"""Adapter: every html2text internal mailkit relies on, and nowhere else.

* ``Converter.o``: html2text's output method, overridden to collapse a text
  run's whitespace with ``str.split`` (it reads ``pre``, ``quiet``,
  ``abbr_data``, ``google_doc`` and sets ``space``, html2text's state).
* ``Converter.text_run``: ``handle_data(data, entity_char=True)`` and ``o`` in
  one call in the usual state (it reads and sets the state ``o`` does, and
  ``stressed``, ``preceding_stressed``, ``style``, ``startpre``, ``a``,
  ``links_each_paragraph``, ``br_toggle``, ``outcount``, ``out``).
* ``Converter.paragraph_run``: ``text_run`` and :func:`plain_tag` over a run of
  paragraphs without children at once (it reads the state ``text_run`` does and
  ``astack``, ``split_next_td``, ``tag_callback``, ``out``, ``blockquote``; sets
  ``p_p``, ``space``, ``br_toggle``, ``outcount``, ``lastWasNL``, ``preceding_data``,
  ``current_tag``, ``lastWasList``, and appends to ``outtextlist``, as ``outtextf`` does).
* :func:`convert`: html2text's HTMLParser handlers (``handle_starttag``,
  ``handle_data(data, entity_char=True)``, ``handle_endtag``) fed from an lxml
  tree, then ``optwrap(finish())``, instead of ``handle(html)``; for a tag
  ``handle_tag`` does not act on (and a plain ``<p>``, ``<div>``),
  :func:`plain_tag` sets the state it would set (``current_tag``,
  ``lastWasList``, ``p()``; reading ``astack``, ``split_next_td``,
  ``maybe_automatic_link``, ``tag_callback``, ``google_doc``).

tests/test_adapters.py fails, loudly, when an upgrade moves any of this.
"""

from __future__ import annotations

from itertools import chain, compress, repeat
from operator import add, itemgetter, mul, not_

import html2text
import lxml.html

__all__ = ["ACTED_ON", "Converter", "collapse_spaces", "convert", "converter", "plain_tag"]

_LAST = itemgetter(-1)


def collapse_spaces(data: str) -> str:
    """``re.sub(r"\\s+", " ", data)``, in a fifth of the time (equality is tested).

    ``\\s`` in a str pattern and ``str.split()`` both break on exactly the
    characters ``str.isspace()`` accepts; only the ends need care.
    """
    core = " ".join(data.split())
    if not core:
        return " " if data else ""
    if data[0].isspace():
        core = " " + core
    if data[-1].isspace():
        core += " "
    return core


class Converter(html2text.HTML2Text):
    """html2text with its per-text-run whitespace collapse done by str.split.

    ``o(data, puredata=True)`` runs ``re.sub(r"\\s+", " ", data)`` over every
    text run: a regex trying a class at each character, 8 ms of a 1,000-paragraph
    alert's 45 ms render (issue 17: the cost per paragraph). Collapsed here, the
    run goes on as not pure data, which skips exactly that step: html2text's
    own code for it is the three lines below. Runs that would take another
    path first (inside <pre>, an <abbr>, quiet, Google Docs mode) are left
    to html2text as they are.
    """

    def o(self, data: str, puredata: bool = False, force: bool | str = False) -> None:
        if not puredata or self.pre or self.quiet or self.abbr_data is not None or self.google_doc:
            return super().o(data, puredata, force)
        data = collapse_spaces(data)
        if data and data[0] == " ":
            self.space = True
            data = data[1:]
        return super().o(data, False, force)


    def text_run(self, data: str) -> None:
        """``handle_data(data, entity_char=True)``: in the usual state, what it and ``o`` do, in one call.

        The usual state: no emphasis just closed, no ``<style>``, link, ``<pre>``,
        ``<abbr>``, quiet part or Google Doc, no link list written per paragraph.
        There html2text's handle_data sets ``preceding_data`` and calls ``o``,
        which writes the pending line breaks, the pending space and the run: the
        lines below (html2text 2025.4.15). Three Python calls a text run became
        one. Pinned
        against handle_data itself in every state (tests/test_adapters.py);
        measured 3.75 -> 3.35 ms for convert() at 1,000 paragraphs.
        """
        if (not data or self.stressed or self.preceding_stressed or self.style or self.maybe_automatic_link is not None
                or self.pre or self.startpre or self.quiet or self.abbr_data is not None or self.google_doc
                or (self.a and self.links_each_paragraph)):
            return self.handle_data(data, True)
        self.preceding_data = data
        data = collapse_spaces(data)
        if data[0] == " ":
            self.space = True
            data = data[1:]
            if not data:
                return None
        if self.start:
            self.space = False
            self.p_p = 0
            self.start = False
        if self.p_p:
            self.out((self.br_toggle + "\n" + (">" * self.blockquote + " " if self.blockquote else "")) * self.p_p)
            self.space = False
            self.br_toggle = ""
        if self.space:
            if not self.lastWasNL:
                self.out(" ")
            self.space = False
        self.p_p = 0
        self.out(data)
        self.outcount += 1
        return None

    def plain_run_state(self) -> bool:
        """Whether :meth:`paragraph_run` may stand for walking the paragraphs one by one: the usual
        state of :meth:`text_run` and :func:`plain_tag`, past the document's first text, writing to
        ``outtextlist``. A run of paragraphs leaves it so (it only sets ``p_p``, ``space``,
        ``br_toggle``, ``outcount``, ``lastWasNL``, ``preceding_data``, ``current_tag``, ``lastWasList``)."""
        return not (self.start or self.stressed or self.preceding_stressed or self.style
                    or self.maybe_automatic_link is not None or self.pre or self.startpre or self.quiet
                    or self.abbr_data is not None or self.google_doc or (self.a and self.links_each_paragraph)
                    or self.tag_callback is not None or self.astack or self.split_next_td
                    or self.out != self.outtextf)

    def paragraph_run(self, tag: str, texts: list[str | None], tails: list[str | None], backslash: str) -> None:
        """What :func:`convert` does for sibling ``tag`` elements (``<p>`` or ``<div>``) without children,
        given their texts and tails, in :meth:`plain_run_state`: for each, :func:`plain_tag` (``p()``),
        :meth:`text_run` of its text, :func:`plain_tag` again, :meth:`text_run` of its tail; here
        with no Python call a paragraph.

        Every text and tail meets ``p_p == 2`` (each ``p()`` sets it, only a written run clears it),
        so each one with words is written after ``(br_toggle + "\n" + quote) * 2`` (``br_toggle``
        only before the first) and the rest only set ``space``. convert at 1,000 paragraphs 2.7 ->
        1.6 ms, 1.15 with :func:`_collapsed_words`; equal to the element by element walk
        (tests/test_speed.py).
        """
        self.current_tag = tag
        self.lastWasList = False
        self.p_p = 2
        pieces = list(filter(None, chain.from_iterable(zip(texts, tails, strict=True))))  # text_run is not called for ""
        if not pieces:
            return
        pieces = list(map(str.replace, pieces, repeat("\\"), repeat(backslash)))
        self.preceding_data = pieces[-1]
        self.space = pieces[-1].isspace()  # a piece of spaces only sets it; a written one clears it
        words = _collapsed_words(pieces)
        if not words:
            return
        quote = ">" * self.blockquote + " " if self.blockquote else ""
        breaks = [("\n" + quote) * 2] * len(words)
        breaks[0] = (self.br_toggle + "\n" + quote) * 2
        self.br_toggle = ""
        self.outtextlist += chain.from_iterable(zip(breaks, words, strict=True))
        self.lastWasNL = False  # a written piece ends in a word or " "
        self.outcount += len(words)
        last_tail = tails[-1]
        if last_tail and not last_tail.isspace():  # the last tail was written after the last p()
            self.p_p = 0


_ASCII_OTHER_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"  # str.isspace() in ASCII, " " aside


def _collapsed_words(pieces: list[str]) -> list[str]:
    """For each piece with words in it, what :meth:`Converter.text_run` writes of it:
    ``collapse_spaces(piece)`` less its leading space (the words, single-spaced, and " "
    after them if the piece ends in a space).

    Pieces whose only whitespace is single " " need no collapsing: told so for all of
    them at once (every whitespace character but " " is one str.isprintable() refuses,
    or in ASCII one of nine), each is written less its leading " ". Splitting every piece
    into words was 0.85 ms of 214 KB of text, this 0.05 when it is ASCII, 0.4 when not.
    Equal to collapse_spaces (tests/test_speed.py).
    """
    words = list(compress(pieces, map(not_, map(str.isspace, pieces))))
    joined = "x".join(words)  # a letter between pieces: two pieces' spaces make no "  " (that only costs the split)
    if "  " not in joined and (not any(c in joined for c in _ASCII_OTHER_SPACES) if joined.isascii()
                               else joined.isprintable()):
        return list(map(str.removeprefix, words, repeat(" ")))
    cores = list(map(" ".join, map(str.split, words)))
    return list(map(add, cores, map(mul, map(str.isspace, map(_LAST, words)), repeat(" "))))


def converter() -> Converter:
    """mailkit's html2text: no wrapping, links, images, emphasis or tables (the text stage lays those out)."""
    h = Converter()
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
# (html2text's handle_data(data, entity_char) skips it for an entity's text.)
# Text runs are fed with handle_data(data, entity_char=True), which skips that
# escaping (escape_md_section: four regex passes per run, a tenth of the text
# stage). As a guard for any escape it still adds, backslashes in the content
# are swapped for this render's backslash marker first, so every backslash it
# returns is its own ("\\." "\\+" "\\-"): those are dropped and the marker
# turned back into a backslash. An exact round trip. (The marker was U+FFFF,
# refused in fields but not in a template's text, nor as &#xffff; in a body.)
_VOID = frozenset({"br", "hr", "img", "wbr", "input", "meta", "link", "area", "col", "source"})


# The tags html2text's handle_tag acts on (html2text 2025.4.15). For any other
# tag, and for <p> and <div> outside a Google Doc, a link or a table cell, it
# only notes the tag and ends a run of lists (and a <p> or <div> asks for a
# paragraph break); convert() does just that for them, without the forty-odd
# tests of handle_tag and the dict of attributes handle_starttag builds: saves
# about 1.5 ms of the text stage's 10 at 1,000 paragraphs. Only while
# html2text could not act on anything else either: no tag callback, no Google
# Doc, no link waiting for its text. tests/test_adapters.py pins the effects
# against handle_tag itself for every tag a body or template may hold.
ACTED_ON = frozenset({*(f"h{n}" for n in range(1, 10)), "p", "div", "br", "hr", "head", "style", "script", "body",
                      "blockquote", "em", "i", "u", "strong", "b", "del", "strike", "s", "kbd", "code", "tt", "abbr",
                      "q", "a", "img", "dl", "dt", "dd", "ol", "ul", "li", "table", "tr", "td", "th", "pre", "sup",
                      "sub"})
_BLOCKS = frozenset({"p", "div"})
# at most this many paragraphs are walked one by one: Converter.paragraph_run's setup costs more
_SHORT_RUN = 3


def plain_tag(h: Converter, tag: str) -> bool:
    """What ``h.handle_tag(tag, attrs, start)`` does for a tag it does not act on (or a plain <p> or <div>);
    False (nothing done) when the full handler is needed."""
    if h.maybe_automatic_link is not None or h.tag_callback is not None or h.google_doc:
        return False
    if tag in _BLOCKS:
        if not h.astack and not h.split_next_td:
            h.p()
    elif tag in ACTED_ON:
        return False
    h.current_tag = tag
    h.lastWasList = False
    return True


def convert(body: lxml.html.HtmlElement, backslash: str) -> str:
    """html2text over an lxml tree: its HTMLParser handlers fed from the tree.

    The same events ``HTML2Text.handle(html)`` gets from its own (pure
    Python) tokeniser, without serialising the tree and tokenising it again:
    a third of the text stage. Equality with ``handle()`` is tested on every
    rendered template (tests/test_text.py). ``backslash``: the render's
    marker that stands for a backslash of the content (see above).
    """
    h = converter()
    h.start = True  # what handle() sets before feeding its parser

    def walk(el: lxml.html.HtmlElement) -> None:
        tag = el.tag
        if not plain_tag(h, tag):
            h.handle_starttag(tag, list(el.attrib.items()))
        if el.text:
            h.text_run(el.text.replace("\\", backslash))
        # sibling paragraphs without children, of one tag, in plain_run_state: their texts and
        # tails, not the elements (a thousand element proxies alive at once are a thousand objects
        # for the garbage collector to count: a collection more a render)
        run_tag = None
        texts: list[str | None] = []
        tails: list[str | None] = []
        for child in el:
            child_tag = child.tag
            if child_tag in _BLOCKS and not len(child):
                if child_tag == run_tag:
                    texts.append(child.text)
                    tails.append(child.tail)
                    continue
                if run_tag is not None:
                    paragraphs(run_tag, texts, tails)
                run_tag = None
                # the state does not change until the run ends: told once, at its start
                if h.plain_run_state():
                    run_tag, texts, tails = child_tag, [child.text], [child.tail]
                    continue
            elif run_tag is not None:
                paragraphs(run_tag, texts, tails)
                run_tag = None
            walk(child)
            if child.tail:
                h.text_run(child.tail.replace("\\", backslash))
        if run_tag is not None:
            paragraphs(run_tag, texts, tails)
        if tag not in _VOID and not plain_tag(h, tag):  # HTMLParser reports no end tag for a void element
            h.handle_endtag(tag)

    def paragraphs(tag: str, texts: list[str | None], tails: list[str | None]) -> None:
        if len(texts) > _SHORT_RUN:
            h.paragraph_run(tag, texts, tails, backslash)
            return
        # a few paragraphs: what walk() does for each in plain_run_state (where plain_tag acts),
        # without the run's setup
        for text, tail in zip(texts, tails, strict=True):
            plain_tag(h, tag)
            if text:
                h.text_run(text.replace("\\", backslash))
            plain_tag(h, tag)
            if tail:
                h.text_run(tail.replace("\\", backslash))

    walk(body)
    return h.optwrap(h.finish())
