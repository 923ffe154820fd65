"""Adapter: everything mailkit relies on in cssutils' module-level state.

cssutils serialises every value through one process-wide serializer
(``cssutils.ser``, read at each call by every cssutils class) and logs through
one process-wide logger. mailkit wants minified values (``Roboto,Arial``,
``.5``: the bytes its snapshots pin) and no log output; another premailer or
cssutils user in the same process wants neither. Setting them once, as mailkit
did, changed that other user's output (a digest through plain premailer:
62,941 bytes alone, 62,283 after a mailkit render).

So :func:`mailkit_settings` applies them around each inlining and puts back
what it found, and only for the thread doing the inlining: while any mailkit
inlining runs, ``cssutils.ser`` is a switch that answers with mailkit's
serializer for a thread inside :func:`mailkit_settings` and with the
serializer it replaced for every other thread; a filter on cssutils' logger
drops records the same way. Pinned in tests/test_adapters.py.

The same switch skips cssutils' validation of a thread inside mailkit:
premailer's ``merge_styles`` parses each element's own ``style`` with
``csstext_to_pairs(inline_style)``, that is with validation on whatever
``disable_validation`` says (only the rules' parse honours it), and cssutils
then compiles the validation pattern of each property it meets (``font``,
``border`` ...: regular expressions of thousands of characters). Validation
only logs (``Property.valid`` is computed when read; the serializer drops
nothing while ``prefs.validOnly`` is off), and mailkit drops those records, so
the output is the same; skipping it took a cold ``mailkit render breaking``
from 0.557 to 0.524 s (median of 11, quiet machine). While mailkit inlines, ``cssutils.parseStyle`` (which
premailer reads from the module at each call) is a switch that parses with
``validate=False`` for a thread inside mailkit and as it was for any other.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import cssutils
import cssutils.serialize

__all__ = ["inside_mailkit", "mailkit_settings", "parse_stylesheet"]


class _Inside(threading.local):
    depth = 0


_INSIDE = _Inside()
_LOCK = threading.Lock()


def inside_mailkit() -> bool:
    """Whether this thread is inside :func:`mailkit_settings` (inlining for mailkit)."""
    return _INSIDE.depth > 0


def _serializer() -> Any:
    serializer = cssutils.serialize.CSSSerializer()
    serializer.prefs.useMinified()
    return serializer


_MAILKIT_SERIALIZER = _serializer()


class _SerializerSwitch:
    """Stands in ``cssutils.ser`` while mailkit inlines: mailkit's serializer for
    a thread inside :func:`mailkit_settings`, the replaced one for any other."""

    def __init__(self, outside: Any) -> None:
        object.__setattr__(self, "outside", outside)

    def _current(self) -> Any:
        return _MAILKIT_SERIALIZER if _INSIDE.depth else object.__getattribute__(self, "outside")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._current(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._current(), name, value)


class _ParseStyleSwitch:
    """Stands in ``cssutils.parseStyle`` while mailkit inlines: without validation
    for a thread inside :func:`mailkit_settings`, the replaced function for any other."""

    def __init__(self, outside: Any) -> None:
        self.outside = outside

    def __call__(self, cssText: str, encoding: str = "utf-8", validate: bool | None = None) -> Any:
        if _INSIDE.depth:
            validate = False
        return self.outside(cssText, encoding, validate=validate)


class _QuietInside(logging.Filter):
    """Drops cssutils' log records (MSO properties it does not know ...) of a thread inside mailkit."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _INSIDE.depth


_FILTER = _QuietInside()


class _Installed:
    count = 0
    switch: _SerializerSwitch | None = None
    parse_style: _ParseStyleSwitch | None = None


def _logger() -> logging.Logger:
    # cssutils.log is its ErrorHandler; the logging.Logger it writes to is its _log
    logger: logging.Logger = cssutils.log._log
    return logger


@contextmanager
def mailkit_settings() -> Iterator[None]:
    """cssutils minified, quiet and not validating for this thread, as it was for every other and after.

    Re-entrant and thread-safe: the switch goes in with the first mailkit
    inlining in flight and out with the last, unless someone replaced
    ``cssutils.ser`` meanwhile (then theirs stays).
    """
    with _LOCK:
        if _Installed.count == 0:
            _Installed.switch = _SerializerSwitch(cssutils.ser)
            cssutils.setSerializer(_Installed.switch)
            _Installed.parse_style = _ParseStyleSwitch(cssutils.parseStyle)
            cssutils.parseStyle = _Installed.parse_style
            _logger().addFilter(_FILTER)
        _Installed.count += 1
    _INSIDE.depth += 1
    try:
        yield
    finally:
        _INSIDE.depth -= 1
        with _LOCK:
            _Installed.count -= 1
            if _Installed.count == 0:
                switch, _Installed.switch = _Installed.switch, None
                if cssutils.ser is switch:
                    cssutils.setSerializer(object.__getattribute__(switch, "outside"))
                parse_style, _Installed.parse_style = _Installed.parse_style, None
                if cssutils.parseStyle is parse_style and parse_style is not None:
                    cssutils.parseStyle = parse_style.outside
                _logger().removeFilter(_FILTER)


def _fetch_nothing(url: str) -> None:
    """A cssutils fetcher that loads no URL (cssutils then leaves the @import empty)."""
    return None


def parse_stylesheet(css: str, *, validate: bool) -> Any:
    """``cssutils.parseString(css)`` without loading any ``@import url(...)``.

    cssutils' default parser loads every @import with urllib, whatever
    premailer's allow_network says: a request per render to wherever a
    template's CSS points (found by tests/test_hostile_speed.py). The @import
    stays in ``<style>`` for clients, as css-inline leaves it.
    """
    sheet = cssutils.CSSParser(fetcher=_fetch_nothing).parseString(css, validate=validate)
    # cssutils looks a sheet's namespaces up by scanning all its rules for @namespace rules
    # (cssutils.util._Namespaces.namespaces), at every selector it writes: premailer writes
    # each rule's selector, so a sheet of n rules cost n^2 (3,000 rules: 2.3 s, 10,000 about
    # 25 s; stock premailer alike). The sheet is only read from here on (premailer inserts no
    # rule), so its namespaces, read once, stand for it: the same prefixes, the same bytes.
    sheet._namespaces = cssutils.util._SimpleNamespaces(sheet._log, sheet.namespaces.items())
    return sheet
