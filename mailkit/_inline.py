"""Stage 3, inline: CSS from ``<style>`` into ``style=""`` attributes.

Engines behind one small interface, :class:`InlineEngine`, run by
:func:`inline_document`: :class:`PremailerEngine` (the default, ``"premailer"``)
and, with ``pip install mailkit[fast]``, :class:`CssInlineEngine`
(``"css-inline"``, Rust, about 3x faster); any object with a ``name`` and an
``inline(html, options)`` method is a third. Both run offline, keep
``<style>`` with its media queries and ``!important``, and leave MJML's
reset CSS out of the ``style`` attributes. What premailer's internals
mailkit relies on lives in :mod:`mailkit._premailer`, cssutils' in
:mod:`mailkit._cssutils`.

Gmail's app with non-Google accounts and many webmail clients drop or ignore
``<style>``; inlined styles survive. MJML's responsive media queries and its
``!important`` must survive too, or columns never stack on phones.
"""

from __future__ import annotations

import functools
import secrets
import threading
from dataclasses import dataclass
from typing import Any, Literal, Protocol, get_args, runtime_checkable

import lxml.etree

from . import _premailer
from ._errors import InliningError, MailkitError, shown

__all__ = ["CssInlineEngine", "InlineEngine", "InlineOptions", "Inliner", "PremailerEngine", "html_tostring",
           "inline_css", "inline_document", "inline_engine", "inline_tree", "parse_html"]

# the engines known by name ("premailer" is the default; "css-inline" needs mailkit[fast])
Inliner = Literal["premailer", "css-inline"]
INLINERS: tuple[str, ...] = get_args(Inliner)


@dataclass(frozen=True, kw_only=True)
class InlineOptions:
    """Options for the inline stage, given to every engine (premailer's other knobs are fixed in
    :func:`mailkit._premailer.transform`, css-inline's in ``_css_inliner`` below)."""

    keep_style_tags: bool = True
    remove_classes: bool = False


# MJML's reset block (table, td { border-collapse ... }, img { ... }) is for
# clients that read <style>; inlining it adds ~70 bytes to every table cell
# and pushes a digest past Gmail's 102 KB clip. premailer skips a style block
# marked data-premailer="ignore" and keeps it in the head.
_MJML_RESET = '<style type="text/css">\n#outlook a'


class _Parser(threading.local):
    """The HTML parser, one per thread (an lxml parser must not be used by two threads at once)."""

    def __init__(self) -> None:
        # kept, not made anew for each document: its libxml2 parser context is set up once
        # (a breaking alert's parse 126 -> 120 us)
        self.parser = lxml.etree.HTMLParser()


_PARSER = _Parser()


def parse_html(html: str) -> Any:
    """Parse MJML's output as premailer would, MJML's reset CSS marked to be left alone."""
    html = html.replace(_MJML_RESET, '<style type="text/css" data-premailer="ignore">\n#outlook a', 1)
    try:
        root = lxml.etree.fromstring(html.strip(), _PARSER.parser)
    except (lxml.etree.LxmlError, ValueError) as err:
        raise InliningError(f"cannot parse the compiled HTML: {err}") from err
    if root is None:  # libxml2's HTML parser gives no document, not an error, for "" or a lone comment
        what = "is empty" if not html.strip() else f"holds no element ({len(html)} characters)"
        raise InliningError(f"the compiled HTML {what}: nothing to parse, nothing to inline")
    return root


# libxml2's HTML serialiser writes the "<!--...-->" in an attribute value
# unescaped (its special case for server-side includes, in xmlEscapeText;
# Nokogiri patches it out, "0002-Update-entities-to-remove-handling-of-ssi",
# after loofah's CVE-2018-8048): a headline "<!--[if mso]><script>...<![endif]-->"
# reached the HTML as raw markup in the page's aria-label, an image's alt, a
# table's data-label. Pinned in tests/test_hostile_probe.py.
_SSI_OWNERS = lxml.etree.XPath("//@*[contains(., '<!--')]/..")


def comment_openings(texts: list[str]) -> int:
    """``sum(f"<!--{text}-->".count("<!--") for text in texts)``: the "<!--" lxml writes for comments of these texts.

    Counted in one C pass over the comments written one after another: an
    occurrence cannot span two of them, as it would hold the first one's
    closing ">" (a breaking alert's 44 comments: 14 -> 9 us; equal, tests/test_inliners.py).
    """
    return f"<!--{'--><!--'.join(texts)}-->".count("<!--") if texts else 0


def html_tostring(root: Any) -> str:
    """``lxml.etree.tostring(root, method="html")``, with every ``<`` of an attribute value escaped."""
    html = lxml.etree.tostring(root, method="html", pretty_print=False, encoding="unicode")
    # "<!--" in the HTML comes from the comments (each written "<!--" + text + "-->"),
    # and from attribute values, raw text (<style>) and processing instructions, each
    # at least none: when the comments account for all of them, no attribute holds one.
    # A count of the written HTML and a walk over the comments take about a third of the
    # XPath over every attribute below (digest of 60 stories: 280 -> 95 us).
    if html.count("<!--") == comment_openings([c.text or "" for c in root.iter(lxml.etree.Comment)]):
        return html
    owners: list[Any] = list(_SSI_OWNERS(root))  # type: ignore[arg-type]
    if not owners:
        return html
    # the "<" of "<!--" goes out as a nonce no content can hold, then as &lt;;
    # the tree is put back as it was (the text stage reads it next)
    nonce = "mk" + secrets.token_hex(16)
    saved = [(el, dict(el.attrib)) for el in owners]
    try:
        for el, attrib in saved:
            for name, value in attrib.items():
                if "<!--" in value:
                    el.set(name, value.replace("<!--", nonce + "!--"))
        return lxml.etree.tostring(root, method="html", pretty_print=False, encoding="unicode").replace(nonce, "&lt;")
    finally:
        for el, attrib in saved:
            for name, value in attrib.items():
                el.set(name, value)


def inline_tree(root: Any, options: InlineOptions = InlineOptions()) -> str:
    """Inline CSS into the parsed document ``root`` (changed in place) with premailer and return it serialised.

    Offline; keeps ``<style>`` (media queries, dark mode), ``!important`` and the doctype.
    """
    return _PREMAILER.inline_tree(root, options)


# a mostly-Latin email whose non-Latin-1 characters would take more than this
# share of its length again as references is left as it is (Arabic, CJK ...)
_NARROW_AT_MOST = 1 / 20


def narrow(html: str) -> str:
    """``html`` with characters beyond U+00FF written as numeric character
    references (``’`` -> ``&#8217;``) outside ``<style>``, when they are few.

    A handful of curly quotes and the preheader's U+034F/U+200C filler make
    CPython store a whole email at two bytes a character; as references the
    HTML stays one byte a character, so every personalised copy of it costs half
    (the copy is most of ``personalize()``) and a prepared email half the memory.
    Every client decodes references (the preheader filler is usually written
    ``&#847;&zwnj;`` anyway). CSS does not decode them, so ``<style>`` is left
    alone; a script that is mostly beyond Latin-1 is left as UTF-8, where it is
    smaller and readable in snapshot diffs.
    """
    if html.isascii():
        return html
    pieces: list[str] = []
    pos = extra = 0
    # lxml writes tag names in lower case
    while (start := html.find("<style", pos)) != -1 and (end := html.find("</style>", start)) != -1:
        piece = html[pos:start].encode("latin-1", "xmlcharrefreplace").decode("latin-1")
        extra += len(piece) - (start - pos)
        pieces += (piece, html[start:end])
        pos = end
    piece = html[pos:].encode("latin-1", "xmlcharrefreplace").decode("latin-1")
    extra += len(piece) - (len(html) - pos)
    pieces.append(piece)
    return "".join(pieces) if extra <= len(html) * _NARROW_AT_MOST else html


def inline_css(html: str, options: InlineOptions = InlineOptions()) -> str:
    """Inline CSS offline; keep ``<style>`` (media queries, dark mode), ``!important`` and the doctype."""
    return inline_tree(parse_html(html), options)


def inline_document(html: str, inliner: str | InlineEngine = "premailer",
                    options: InlineOptions = InlineOptions()) -> tuple[str, Any]:
    """MJML's output ``html`` with its CSS inlined by ``inliner``, and the inlined document parsed by lxml.

    ``inliner`` is an engine's name (``"premailer"``, ``"css-inline"``) or an
    :class:`InlineEngine`. The parsed document feeds the text stage, which
    reads the inlined styles (``display:none`` hides an element from the plain
    text too).
    """
    engine = inline_engine(inliner)
    try:
        result = engine.inline(html, options)
    except MailkitError:
        raise
    except Exception as err:  # a third-party engine may raise anything
        raise InliningError(f"the {engine.name!r} inliner failed: {type(err).__name__}: {err}") from err
    if (not isinstance(result, tuple) or len(result) != 2 or not isinstance(result[0], str)
            or not lxml.etree.iselement(result[1])):
        raise InliningError(f"the {engine.name!r} inliner returned {type(result).__name__}, "
                            "not (html, the parsed document as an lxml element)")
    return result


# css-inline skips a <style> marked data-css-inline="ignore" and keeps it as it is
_CSS_INLINE_RESET = '<style type="text/css" data-css-inline="ignore">\n#outlook a'


@functools.cache
def _css_inliner(keep_style_tags: bool) -> Any:
    try:
        import css_inline
    except ImportError as err:
        raise InliningError("the css-inline engine is not installed: pip install 'mailkit[fast]'") from err
    # every knob mailkit relies on spelled out: no network, no <link> loaded,
    # no width/height attributes copied from CSS (MRML writes the ones Outlook needs)
    return css_inline.CSSInliner(
        inline_style_tags=True,
        keep_style_tags=keep_style_tags,
        keep_link_tags=True,
        keep_at_rules=True,
        minify_css=False,
        base_url=None,
        load_remote_stylesheets=False,
        extra_css=None,
        remove_inlined_selectors=False,
        apply_width_attributes=False,
        apply_height_attributes=False,
    )


def _css_inline(html: str, options: InlineOptions) -> str:
    if options.remove_classes:
        raise InliningError("the css-inline engine cannot remove classes: use inliner='premailer'")
    inliner = _css_inliner(options.keep_style_tags)
    html = html.strip().replace(_MJML_RESET, _CSS_INLINE_RESET, 1)
    try:
        result: str = inliner.inline(html)
    except Exception as err:
        raise InliningError(f"CSS inlining failed: {type(err).__name__}: {err}") from err
    # the marker has done its work (premailer drops its own the same way)
    result = result.replace(' data-css-inline="ignore"', "", 1)
    # the same doctype line as the premailer engine writes
    if result[:15].lower() == "<!doctype html>":
        result = result[15:].lstrip("\n")
    return "<!doctype html>\n" + narrow(result)


# -- the engines --------------------------------------------------------------------------------

@runtime_checkable
class InlineEngine(Protocol):
    """A CSS inliner: what :func:`inline_document` (and so ``render``) runs.

    ``inline(html, options)`` takes MJML's compiled HTML and returns the
    email's HTML, starting ``<!doctype html>``, with its CSS in ``style``
    attributes, and that document parsed by lxml (``lxml.html`` or
    ``lxml.etree.HTMLParser``), which the text stage then takes apart. It must
    load nothing from the network. ``name`` names it in errors.

    >>> class Verbatim:                                    # doctest: +SKIP
    ...     name = "verbatim"
    ...     def inline(self, html, options):
    ...         return html, parse_html(html)
    >>> mailkit.render("breaking", edition, RenderOptions(inliner=Verbatim()))  # doctest: +SKIP
    """

    name: str

    def inline(self, html: str, options: InlineOptions) -> tuple[str, Any]:
        """``html`` with its CSS inlined, and that document parsed by lxml."""
        ...


class PremailerEngine:
    """premailer (the default engine), with mailkit's fixed knobs; holds its own memo of parsed ``<style>`` blocks."""

    name: str = "premailer"

    def __init__(self) -> None:
        self._rules = _premailer.StyleRules()

    def inline(self, html: str, options: InlineOptions) -> tuple[str, Any]:
        """MJML's output ``html`` inlined, and the inlined document."""
        tree = parse_html(html)
        return self.inline_tree(tree, options), tree

    def inline_tree(self, root: Any, options: InlineOptions) -> str:
        """Inline CSS into the parsed document ``root`` (changed in place) and return it serialised."""
        try:
            _premailer.transform(root, keep_style_tags=options.keep_style_tags,
                                 remove_classes=options.remove_classes, rules=self._rules)
            result = html_tostring(root)
        except Exception as err:  # premailer raises bare lxml/cssutils/ValueError types
            raise InliningError(f"CSS inlining failed: {type(err).__name__}: {err}") from err
        # lxml drops MJML's lowercase "<!doctype html>" (peterbe/premailer#156 for
        # premailer's own parse); without it clients render in quirks mode.
        return "<!doctype html>\n" + narrow(result)


class CssInlineEngine:
    """css-inline (Rust, about 3x faster; ``pip install 'mailkit[fast]'``): the same guarantees as premailer."""

    name: str = "css-inline"

    def inline(self, html: str, options: InlineOptions) -> tuple[str, Any]:
        """MJML's output ``html`` inlined, and the inlined document."""
        result = _css_inline(html, options)
        tree = parse_html(result)
        # css-inline's serialiser (html5ever's rules) writes "<" in an attribute
        # value as it is, so a headline "<!--[if mso]><script>..." reached the
        # HTML as raw markup in an aria-label or alt, as libxml2's did (above).
        # Such a document is written by lxml instead, with those "<" escaped.
        if _SSI_OWNERS(tree):
            result = "<!doctype html>\n" + narrow(html_tostring(tree))
        return result, tree


_PREMAILER = PremailerEngine()
_ENGINES: dict[str, InlineEngine] = {"premailer": _PREMAILER, "css-inline": CssInlineEngine()}


def inline_engine(inliner: str | InlineEngine) -> InlineEngine:
    """The engine ``inliner`` names (``"premailer"``, ``"css-inline"``), or ``inliner`` itself if it is one.

    Anything else is an :class:`InliningError` naming the choices.
    """
    if isinstance(inliner, str):
        engine = _ENGINES.get(inliner)
        if engine is None:
            raise InliningError(f"unknown inliner {shown(inliner)}: choose one of {', '.join(INLINERS)}, "
                                "or pass an InlineEngine")
        return engine
    if isinstance(inliner, InlineEngine) and isinstance(getattr(inliner, "name", None), str) \
            and callable(getattr(inliner, "inline", None)):
        return inliner
    raise InliningError(f"unknown inliner {shown(inliner)}: choose one of {', '.join(INLINERS)}, "
                        "or pass an InlineEngine (a 'name' and an inline(html, options) method)")
