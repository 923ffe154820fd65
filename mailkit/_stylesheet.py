"""CSS values in templates: the ``css`` filter, applied by itself inside ``<mj-style>``.

A template's ``<mj-style>`` becomes the email's ``<style>``, whose text is CSS,
not HTML: Jinja's HTML autoescaping there turns ``'Times New Roman'`` into
``&#39;Times New Roman&#39;`` (silently broken CSS), and does nothing against
a value that closes the rule (``} body {``), the element (``</style>``) or
runs code (``expression(``, ``url(javascript:``).

So the escaping follows the context, as in a template language that knows
its output: :class:`StyleContext` (a Jinja extension) reads the template's
tokens and, between ``<mj-style`` and ``</mj-style>``, prints every
``{{ value }}`` through :func:`css` (a value the author already wrote as
``{{ value | css }}`` is left as it is). :func:`css` prints a value that is
one CSS value (a colour, a length, a keyword, a font stack, ``rgb(...)``)
unescaped, and refuses anything else with :class:`UnsafeCssValue`, which
compose reports as a ``TemplateError`` naming the template and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from jinja2.exceptions import TemplateSyntaxError
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup

__all__ = ["CSS_FUNCTIONS", "StyleContext", "UnsafeCssValue", "check_styles", "css"]

# what a CSS value may hold: no ; { } < > & : / \ @ ! (no second declaration,
# rule, element, comment, escape or at-rule can start in it)
_CSS_VALUE = re.compile(r"[A-Za-z0-9 ,'\"#.%()\-+*]*")
# the functions a value may call; url() (a fetch, javascript:) and expression()
# (script in old IE) are not among them
CSS_FUNCTIONS = frozenset({"rgb", "rgba", "hsl", "hsla", "calc", "min", "max", "clamp"})


class UnsafeCssValue(ValueError):
    """A value printed into CSS that is not one safe CSS value."""


def _unclosed(text: str) -> str | None:
    """The quote or parenthesis ``text`` leaves open (or closes unopened), else ``None``."""
    quote = ""
    depth = 0
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return ")"
    return quote or ("(" if depth else None)


_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def _function_names(text: str) -> list[str]:
    """The name before each ``(`` that has one (not a bare or ``- (`` one), read backwards from it.

    Not a regex: "name\\s*\\(" tried at every letter of a long run of them is
    quadratic (2.7 s for a field of 5,000 letters, measured under load).
    """
    names = []
    at = text.find("(")
    while at != -1:
        end = at
        while end > 0 and text[end - 1] == " ":
            end -= 1
        start = end
        while start > 0 and text[start - 1] in _NAME_CHARS:
            start -= 1
        names.append(text[start:end])
        at = text.find("(", at + 1)
    return [n for n in names if any(c.isalpha() for c in n)]


def css(value: Any) -> Markup:
    """Print a colour, length, keyword or font stack into CSS, unescaped (CSS has no entities).

    Applied by itself to every ``{{ }}`` inside ``<mj-style>``; writing
    ``{{ fonts.body | css }}`` there is allowed and the same. Anything that
    is not one CSS value (a ``;``, ``{``, ``}``, ``<``, a comment, a quote or
    parenthesis left open, a function other than :data:`CSS_FUNCTIONS`) raises
    :class:`UnsafeCssValue`. Quotes come out single (``'Iowan Old Style'``), so the
    value is safe in a double-quoted MJML attribute too.
    """
    text = str(value)
    if len(text) <= _MEMO_CHARS:
        return _checked_css(text)
    return Markup(_check_css(text))


# A theme's colours and fonts are printed about 40 times a render, the same
# few values every time: checked once per distinct value (0.08 ms of a
# breaking alert's 1 ms compose). Bounded: at most 1,024 values of at most
# 200 characters; a refused value raises each time (lru_cache keeps no error).
_MEMO_CHARS = 200


@lru_cache(maxsize=1024)
def _checked_css(text: str) -> Markup:
    # the Markup kept too: made once per value, not at each of the 40 prints
    return Markup(_check_css(text))


def _check_css(text: str) -> str:
    """``text`` as one CSS value, single-quoted, or :class:`UnsafeCssValue`."""
    shown = repr(text[:60])
    if not _CSS_VALUE.fullmatch(text):
        bad = next(ch for ch in text if not _CSS_VALUE.fullmatch(ch))
        raise UnsafeCssValue(f"not a CSS value: {shown} holds {bad!r} (in <mj-style> or | css, "
                             "{{ }} prints one colour, length, keyword or font stack)")
    open_ = _unclosed(text)
    if open_ is not None:
        raise UnsafeCssValue(f"not a CSS value: {shown} leaves {open_!r} unbalanced")
    for name in _function_names(text):
        # a bare "(" only groups (in calc); a named function must be one we know
        if name.lower() not in CSS_FUNCTIONS:
            raise UnsafeCssValue(f"not a CSS value: {shown} calls {name!r} "
                                 f"(allowed: {', '.join(sorted(CSS_FUNCTIONS))})")
    return _single_quoted(text, shown)


def _single_quoted(text: str, shown: str) -> str:
    """``text`` with its double-quoted strings single-quoted (CSS reads both alike).

    So the value is the same in ``<mj-style>`` and in a double-quoted MJML
    attribute (``font-family="{{ fonts.headline | css }}"``), where a ``"``
    would end the attribute. A quote of the other kind inside a quoted string
    (``"Bob's Font"``) is refused: it could not be written either way.
    """
    if '"' not in text:
        return text
    out = []
    quote = ""
    for ch in text:
        if quote and ch in "'\"" and ch != quote:
            raise UnsafeCssValue(f"not a CSS value: {shown} holds a {ch} inside a quoted name")
        if ch == quote:
            quote = ""
        elif not quote and ch in "'\"":
            quote = ch
        out.append("'" if ch == '"' else ch)
    return "".join(out)


# CSS in a template's text: <mj-style>, and a <style> element (in mj-raw) ...
_OPEN = re.compile(r"<(?:mj-)?style\b", re.IGNORECASE)
_CLOSE = re.compile(r"</(?:mj-)?style\s*>", re.IGNORECASE)
# ... and a style="..." attribute (double-quoted, as MJML and HTML templates write them)
_STYLE_ATTRIBUTE = re.compile(r'(?<![\w-])style\s*=\s*"', re.IGNORECASE)


def _in_style_attribute(data: str, inside: bool) -> bool:
    """Whether the template is inside a ``style="..."`` attribute after the text ``data``."""
    last = None
    for last in _STYLE_ATTRIBUTE.finditer(data):  # noqa: B007 - the last one decides
        pass
    if last is None:
        return inside and '"' not in data
    return '"' not in data[last.end():]


def _inside_after(data: str, inside: bool) -> bool:
    """Whether the template is inside ``<mj-style>`` after the text ``data``."""
    last_open = max((m.start() for m in _OPEN.finditer(data)), default=-1)
    last_close = max((m.start() for m in _CLOSE.finditer(data)), default=-1)
    if last_open == last_close:  # neither
        return inside
    return last_open > last_close


# the tags that print nothing but this template's own text and {{ }}: the only ones
# allowed inside <mj-style>. Every other tag writes what its own {{ }} never checked:
# a block (a child's text), include, call (another file's macro), filter, trans.
_STYLE_TAGS = frozenset({"if", "elif", "else", "endif", "for", "endfor", "set", "endset", "with", "endwith",
                         "autoescape", "endautoescape"})


def _unfinished_tag(data: str) -> str:
    """The end of ``data`` from its last ``<`` when that tag is not closed (``<mj-``), else ``""``."""
    at = data.rfind("<")
    return data[at:] if at != -1 and ">" not in data[at:] and len(data) - at <= 16 else ""


class StyleContext(Extension):
    """Every ``{{ expr }}`` between ``<mj-style`` and ``</mj-style>`` is printed as ``{{ (expr) | css }}``;
    so is one in a ``<style>`` element (in ``mj-raw``) or a double-quoted ``style="..."`` attribute.

    Decided from the template's own text, token by token, when it is
    compiled: a macro or an included template is judged by its own text. So
    inside ``<mj-style>`` only ``{{ }}`` may print a value: a tag that would
    write another text there (``block``, ``include``, ``call``, ``filter``,
    ``trans``) is a ``TemplateSyntaxError`` naming the template and line.
    """

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        element = attribute = inside = False
        carry = ""  # "<mj-" at the end of the text so far: a comment or a tag may split "<mj-style>"
        tag_next = False
        for token in stream:
            if token.type == "data":
                text = carry + token.value
                element = _inside_after(text, element)
                attribute = _in_style_attribute(token.value, attribute)
                inside = element or attribute
                carry = _unfinished_tag(text)
                yield token
                continue
            if tag_next:
                tag_next = False
                if token.type == "name" and token.value not in _STYLE_TAGS:
                    raise TemplateSyntaxError(
                        f"{{% {token.value} %}} inside <mj-style> (or other CSS): only {{{{ }}}} may print a value there "
                        "(checked as CSS); write the whole <mj-style> in the block, macro or file instead",
                        token.lineno, stream.name, stream.filename)
            if token.type == "block_begin" and inside:
                tag_next = True
            if token.type != "variable_begin" or not inside:
                yield token
                continue
            body: list[Token] = []
            end = token
            for part in stream:
                if part.type == "variable_end":
                    end = part
                    break
                body.append(part)
            yield token
            written = [(t.type, t.value) for t in body[-2:]]
            if written == [("pipe", "|"), ("name", "css")]:
                yield from body  # the author's own | css: applied once
            else:
                line = token.lineno
                yield Token(line, "lparen", "(")
                yield from body
                yield Token(line, "rparen", ")")
                yield Token(line, "pipe", "|")
                yield Token(line, "name", "css")
            yield end


_NOT_CSS = re.compile(r"<|&#?[A-Za-z0-9]+;")


def check_styles(mjml: str) -> str | None:
    """What in the composed MJML's ``<mj-style>`` cannot be CSS (a tag, an HTML entity), else ``None``.

    The token filter decides from each template's own text; this catches what
    reaches a ``<mj-style>`` another way (a child template's block inside the
    layout's ``<mj-style>``, an ``{% include %}``), escaped for HTML or
    closing the element.
    """
    # str.find, not a regex over the whole document: this runs on every render
    start = mjml.find("<mj-style")
    while start != -1:
        open_end = mjml.find(">", start)
        if open_end == -1:
            return None  # MRML reports the broken tag
        if mjml[open_end - 1] == "/":  # <mj-style ... /> holds nothing
            start = mjml.find("<mj-style", open_end)
            continue
        end = mjml.find("</mj-style", open_end)
        if end == -1:
            return None
        text = mjml[open_end + 1:end]
        bad = _NOT_CSS.search(text) if "<" in text or "&" in text else None
        if bad is not None:
            near = text[max(0, bad.start() - 30): bad.end() + 30].strip()
            what = "a tag" if bad.group().startswith("<") else f"the HTML entity {bad.group()}"
            return (f"<mj-style> holds {what}, which is not CSS: {near!r} (print values there with "
                    "{{ }} in the template that has the <mj-style>, which checks them as CSS)")
        start = mjml.find("<mj-style", end)
    return None
