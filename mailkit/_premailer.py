"""Adapter: every premailer internal mailkit relies on, and nowhere else.

mailkit's premailer is a subclass that overrides three private methods and
wraps ``transform``:

* ``_parse_css_string``: cssutils' parser that loads no ``@import``
  (allow_network=False stops premailer's own fetches, not cssutils').
* ``_parse_style_rules``: memoised. premailer re-parses each ``<style>`` and
  re-serialises every rule on every transform (about 60% of its time on a
  digest) although a template and theme give the same CSS every time.
* ``_style_to_basic_html_attributes``: skipped. It only ever sets the
  attributes in :data:`BASIC_ATTRIBUTES`, all of which mailkit disables (MRML
  writes the ones Outlook needs), and re-parses every inlined style for it.
* ``transform``: run inside :func:`mailkit._cssutils.mailkit_settings`, with
  the keys of premailer's process-wide declaration cache tagged as mailkit's
  for this thread (see :class:`_KeySwitch`), and ``merge_styles`` (a global
  of ``premailer.premailer``) answered from the engine's :class:`MergeMemo`
  for this thread (see :class:`_MergeSwitch`).

tests/test_adapters.py fails, loudly, when an upgrade moves any of this.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ._deferred import defer_import

__all__ = ["BASIC_ATTRIBUTES", "MergeMemo", "StyleRules", "transform"]

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


class _Merges(threading.local):
    """The merge memo of the engine inlining in this thread (None: not inside mailkit's transform)."""

    memo: MergeMemo | None = None


_MERGES = _Merges()


class MergeMemo:
    """premailer's ``merge_styles`` results: (element's own style, matched declarations, pseudo-classes) -> style.

    ``merge_styles`` is a pure function of its arguments once cssutils' serializer
    is mailkit's (it is, inside :func:`transform`). Body paragraphs repeat the
    same few (style, rules) shapes, so a memo answers for all but the first
    element of each: saves about 2.5 ms of the 7 ms premailer takes at 1,000
    paragraphs (bench/run.py's breaking alert), and a few hundred us of a digest.
    The declarations are keyed by identity: they are the lists premailer's
    ``csstext_to_pairs`` cache hands out for each rule, never changed; an entry
    holds them, so no other object can take their ids while it lives. Bounded:
    cleared when full.
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


class _MergeSwitch:
    """Stands in premailer.premailer's ``merge_styles`` while mailkit inlines: the
    engine's :class:`MergeMemo` for a thread inside :func:`transform`, the
    replaced function for any other."""

    def __init__(self, outside: Any) -> None:
        self.outside = outside

    def __call__(self, inline_style: str, new_styles: list[Any], classes: list[str],
                 remove_unset_properties: bool = False) -> str:
        memo = _MERGES.memo
        if memo is None:
            return self.outside(inline_style, new_styles, classes, remove_unset_properties=remove_unset_properties)
        return memo.merged(self.outside, inline_style, new_styles, classes, remove_unset_properties)


class _MergeInstalled:
    count = 0
    switch: _MergeSwitch | None = None
    lock = threading.Lock()


@contextmanager
def _memoised_merges(memo: MergeMemo) -> Iterator[None]:
    """premailer's merge_styles answered from ``memo`` for this thread (re-entrant, thread-safe);
    the switch goes in with the first mailkit inlining in flight and out with the last,
    unless someone replaced ``merge_styles`` meanwhile (then theirs stays)."""
    import premailer.premailer

    with _MergeInstalled.lock:
        if _MergeInstalled.count == 0:
            _MergeInstalled.switch = _MergeSwitch(premailer.premailer.merge_styles)
            premailer.premailer.merge_styles = _MergeInstalled.switch
        _MergeInstalled.count += 1
    saved, _MERGES.memo = _MERGES.memo, memo
    try:
        yield
    finally:
        _MERGES.memo = saved
        with _MergeInstalled.lock:
            _MergeInstalled.count -= 1
            if _MergeInstalled.count == 0:
                switch, _MergeInstalled.switch = _MergeInstalled.switch, None
                if premailer.premailer.merge_styles is switch and switch is not None:
                    premailer.premailer.merge_styles = switch.outside


class StyleRules:
    """A memo of premailer's parsed ``<style>`` blocks: (CSS, index, keep_style_tags) -> (rules, leftover).

    The result depends only on those and on options mailkit fixes; it is
    built under mailkit's cssutils settings, so it holds mailkit's spelling.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._rules: OrderedDict[tuple[str, int, bool], Any] = OrderedDict()
        self._lock = threading.Lock()
        # the engine's merged element styles, beside its parsed rules
        self.merges = MergeMemo()

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

    # cssutils too is loaded only here (premailer needs it anyway)
    from ._cssutils import parse_stylesheet

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

        def _style_to_basic_html_attributes(self, element: Any, style_content: str, force: bool = False) -> None:
            # every attribute it can set is in BASIC_ATTRIBUTES, all disabled (pinned in tests)
            return None

    return _Premailer


def transform(root: Any, *, keep_style_tags: bool, remove_classes: bool, rules: StyleRules) -> None:
    """Inline the CSS of the parsed document ``root`` in place, offline, keeping ``!important``.

    Every premailer knob mailkit relies on is spelled out here.
    """
    inliner = premailer_class()(
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
    inliner.rules = rules
    from ._cssutils import mailkit_settings  # loaded with premailer, by premailer_class() above

    with mailkit_settings(), _tagged_cache_keys(), _memoised_merges(rules.merges):
        inliner.transform(root, pretty_print=False)
