"""Adapter: every premailer internal mailkit relies on, and nowhere else.

mailkit's premailer is a subclass that overrides two private methods and
``transform``:

* ``_parse_css_string``: cssutils' parser that loads no ``@import``
  (allow_network=False stops premailer's own fetches, not cssutils').
* ``_parse_style_rules``: memoised. premailer re-parses each ``<style>`` and
  re-serialises every rule on every transform (about 60% of its time on a
  digest) although a template and theme give the same CSS every time.
* ``transform``: premailer 3.10's steps for a parsed document with the knobs
  :func:`transform` sets (``<head>``, the ``<style>`` blocks, the rules sorted
  by premailer's specificity, each element's style merged by premailer's
  ``merge_styles``, ``remove_classes``), with mailkit's own loop from matched
  rules to ``style`` attributes (see :meth:`StyleRules.selector`,
  :class:`MergeMemo`); ``<head>`` and the ``<style>`` blocks are found by lxml's
  ``iter()``, not premailer's XPaths (the same elements). The loop skips ``_style_to_basic_html_attributes``: it
  only ever sets the attributes in :data:`BASIC_ATTRIBUTES`, all of which
  mailkit disables (MRML writes the ones Outlook needs), and re-parsed every
  inlined style for it. It runs inside :func:`mailkit._cssutils.mailkit_settings`,
  with the keys of premailer's process-wide declaration cache tagged as
  mailkit's for this thread (see :class:`_KeySwitch`).

tests/test_adapters.py fails, loudly, when an upgrade moves any of this (it
pins the source of the stock ``transform`` the override follows), and
tests/test_premailer_fast.py compares the override with stock premailer on
generated documents and CSS and on every shipped template, fixture and theme.
"""

from __future__ import annotations

import functools
import operator
import threading
import warnings
from collections import Counter, OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import lxml.etree

from ._deferred import defer_import

__all__ = ["BASIC_ATTRIBUTES", "MergeMemo", "StyleRules", "knobs", "transform"]

# the HTML attributes premailer would copy from inlined CSS: MRML already
# writes the ones Outlook needs, and a copied width="100%" breaks images there
BASIC_ATTRIBUTES = ("width", "height", "align", "bgcolor", "valign")

# premailer.merge_style.csstext_to_pairs caches, process-wide (premailer.cache,
# a cachetools LFU) and keyed by the CSS text alone, the (property, value)
# pairs cssutils' serializer made of it. mailkit's serializer writes
# "Roboto,Arial" where the default one writes "Roboto, Arial", so a style seen
# first by another premailer user gave mailkit that user's spelling, and the
# reverse. While mailkit inlines, the wrapper's key function (cachetools reads
# ``cache_key`` from the wrapper at each call) tags the keys of a thread inside
# mailkit, so each side only ever reads its own entries; other threads get the
# key they always had. Pinned in tests/test_adapters.py.
_TAG = "mailkit"


class _KeySwitch:
    """The cache key of premailer's csstext_to_pairs, tagged for a thread inside mailkit."""

    def __init__(self, outside: Any) -> None:
        from ._cssutils import inside_mailkit  # loaded with premailer

        self.outside = outside
        self.inside = inside_mailkit

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = self.outside(*args, **kwargs)
        return (_TAG, key) if self.inside() else key


class _Installed:
    count = 0
    lock = threading.Lock()


@contextmanager
def _tagged_cache_keys() -> Iterator[None]:
    """The key switch on premailer's csstext_to_pairs while any mailkit inlining runs (re-entrant, thread-safe)."""
    from premailer.merge_style import csstext_to_pairs

    with _Installed.lock:
        if _Installed.count == 0 and not isinstance(csstext_to_pairs.cache_key, _KeySwitch):
            csstext_to_pairs.cache_key = _KeySwitch(csstext_to_pairs.cache_key)
        _Installed.count += 1
    try:
        yield
    finally:
        with _Installed.lock:
            _Installed.count -= 1
            switch = csstext_to_pairs.cache_key
            if _Installed.count == 0 and isinstance(switch, _KeySwitch):
                csstext_to_pairs.cache_key = switch.outside


class MergeMemo:
    """premailer's ``merge_styles`` results: (element's own style, matched declarations, pseudo-classes) -> style.

    ``merge_styles`` is a pure function of its arguments once cssutils' serializer
    is mailkit's (it is, inside :func:`transform`). Body paragraphs repeat the
    same few (style, rules) shapes, so a memo answers for all but the first
    element of each: saves about 2.5 ms of the 7 ms premailer took at 1,000
    paragraphs (bench/run.py's breaking alert), and a few hundred us of a digest.
    The declarations are keyed by identity: they are the lists
    :meth:`StyleRules.declarations` hands out for each rule, never changed; an
    entry holds them, so no other object can take their ids while it lives.
    Bounded: cleared when full.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._memo: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = {}

    def merged(self, outside: Any, inline_style: str, new_styles: list[Any], classes: list[str],
               remove_unset_properties: bool) -> str:
        key = (inline_style, remove_unset_properties, *classes, *map(id, new_styles))
        hit = self._memo.get(key)
        if hit is not None:
            return hit[0]
        result: str = outside(inline_style, new_styles, classes, remove_unset_properties=remove_unset_properties)
        if len(self._memo) >= self.size:
            self._memo.clear()
        self._memo[key] = (result, tuple(new_styles))
        return result

    def __len__(self) -> int:
        return len(self._memo)


class _Selector(NamedTuple):
    """A rule's selector as mailkit's loop uses it."""

    select: Any  # premailer's compiled CSSSelector (an lxml XPath)
    pseudo_class: str  # the pseudo-class its declarations go under in premailer's merge ("" for none)
    names: tuple[str, ...]  # element names that must all be in the document for it to match
    # (the XPath of the selector without the classes of its last element, those classes
    # as " name " to find in " " + class attribute + " "), or None
    base: tuple[str, tuple[str, ...]] | None
    anchor: _Anchor | None  # for "X Y ...", X a compound and " " the first combinator


class _Anchor(NamedTuple):
    """A selector ``X Y ...`` as X's matches and the XPath after X's (see :func:`_analysed`)."""

    path: str  # the XPath of X
    first: tuple[str, tuple[str, ...]] | None  # X as (name, classes as base's) when it is only those
    rest: str  # the selector's XPath after ``path``: "/descendant::..."
    last: tuple[str, tuple[str, ...]] | None  # Y the same way when the selector is just "X Y"
    # Y as its classes (" name ") and the selector's XPath after Y's, when Y is only classes ("X .c ...")
    classed: tuple[tuple[str, ...], str] | None = None


# the characters XPath's normalize-space() reads as spaces (XML's S), as spaces
_XML_SPACES = str.maketrans("\t\n\r", "   ")


def _spaced_classes(elements: Any) -> list[tuple[Any, str]]:
    """(element, " " + its class attribute with XML's spaces as " " + " ") for each of ``elements`` with one.

    A class attribute without tab or line break (every one MRML and the templates
    write: str.isprintable() refuses both, in C) is taken as it is: a translate()
    a value was most of building these lists (21 elements: 13 -> 5.5 us). The
    lists are kept per element name, not per anchor: ``td.mk-text`` and
    ``td.mk-img`` read the same ``<td>`` classes (a breaking alert's 31 -> 21).
    """
    return [(element, f" {value} " if value.isprintable() else f" {value.translate(_XML_SPACES)} ")
            for element in elements if (value := element.get("class")) is not None]


def _holding(candidates: list[tuple[Any, str]], needles: tuple[str, ...]) -> list[Any]:
    """The elements of ``candidates`` (see :func:`_spaced_classes`) whose classes hold every one of ``needles``.

    One class (nearly every rule: ``td.mk-text``, ``p.mk-dek``) is one ``in`` an
    element, not a generator for all() (a breaking alert's 86 tests: 23 -> 2.3 us).
    """
    if len(needles) == 1:
        needle = needles[0]
        return [element for element, classes in candidates if needle in classes]
    return [element for element, classes in candidates if all(n in classes for n in needles)]


def _analysed(selector: str) -> tuple[tuple[str, ...], tuple[str, tuple[str, ...]] | None, _Anchor | None]:
    """The element names every match of ``selector`` needs (those of its compound selectors
    joined by combinators, not inside ``:not()``, ``:is()`` ...), its base and its anchor
    (see :class:`_Selector`).

    premailer's ``CSSSelector`` (cssselect's generic translator) tests a name
    such as ``h2`` as an XPath name test: the element's name exactly as written,
    in no namespace, which is what lxml's ``iter("h2")`` looks for. Names it
    compares otherwise (an escaped character) are not listed, and a selector
    with a namespace (``svg|p``, ``[xlink|href]``) gets neither names nor base.

    The base: for ``td.mk-text p.mk-dek``, the XPath of ``td.mk-text p`` and
    ``(" mk-dek ",)``. cssselect writes a class test as a condition of the last
    step (``p[@class and contains(concat(' ', normalize-space(@class), ' '), ' mk-dek ')]``),
    joined with ``and`` to any other condition of that step, so the elements
    matched are exactly those of the base whose class attribute holds each class.

    The anchor: for ``td.mk-text h3 a``, the XPath of ``td.mk-text`` and what cssselect
    writes after it, ``/descendant::h3/descendant::a``: the selector's XPath is
    ``X/descendant::...`` (a location path read step by step), so its matches are those of
    ``$x/descendant::...`` with ``$x`` the node-set of X's matches. X as a name and classes
    (``("td", (" mk-text ",))``) when it is only those: its matches are the elements
    ``iter("td")`` finds whose class attribute holds each class, as for a base.
    """
    if "|" in selector:
        # a namespace prefix: libxml2 fails on one the document does not declare while
        # evaluating, with or without an element to start from, so it is always evaluated
        return (), None, None
    import cssselect
    from cssselect.parser import Class, CombinedSelector, Element
    from cssselect.xpath import is_non_whitespace, is_safe_name
    from lxml.cssselect import LxmlTranslator

    try:
        [parsed] = cssselect.parse(selector)
    except (cssselect.SelectorError, ValueError):
        return (), None, None
    names: list[str] = []
    stack: list[Any] = [parsed.parsed_tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CombinedSelector):
            stack += (node.selector, node.subselector)
        elif isinstance(node, Element):
            if node.element and node.namespace is None and is_safe_name(node.element) and ":" not in node.element:
                names.append(node.element)
        elif (inner := getattr(node, "selector", None)) is not None:
            # a class, id, attribute or pseudo-class of the same element: its .selector is that element
            stack.append(inner)
    # the base: the last compound only classes on an element name
    tree = parsed.parsed_tree
    last = tree.subselector if isinstance(tree, CombinedSelector) else tree
    classes: list[str] = []
    while isinstance(last, Class):
        classes.append(last.class_name)
        last = last.selector
    needles = tuple(f" {c} " for c in dict.fromkeys(classes))
    base: tuple[str, tuple[str, ...]] | None = None
    translator = LxmlTranslator()

    def xpath(tree: Any) -> str:
        return translator.selector_to_xpath(cssselect.parser.Selector(tree), "descendant-or-self::",
                                            translate_pseudo_elements=True)

    def plain(compound: Any) -> tuple[str, tuple[str, ...]] | None:
        """``compound`` as (its name, its classes as " name ") when it is only those."""
        classes: list[str] = []
        while isinstance(compound, Class):
            classes.append(compound.class_name)
            compound = compound.selector
        if (isinstance(compound, Element) and compound.element and compound.namespace is None
                and is_safe_name(compound.element) and ":" not in compound.element
                and all(is_non_whitespace(c) for c in classes)):
            return compound.element, tuple(f" {c} " for c in dict.fromkeys(classes))
        return None

    def classed(inner: Any, path: str, whole: str) -> tuple[tuple[str, ...], str] | None:
        """For ``X Y ...`` with Y only classes (``td.mk-text .mk-credit a``): Y's classes as " name "
        and the XPath after ``X Y``'s (cssselect writes Y as ``/descendant::*[`` its class tests ``]``)."""
        compound, classes = inner.subselector, []
        while isinstance(compound, Class):
            classes.append(compound.class_name)
            compound = compound.selector
        if not (classes and isinstance(compound, Element) and compound.element in (None, "*")
                and compound.namespace is None and all(is_non_whitespace(c) for c in classes)):
            return None
        try:
            both = xpath(inner)
        except cssselect.SelectorError:
            return None
        if not (both.startswith(path + "/descendant::*[") and whole.startswith(both)):
            return None
        return tuple(f" {c} " for c in dict.fromkeys(classes)), whole[len(both):]

    anchor = None
    if parsed.pseudo_element is None and isinstance(tree, CombinedSelector):
        inner = tree
        while isinstance(inner.selector, CombinedSelector):
            inner = inner.selector
        if inner.combinator == " ":
            try:
                path, whole = xpath(inner.selector), xpath(tree)
            except cssselect.SelectorError:
                path = whole = ""
            if path and whole.startswith(path + "/"):
                anchor = _Anchor(path, plain(inner.selector), whole[len(path):],
                                 plain(tree.subselector) if inner is tree else None, classed(inner, path, whole))
    if (parsed.pseudo_element is not None or not isinstance(last, Element) or not last.element
            or not all(is_non_whitespace(c) for c in classes)):
        return tuple(dict.fromkeys(names)), base, anchor
    try:
        if classes:
            stripped = CombinedSelector(tree.selector, tree.combinator, last) if isinstance(tree, CombinedSelector) \
                else last
            base = (xpath(stripped), needles)
    except cssselect.SelectorError:
        # the whole selector compiled; a part that does not is simply evaluated whole
        pass
    return tuple(dict.fromkeys(names)), base, anchor


class StyleRules:
    """An engine's memos of what premailer makes of its CSS, the same for every document:
    the parsed ``<style>`` blocks ((CSS, index, keep_style_tags) -> (rules, leftover)),
    each rule's compiled selector and declarations, and the merged element styles
    (:class:`MergeMemo`).

    The results depend only on those keys and on options mailkit fixes; they
    are built under mailkit's cssutils settings, so they hold mailkit's spelling.
    Bounded: the blocks least recently used go first, the selectors and
    declarations all at once when full.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._rules: OrderedDict[tuple[str, int, bool], Any] = OrderedDict()
        self._lock = threading.Lock()
        # the engine's merged element styles, beside its parsed rules
        self.merges = MergeMemo()
        self._selectors: dict[str, _Selector] = {}
        self._declarations: dict[str, list[tuple[str, str]]] = {}
        self._xpaths: dict[str, Any] = {}

    def get(self, key: tuple[str, int, bool]) -> Any:
        with self._lock:
            hit = self._rules.get(key)
            if hit is not None:
                self._rules.move_to_end(key)
            return hit

    def put(self, key: tuple[str, int, bool], value: Any) -> None:
        with self._lock:
            self._rules[key] = value
            while len(self._rules) > self.size:
                self._rules.popitem(last=False)

    def selector(self, selector: str) -> _Selector:
        """premailer's compiled selector for a rule's ``selector``, with what mailkit's loop
        needs to know of it (see :class:`_Selector`).

        premailer compiles through ``_create_cssselector``, cached in its one
        process-wide cache of 128 entries shared with every element's own style
        (``csstext_to_pairs``): on a digest the selectors were evicted and
        compiled again (cssselect's parse and translation, about 100 us each).
        """
        hit = self._selectors.get(selector)
        if hit is None:
            import premailer.premailer

            text, pseudo_class = selector, ""
            if ":" in selector:
                text, pseudo_class = selector.split(":", 1)
                pseudo_class = ":" + pseudo_class
            # filter-type pseudo-classes stay in the selector (premailer.Premailer.transform)
            if pseudo_class in premailer.premailer.FILTER_PSEUDOSELECTORS or pseudo_class.startswith(":nth-child"):
                text, pseudo_class = selector, ""
            # compiled first: a selector cssselect refuses fails here, as in premailer
            select = premailer.premailer.CSSSelector(text)
            names, base, anchor = _analysed(text)
            if anchor is not None and anchor.path + anchor.rest != select.path:
                anchor = None  # (never seen: premailer's CSSSelector is the same translator)
            hit = _Selector(select, pseudo_class, names, base, anchor)
            if len(self._selectors) >= 4 * self.size:
                self._selectors.clear()
            self._selectors[selector] = hit
        return hit

    def xpath(self, path: str) -> Any:
        """``lxml.etree.XPath(path)``, compiled once (a selector's base, see :class:`_Selector`)."""
        hit = self._xpaths.get(path)
        if hit is None:
            hit = lxml.etree.XPath(path)
            if len(self._xpaths) >= 4 * self.size:
                self._xpaths.clear()
            self._xpaths[path] = hit
        return hit

    def declarations(self, css: str) -> list[tuple[str, str]]:
        """premailer's ``csstext_to_pairs(css, validate=False)`` for a rule's declarations, one list per text."""
        hit = self._declarations.get(css)
        if hit is None:
            import premailer.premailer

            hit = premailer.premailer.csstext_to_pairs(css, validate=False)
            if len(self._declarations) >= 4 * self.size:
                self._declarations.clear()
            self._declarations[css] = hit
        return hit

    def __len__(self) -> int:
        return len(self._rules)


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
    defer_import("requests")


@functools.cache
def premailer_class() -> Any:
    """mailkit's premailer class, imported on first use: a css-inline render never loads premailer or cssutils."""
    _defer_requests()
    import premailer
    import premailer.premailer

    # cssutils too is loaded only here (premailer needs it anyway)
    from ._cssutils import parse_stylesheet

    stock = premailer.premailer

    class _Premailer(premailer.Premailer):
        """premailer with the overrides described in this module's docstring."""

        rules: StyleRules  # set by transform() below
        # how often the stock _parse_style_rules ran (the memo missed); tests read it
        parsed = 0

        def _parse_css_string(self, css_body: str, validate: bool = True) -> Any:
            # mailkit memoises the parsed rules below, so premailer's own parse cache is not needed
            return parse_stylesheet(css_body, validate=validate)

        def _parse_style_rules(self, css_body: str, ruleset_index: int) -> Any:
            key = (css_body, ruleset_index, self.keep_style_tags)
            hit = self.rules.get(key)
            if hit is not None:
                return hit
            type(self).parsed += 1
            result = super()._parse_style_rules(css_body, ruleset_index)
            self.rules.put(key, result)
            return result

        def transform(self, html: Any = None, pretty_print: bool = True, **kwargs: Any) -> Any:
            """premailer 3.10's ``transform`` of a parsed document, for the knobs :func:`transform` sets.

            The same steps in the same order; what those knobs turn off
            (network, links, external styles, ``css_text``, floats, margins,
            URLs, stripping ``!important``) is left out. Only the loop from
            matched rules to ``style`` attributes is mailkit's: stock premailer
            keeps a dict of lists per matched element and merges each
            element's style on its own (about 3 us an element, most of its
            time on a long read); here elements matched by the same rules with
            the same own style share one merge. Compared with stock premailer
            in tests/test_premailer_fast.py.
            """
            page = html.getroottree()
            # premailer's get_or_create_head and its <style> lookup are XPaths over the whole
            # document (CSSSelector("head"), CSSSelector("style")), about 20 us each on a
            # breaking alert; lxml's iter() finds the same elements, in document order, in C.
            # A document without a <head> gets premailer's own function, which adds one.
            if next(page.iter("head"), None) is None:
                stock.get_or_create_head(page)
            rules: list[Any] = []
            for index, element in enumerate(self._style_blocks(page)):
                css_body = element.text
                these_rules, these_leftover = self._parse_style_rules(css_body, index)
                rules.extend(these_rules)
                if these_leftover or self.keep_style_tags:
                    element.text = css_body if self.keep_style_tags else self._css_rules_to_string(these_leftover)
                else:
                    element.getparent().remove(element)
            rules.sort(key=operator.itemgetter(0))
            self._inline_rules(page, rules)
            if self.remove_classes:
                for item in page.xpath("//@class"):
                    del item.getparent().attrib["class"]
            return page

        def _style_blocks(self, page: Any) -> Iterator[Any]:
            """The ``<style>`` elements premailer reads, in document order (those for other media,
            and those marked ``data-premailer="ignore"``, unmarked, left out)."""
            for element in list(page.iter("style")):  # (a list: the caller may remove the element)
                media = element.get("media")
                if media and media not in ("all", "screen"):
                    continue
                marker = element.get(self.attribute_name)
                if marker:
                    if marker == "ignore":
                        del element.attrib[self.attribute_name]
                        continue
                    warnings.warn(f"Unrecognized {self.attribute_name} attribute ({marker!r})", stacklevel=2)
                yield element

        def _inline_rules(self, page: Any, rules: list[Any]) -> None:
            """Each element matched by ``rules`` (sorted) gets premailer's merge of their declarations and its own style.

            Every selector is evaluated before any style changes, as in
            premailer. An element's merge depends only on its own style and
            which rules matched it, so elements alike (a long read's
            paragraphs) share one: this loop takes about 1 us an element.
            """
            memo = self.rules
            matched: dict[Any, tuple[int, ...]] = {}
            get = matched.get
            root = page.getroot()
            selectors = [memo.selector(selector) for _, selector, _ in rules]
            # each XPath is evaluated once, and not at all when an element name it needs is
            # missing (lxml answers that from the document's name dictionary, in about 1 us; an
            # XPath scans the whole document, 30-100 us): 13 of the 26 rules of a breaking alert
            present: dict[str, bool] = {}

            def needed(rule: _Selector) -> bool:
                for name in rule.names:
                    if name not in present:
                        present[name] = next(root.iter(name), None) is not None
                    if not present[name]:
                        return False
                return True

            wanted = [needed(rule) for rule in selectors]
            results: dict[Any, list[Any]] = {}
            # rules anchored on the same X ("td.mk-text a", "td.mk-text p.mk-dek", "td.mk-text h3 a" ...):
            # X's matches are found once, and a rule's elements are $x/descendant::..., X's matches passed
            # to libxml2 as a node-set variable (the same elements as the rule's XPath, without scanning
            # the whole document for X again); an X that is only a name and classes is found by iter()
            # and a class test, not an XPath. The rules' XPaths of a 10-story digest 105 -> 37 us, 60
            # stories 341 -> 119, a breaking alert 36 -> 18 (1,000 paragraphs 154 -> 114); splitting one
            # X/descendant::*[self::a or self::p ...] by name in Python was slower at 1,000 paragraphs (308 us).
            anchored = Counter(rule.anchor.path for rule, want in zip(selectors, wanted, strict=True)
                               if want and rule.anchor is not None)

            def on_anchor(rule: _Selector) -> bool:
                return rule.anchor is not None and (rule.anchor.first is not None or anchored[rule.anchor.path] >= 2)

            # a base two rules share (td.mk-text p for td.mk-text p, td.mk-text p.mk-dek ...) is
            # evaluated once and its elements' class attributes read once: six XPaths of about
            # 100 us each become one, at 1,000 paragraphs
            distinct = {s.select.path: s for s, want in zip(selectors, wanted, strict=True) if want and not on_anchor(s)}
            shared = Counter(iter(distinct))
            shared.update(s.base[0] for s in distinct.values() if s.base is not None)
            classed: dict[Any, list[tuple[Any, str]]] = {}

            def evaluate(path: str, select: Any) -> list[Any]:
                items = results.get(path)
                if items is None:
                    items = results[path] = select(page)
                return items

            def with_classes(key: Any, items: list[Any]) -> list[tuple[Any, str]]:
                candidates = classed.get(key)
                if candidates is None:
                    candidates = classed[key] = _spaced_classes(items)
                return candidates

            def anchors(anchor: _Anchor) -> list[Any]:
                items = results.get(anchor.path)
                if items is None:
                    if anchor.first is None:
                        items = evaluate(anchor.path, memo.xpath(anchor.path))
                    else:
                        name, needles = anchor.first
                        items = results[anchor.path] = (
                            _holding(with_classes((name,), root.iter(name)), needles) if needles
                            else list(root.iter(name)))
                return items

            for number, (rule, want) in enumerate(zip(selectors, wanted, strict=True)):
                if not want:
                    continue
                if on_anchor(rule):
                    anchor = rule.anchor
                    assert anchor is not None
                    if anchor.classed is not None:
                        # "X .c ...": the elements with a class under X's matches, found once for every
                        # such rule and told apart by their classes, not an XPath that tests the
                        # classes of everything under X for each rule ("td.mk-text .mk-credit" and
                        # "td.mk-text .mk-footer-text a" of a breaking alert: 21 -> 14 us, 150 paragraphs 49 -> 25)
                        needles, after = anchor.classed
                        key = (anchor.path, "*[@class]")
                        items = results.get(key)
                        if items is None:
                            items = results[key] = memo.xpath("$anchors/descendant::*[@class]")(
                                page, anchors=anchors(anchor))
                        items = _holding(with_classes(key, items), needles)
                        if after and items:
                            items = memo.xpath("$anchors" + after)(page, anchors=items)
                    elif anchor.last is None:
                        items = memo.xpath("$anchors" + anchor.rest)(page, anchors=anchors(anchor))
                    else:
                        name, needles = anchor.last
                        key = (anchor.path, name)
                        items = results.get(key)
                        if items is None:
                            items = results[key] = memo.xpath(f"$anchors/descendant::{name}")(
                                page, anchors=anchors(anchor))
                        if needles:
                            items = _holding(with_classes(key, items), needles)
                elif rule.base is None or shared[rule.base[0]] < 2:
                    items = evaluate(rule.select.path, rule.select)
                else:
                    path, needles = rule.base
                    items = _holding(with_classes(path, evaluate(path, memo.xpath(path))), needles)
                for item in items:
                    matched[item] = (*get(item, ()), number)
            if not matched:
                return
            merge_styles = stock.merge_styles  # read at each call, as premailer does
            merges = memo.merges
            unset = self.remove_unset_properties
            done: dict[tuple[str, tuple[int, ...]], str] = {}
            for item, numbers in matched.items():
                own = item.get("style", "")
                final = done.get((own, numbers))
                if final is None:
                    declarations = [memo.declarations(rules[n][2]) for n in numbers]
                    classes = [selectors[n].pseudo_class for n in numbers]
                    final = done[own, numbers] = merges.merged(merge_styles, own, declarations, classes, unset)
                # an empty merge (every property "unset") leaves the attribute as it was
                if final:
                    item.set("style", final)

    return _Premailer


def knobs(*, keep_style_tags: bool, remove_classes: bool) -> dict[str, Any]:
    """Every premailer knob mailkit relies on, spelled out (``premailer.Premailer(**knobs(...))``)."""
    return dict(
        base_url=None,
        disable_link_rewrites=True,
        allow_network=False,
        allow_loading_external_files=False,
        external_styles=None,
        # premailer strips !important by default, which breaks MJML's
        # column stacking (.mj-column-per-50 { width:100% !important }).
        strip_important=False,
        keep_style_tags=keep_style_tags,
        remove_classes=remove_classes,
        exclude_pseudoclasses=True,
        disable_validation=True,
        cache_css_parsing=True,
        disable_basic_attributes=list(BASIC_ATTRIBUTES),
        align_floating_images=False,
        remove_unset_properties=True,
        method="html",
    )


def transform(root: Any, *, keep_style_tags: bool, remove_classes: bool, rules: StyleRules) -> None:
    """Inline the CSS of the parsed document ``root`` in place, offline, keeping ``!important``."""
    inliner = premailer_class()(**knobs(keep_style_tags=keep_style_tags, remove_classes=remove_classes))
    inliner.rules = rules
    from ._cssutils import mailkit_settings  # loaded with premailer, by premailer_class() above

    with mailkit_settings(), _tagged_cache_keys():
        inliner.transform(root, pretty_print=False)
