"""Stage 3, inline: CSS from ``<style>`` into ``style=""`` attributes.

Two engines behind one function, :func:`inline_document`: premailer (the
default) and, with ``pip install mailkit[fast]``, css-inline (Rust, about 3x
faster). Both run offline, keep ``<style>`` with its media queries and
``!important``, and leave MJML's reset CSS out of the ``style`` attributes.

Gmail's app with non-Google accounts and many webmail clients drop or ignore
``<style>``; inlined styles survive. MJML's responsive media queries and its
``!important`` must survive too, or columns never stack on phones.
"""

from __future__ import annotations

import functools
import importlib.util
import secrets
import sys
import threading
import types
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, get_args

import lxml.etree

from .errors import InliningError

__all__ = ["Inliner", "InlineOptions", "html_tostring", "inline_css", "inline_document", "inline_tree", "parse_html"]

Inliner = Literal["premailer", "css-inline"]
INLINERS: tuple[str, ...] = get_args(Inliner)


class _DeferredModule(types.ModuleType):
    """Stands in sys.modules for a module until its first attribute is read, then imports it.

    Unlike importlib.util.LazyLoader's module, it keeps a real ``__spec__``:
    on Python 3.11 ``import requests`` reads ``requests.__spec__`` (is it still
    initialising?), which makes LazyLoader's module load at once.
    """

    def __getattr__(self, attr: str) -> Any:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        module = importlib.import_module(name)
        # from now on any holder of this stand-in reads the real module's names
        self.__dict__.update(module.__dict__)
        return getattr(module, attr)


def _defer_requests() -> None:
    """Let premailer's ``import requests`` cost nothing until requests is used.

    premailer imports requests at the top of premailer.premailer for its
    network mode, which mailkit never turns on (allow_network=False): 30-60 ms
    of every cold CLI run (urllib3, http.client, charset detection). premailer
    only stores the module (``self.session = session or requests``), so a
    stand-in that imports the real requests on first use is enough, and
    premailer is not patched. Any other user of requests in the process gets
    the real module: through the stand-in on its first attribute, directly
    after that. Pinned in tests/test_inliners.py.
    """
    if "requests" in sys.modules:
        return
    spec = importlib.util.find_spec("requests")
    if spec is None:
        return
    stand_in = _DeferredModule("requests")
    stand_in.__spec__ = spec
    stand_in.__file__ = spec.origin
    sys.modules["requests"] = stand_in


def _fetch_nothing(url: str) -> None:
    """A cssutils fetcher that loads no URL (cssutils then leaves the @import empty)."""
    return None


@functools.cache
def _premailer() -> Any:
    """mailkit's premailer class, imported on first use: a css-inline render never loads premailer or cssutils."""
    import logging

    import cssutils

    _defer_requests()
    import premailer

    # premailer's cssutils_logging_level adds nothing per call when left None; set
    # the level once here so cssutils' warnings about MSO properties (mso-line-height-rule ...)
    # stay quiet without a new handler per render.
    cssutils.log.setLevel(logging.CRITICAL)
    cssutils.ser.prefs.useMinified()

    class _Premailer(premailer.Premailer):
        """premailer with its per-stylesheet work memoised.

        On every transform premailer re-parses each <style> and re-serialises every
        rule's properties through cssutils (about 60% of its time on a digest),
        although a template and theme give the same CSS every time. The result
        depends only on the CSS text, its index and the options below, which are
        fixed for mailkit; with keep_style_tags=True the leftover is unused.
        """

        _rules: ClassVar[OrderedDict[tuple[str, int, bool], Any]] = OrderedDict()
        _lock: ClassVar[threading.Lock] = threading.Lock()

        def _parse_css_string(self, css_body: str, validate: bool = True) -> Any:
            # allow_network=False stops premailer's own fetches, not cssutils':
            # cssutils.parseString loads every @import url(...) with urllib, a
            # request per render to wherever a template's CSS points (found by
            # tests/test_hostile_speed.py). This parser's fetcher loads nothing;
            # the @import stays in <style> for clients, as css-inline leaves it.
            # (mailkit memoises the parsed rules in _parse_style_rules below, so
            # premailer's own parse cache is not needed.)
            return cssutils.CSSParser(fetcher=_fetch_nothing).parseString(css_body, validate=validate)

        def _parse_style_rules(self, css_body: str, ruleset_index: int) -> Any:
            key = (css_body, ruleset_index, self.keep_style_tags)
            with self._lock:
                hit = self._rules.get(key)
                if hit is not None:
                    self._rules.move_to_end(key)
                    return hit
            result = super()._parse_style_rules(css_body, ruleset_index)
            with self._lock:
                self._rules[key] = result
                while len(self._rules) > 256:
                    self._rules.popitem(last=False)
            return result

        def _style_to_basic_html_attributes(self, element: Any, style_content: str, force: bool = False) -> None:
            # It only ever sets align, valign, bgcolor, width and height, and
            # mailkit disables all five (MRML writes the ones Outlook needs): skip
            # re-parsing every inlined style for nothing. Pinned in tests.
            return None

    return _Premailer


# the HTML attributes premailer would copy from inlined CSS: MRML already
# writes the ones Outlook needs, and a copied width="100%" breaks images there
_BASIC_ATTRIBUTES = ("width", "height", "align", "bgcolor", "valign")


@dataclass(frozen=True, kw_only=True)
class InlineOptions:
    """Options for :func:`inline_css`; every premailer knob mailkit uses is spelled out below."""

    keep_style_tags: bool = True
    remove_classes: bool = False


# MJML's reset block (table, td { border-collapse ... }, img { ... }) is for
# clients that read <style>; inlining it adds ~70 bytes to every table cell
# and pushes a digest past Gmail's 102 KB clip. premailer skips a style block
# marked data-premailer="ignore" and keeps it in the head.
_MJML_RESET = '<style type="text/css">\n#outlook a'


def parse_html(html: str) -> Any:
    """Parse MJML's output as premailer would, MJML's reset CSS marked to be left alone."""
    html = html.replace(_MJML_RESET, '<style type="text/css" data-premailer="ignore">\n#outlook a', 1)
    try:
        return lxml.etree.fromstring(html.strip(), lxml.etree.HTMLParser())
    except (lxml.etree.LxmlError, ValueError) as err:
        raise InliningError(f"cannot parse the compiled HTML: {err}") from None


# libxml2's HTML serialiser writes the "<!--...-->" in an attribute value
# unescaped (its special case for server-side includes, in xmlEscapeText;
# Nokogiri patches it out, "0002-Update-entities-to-remove-handling-of-ssi",
# after loofah's CVE-2018-8048): a headline "<!--[if mso]><script>...<![endif]-->"
# reached the HTML as raw markup in the page's aria-label, an image's alt, a
# table's data-label. Pinned in tests/test_hostile_probe.py.
_SSI_OWNERS = lxml.etree.XPath("//@*[contains(., '<!--')]/..")


def html_tostring(root: Any) -> str:
    """``lxml.etree.tostring(root, method="html")``, with every ``<`` of an attribute value escaped."""
    owners: list[Any] = list(_SSI_OWNERS(root))  # type: ignore[arg-type]
    if not owners:
        return lxml.etree.tostring(root, method="html", pretty_print=False, encoding="unicode")
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
    """Inline CSS into the parsed document ``root`` (changed in place) and return it serialised.

    Offline; keeps ``<style>`` (media queries, dark mode), ``!important`` and the doctype.
    """
    try:
        _premailer()(
            base_url=None,
            disable_link_rewrites=True,
            allow_network=False,
            allow_loading_external_files=False,
            external_styles=None,
            # premailer strips !important by default, which breaks MJML's
            # column stacking (.mj-column-per-50 { width:100% !important }).
            strip_important=False,
            keep_style_tags=options.keep_style_tags,
            remove_classes=options.remove_classes,
            exclude_pseudoclasses=True,
            disable_validation=True,
            cache_css_parsing=True,
            disable_basic_attributes=list(_BASIC_ATTRIBUTES),
            align_floating_images=False,
            remove_unset_properties=True,
            method="html",
        ).transform(root, pretty_print=False)
        result = html_tostring(root)
    except Exception as err:  # noqa: BLE001 - premailer raises bare lxml/cssutils/ValueError types
        raise InliningError(f"CSS inlining failed: {type(err).__name__}: {err}") from None
    # lxml drops MJML's lowercase "<!doctype html>" (peterbe/premailer#156 for
    # premailer's own parse); without it clients render in quirks mode.
    return "<!doctype html>\n" + narrow(result)


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


def inline_document(html: str, inliner: str = "premailer", options: InlineOptions = InlineOptions()) -> tuple[str, Any]:
    """MJML's output ``html`` with its CSS inlined by ``inliner``, and the inlined document parsed by lxml.

    The parsed document feeds the text stage, which reads the inlined styles
    (``display:none`` hides an element from the plain text too).
    """
    if inliner == "premailer":
        tree = parse_html(html)
        return inline_tree(tree, options), tree
    if inliner == "css-inline":
        result = _css_inline(html, options)
        tree = parse_html(result)
        # css-inline's serialiser (html5ever's rules) writes "<" in an attribute
        # value as it is, so a headline "<!--[if mso]><script>..." reached the
        # HTML as raw markup in an aria-label or alt, as libxml2's did (above).
        # Such a document is written by lxml instead, with those "<" escaped.
        if _SSI_OWNERS(tree):
            result = "<!doctype html>\n" + narrow(html_tostring(tree))
        return result, tree
    raise InliningError(f"unknown inliner {inliner!r}: choose one of {', '.join(INLINERS)}")


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
