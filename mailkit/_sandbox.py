"""Jinja2, bounded: where templates may load from, and how much they may do.

The compose stage's environment (see :mod:`mailkit._compose`) is Jinja's
immutable sandbox with three additions, kept here because each reaches into
how Jinja compiles templates:

* :class:`FolderLoader` loads a template only when its real path (symlinks
  resolved) lies inside the template folder it was found in. ``include``,
  ``import``, ``from`` and ``extends`` all load through it, so a symlink to
  ``/etc/passwd``, a symlinked folder, ``..`` or an absolute name is refused
  whichever tag names it.
* A budget per render (the rendering Renderer's :class:`mailkit.Limits`): the characters a template
  writes, counted as Jinja streams them; loop iterations and macro calls,
  counted by a check the code generator puts at the top of every loop and
  macro body (Jinja's own MAX_RANGE bounds only ``range()``); wall-clock time,
  checked at each of those steps and each streamed chunk.
* Every operation that can make a big value from a small template checks the
  size first: ``*``, ``+``, ``%`` and ``**``; ``~`` and every captured block
  or macro result; the filters and ``str`` methods that pad, repeat or join
  (``center``, ``indent``, ``format``, ``join``, ``replace``, ``batch`` ...);
  ``lipsum``. Whatever else a filter or a call returns is checked after.

A check that fails raises :class:`TemplateLimit`, a Jinja ``SecurityError``,
inside the template, so the error names the template and line it came from.
"""

from __future__ import annotations

import functools
import os
import re
import string
import time
import types
from collections import ChainMap
from collections.abc import Callable, Generator, Iterable, MutableMapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import CodeType
from typing import Any, cast

import jinja2
import jinja2.meta
import pydantic
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import do_join, make_attrgetter
from jinja2.runtime import Context, Macro, missing
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import generate_lorem_ipsum
from markupsafe import Markup, escape

from ._sanitize import Limits, current_limits

__all__ = ["BoundedSandbox", "FolderLoader", "TemplateLimit", "TemplateRefused", "checked_once", "file_stat",
           "file_stat_if_there", "render_bounded", "seen_in_render"]


class TemplateRefused(SecurityError):
    """A template name or file the loader will not read (outside the template folders)."""


class TemplateLimit(SecurityError):
    """A template went over one of the limits in :class:`mailkit.Limits`."""


# ---------------------------------------------------------------- the loader


class FolderLoader(jinja2.BaseLoader):
    """Templates from ``roots``, first match wins, never from outside them.

    Jinja's FileSystemLoader refuses ``..`` but follows symlinks wherever they
    lead. This one resolves the real path of every template it loads and
    refuses one outside the folder it was found in, with an error that a
    missing-template fallback (``ignore missing``) does not swallow.
    """

    def __init__(self, roots: Iterable[Path],
                 compiled: Callable[[jinja2.Environment, str, str, str], CodeType | None] | None = None) -> None:
        self.roots = tuple(Path(r).resolve() for r in roots)
        # (environment, name, filename, source) -> code already compiled for it, or None
        # (mailkit._precompiled.packaged_code: the packaged templates' shipped code)
        self.compiled = compiled

    def load(self, environment: jinja2.Environment, name: str,
             globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        # jinja2.BaseLoader.load (this loader has no bytecode cache), asking ``compiled`` first
        source, filename, uptodate = self.get_source(environment, name)
        code = self.compiled(environment, name, filename, source) if self.compiled is not None else None
        if code is None:
            code = environment.compile(source, name, filename)
        return environment.template_class.from_code(environment, code, {} if globals is None else globals, uptodate)

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = template.split("/")
        if (template.startswith("/") or "\\" in template or "\x00" in template or ":" in template
                or any(p in ("", ".", "..") for p in pieces)):
            raise TemplateRefused(f"template name {template!r} refused: "
                                  "only relative names inside the template folders (no '..', no absolute names)")
        for root in self.roots:
            path = root.joinpath(*pieces)
            if not path.exists() and not path.is_symlink():
                continue
            real = path.resolve()
            if not real.is_relative_to(root):
                raise TemplateRefused(f"template {template!r} refused: it is a link out of the template folder {root}")
            if not real.is_file():
                continue
            st = real.stat()
            source = real.read_text(encoding="utf-8")
            loaded = (st.st_dev, st.st_ino, st.st_mtime_ns)

            def uptodate(path: str = str(path), loaded: tuple[int, int, int] = loaded) -> bool:
                # Jinja asks on every get_template (auto_reload). One stat through
                # the links: a link re-pointed since reaches another file (device
                # and inode), which is loaded and checked again. (path.resolve()
                # here was an lstat per folder of the path, for every template
                # of every render.) Within a render, the stat finding it made.
                st = file_stat(path)
                return st is not None and (st.st_dev, st.st_ino, st.st_mtime_ns) == loaded

            return source, str(path), uptodate
        raise jinja2.TemplateNotFound(template)


# ---------------------------------------------------------------- one look per render


# What one render has looked up: the templates its environments loaded (each
# checked against its file once, at the render's first use), and what
# mailkit._compose.Templates found (the template's file, a text template).
# None outside checked_once().
_SEEN: ContextVar[dict[Any, Any] | None] = ContextVar("mailkit_seen_templates", default=None)


class checked_once:  # a lower-case name: used as a ``with`` statement, like contextlib's
    """``with checked_once():`` a render: each template file is checked (a stat) the
    first time the render asks for it, and not again until the next render.

    A template edited on disk is read again by the next render, as without it;
    one edited during a render is not mixed into it. Nested: the outermost one
    counts. Per thread and task (a context variable).
    """

    __slots__ = ("_token",)

    def __enter__(self) -> dict[Any, Any]:
        seen = _SEEN.get()
        if seen is None:
            seen = {}
            self._token: Any = _SEEN.set(seen)
        else:
            self._token = None
        return seen

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _SEEN.reset(self._token)


def seen_in_render() -> dict[Any, Any] | None:
    """What the render in :class:`checked_once` has looked up (None outside one)."""
    return _SEEN.get()


def file_stat(path: str) -> os.stat_result | None:
    """``os.stat(path)`` (through links), or None when there is no such file; within
    :class:`checked_once`, once a render for each path (finding a template and
    loading it ask about the same file)."""
    seen = _SEEN.get()
    if seen is not None:
        key = ("stat", path)
        if key in seen:
            return seen[key]
    try:
        st: os.stat_result | None = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in the path, as os.path.isfile reads it
        st = None
    if seen is not None:
        seen[key] = st
    return st


def file_stat_if_there(path: str) -> os.stat_result | None:
    """:func:`file_stat` for a file that is usually not there (a template's ``.txt.j2``):
    asked with ``os.access`` first, which answers "no such file" without an error.

    A stat of a missing file raises ``FileNotFoundError``, made and caught in Python:
    right after other work (the bench's naive glue) that was 23-25 us of a breaking
    alert's render, 13-15 with ``access``. A file that is there is stat'ed as
    :func:`file_stat` does it (two system calls, the rare case). Within
    :class:`checked_once`, once a render for each path, as :func:`file_stat`.
    """
    seen = _SEEN.get()
    key = ("stat", path)
    if seen is not None and key in seen:
        return seen[key]
    try:
        there = os.access(path, os.F_OK, effective_ids=os.access in os.supports_effective_ids)
    except ValueError:  # a NUL in the path, as file_stat reads it
        there = False
    if not there:
        if seen is not None:
            seen[key] = None
        return None
    return file_stat(path)


# ---------------------------------------------------------------- the budget


@dataclass
class _Budget:
    limits: Limits
    deadline: float
    steps: int = 0
    printed: int = 0  # every {{ }} value, wherever it goes (macro and block buffers too)
    # the wall clock and the CPU clock when the render started (see _check_time)
    wall_start: float = 0.0
    cpu_start: float = 0.0


# Macro and block output is printed again where the macro is called, so all
# that is printed is a few times what a template writes (3x for a digest);
# counted as it is printed, it bounds what waits in macro buffers before their
# size is checked.
_PRINTED_PER_OUTPUT = 8


_BUDGET: ContextVar[_Budget | None] = ContextVar("mailkit_template_budget", default=None)
_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
_MAX_INT_BITS = 64 * 1024  # 20,000 decimal digits: more than any count or date needs


def _limits() -> Limits:
    budget = _BUDGET.get()
    return budget.limits if budget is not None else current_limits()


def _over(what: str, size: int) -> TemplateLimit:
    limit = _limits().max_template_output
    return TemplateLimit(f"{what} would be {size:,} characters (items), over the limit of {limit:,} "
                         "(Limits.max_template_output)")


def _check_size(size: int, what: str) -> None:
    # _limits() written out: about 50 checks a breaking alert (every macro's and captured
    # block's output, every filter's and call's result), each one call less
    budget = _BUDGET.get()
    if size > (budget.limits if budget is not None else current_limits()).max_template_output:
        raise _over(what, size)


def _check_value(value: Any, what: str) -> Any:
    """``value``, unless it is a string, list or number bigger than templates may make."""
    if isinstance(value, _SIZED):  # a tuple: isinstance reads it faster than a union (X | Y)
        _check_size(len(value), what)
    elif isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        raise TemplateLimit(f"{what} is a number of {value.bit_length():,} bits, over the limit of {_MAX_INT_BITS:,}")
    return value


# The template's clock is its thread's CPU time, not the wall's: on a loaded machine (a CI
# runner, a worker beside others) a digest that composes in 3 ms of CPU could wait a second
# for a core and be refused as if it had run away; a template that runs away spends CPU.
_clock = time.thread_time
# A thread spends no more CPU time than passes on the wall: until the budget's
# seconds (with what loading added) have passed on the wall clock, the CPU clock
# cannot have reached the deadline, and is not read. The CPU clock is a system
# call (about 1 us, 45 reads a breaking alert: 50 us of its 2.5 ms render); the
# wall clock is read in user space (0.04 us).
_wall = time.perf_counter


def _check_time(budget: _Budget) -> None:
    if _wall() - budget.wall_start < budget.deadline - budget.cpu_start:
        return
    if _clock() > budget.deadline:
        raise TemplateLimit(f"the template ran for over {budget.limits.max_template_seconds:g} s "
                            "(Limits.max_template_seconds)")


def tick() -> None:
    """One loop iteration or macro call: counted, and the clock checked."""
    budget = _BUDGET.get()
    if budget is None:
        return
    budget.steps += 1
    if budget.steps > budget.limits.max_template_steps:
        raise TemplateLimit(f"over {budget.limits.max_template_steps:,} loop iterations and macro calls "
                            "(Limits.max_template_steps)")
    _check_time(budget)


def _printed_too_much(budget: _Budget) -> TemplateLimit:
    return TemplateLimit(f"the template printed over {budget.printed:,} characters in all, "
                         f"over {_PRINTED_PER_OUTPUT} times the limit of "
                         f"{budget.limits.max_template_output:,} (Limits.max_template_output)")


def counting(finalize: Callable[[Any], Any] | None, *, autoescape: bool,
             escaping: bool = False, encode: Callable[[str], str] | None = None) -> Callable[[Any], Any]:
    """An environment's ``finalize`` that also counts what every ``{{ }}`` prints.

    ``escaping``: also what Jinja does after finalize in an escaping template,
    ``escape()``, in the same call (:attr:`BoundedSandbox.mailkit_print`).
    ``encode``: with ``escaping``, the text ``finalize`` makes of a plain
    ``str`` (``finalize(s) == Markup(encode(s))``): inside a render a plain
    ``str`` is printed as ``encode(s)`` and a ``Markup`` as it is, in one
    call. The text is what Jinja joins into the output, a macro's or a
    block's buffer (each made ``Markup`` whole when it is joined): the same
    characters without a ``Markup`` made around each value.
    """

    def counted(value: Any) -> Any:
        budget = _BUDGET.get()
        if budget is not None and value is not None:
            if not isinstance(value, str):
                # what Jinja would print: escape() takes an object's __html__, str() the rest
                value = Markup(value.__html__()) if autoescape and hasattr(value, "__html__") else str(value)
            # counted before finalize, whose escaping of a big value takes time
            budget.printed += len(value)
            if budget.printed > budget.limits.max_template_output * _PRINTED_PER_OUTPUT:
                raise _printed_too_much(budget)
            if len(value) > 4096:  # a big value took time to make
                _check_time(budget)
        out = value if finalize is None else finalize(value)
        if escaping and type(out) is not Markup:
            return escape(out)
        return out  # Markup: escape() would copy it as it is

    if not (escaping and encode is not None):
        return counted

    def printed(value: Any) -> Any:
        # A plain str or a Markup, the values nearly every {{ }} prints: counted
        # as counted() counts them, then encode(value) or the Markup itself, what
        # escape(finalize(value)) gives, as text. counted() took three calls and
        # made two Markups for a str: 0.8 -> 0.4 us a value, 126 values in a
        # breaking alert's compose (about 40 us of its 0.52 ms).
        budget = _BUDGET.get()
        cls = type(value)
        if cls is int or cls is float:  # a width, a count: str() is what counted() prints of one
            value, cls = str(value), str
        if budget is None or (cls is not str and cls is not Markup):
            return counted(value)
        size = len(value)
        budget.printed += size
        if budget.printed > budget.limits.max_template_output * _PRINTED_PER_OUTPUT:
            raise _printed_too_much(budget)
        if size > 4096:  # a big value took time to make
            _check_time(budget)
        return value if cls is Markup else encode(value)

    return printed


def _new_context(template: jinja2.Template, context: Any) -> Context:
    """``template.new_context(dict(context))``, as jinja2.runtime.new_context makes it (pinned
    in tests/test_fixed_cost.py), with the template's globals copied map by map: they are a
    ChainMap of its own (empty) and the environment's, and ``dict()`` of it looked each name
    up in the empty one first, a KeyError made and caught for each of the seven globals of
    every render."""
    globals_ = template.globals
    parent: dict[str, Any] = {}
    for layer in reversed(globals_.maps) if isinstance(globals_, ChainMap) else (globals_,):
        parent.update(layer)
    parent.update(**context)  # keyword names, as dict(globals, **vars): a key that is not a str is a TypeError
    return template.environment.context_class(template.environment, parent, template.name, template.blocks,
                                              globals=globals_)


def render_bounded(template: jinja2.Template, context: Any, limits: Limits | None = None) -> str:
    """``template.render(context)``, within ``limits`` (by default the limits in force,
    :func:`mailkit._sanitize.current_limits`): output counted as Jinja streams it."""
    if limits is None:
        limits = current_limits()
    cpu = _clock()
    budget = _Budget(limits, cpu + limits.max_template_seconds, wall_start=_wall(), cpu_start=cpu)
    reset = _BUDGET.set(budget)
    try:
        # jinja2.Template.generate's own steps for a synchronous environment, as
        # mailkit's are (pinned in tests/test_fixed_cost.py): the root function's
        # stream drawn here, an error rewritten to its template lines below, as
        # generate does: one generator less between each chunk and this loop
        # (about 130 chunks a breaking alert)
        stream = cast(Generator[str, None, None], template.root_render_func(_new_context(template, context)))
        parts: list[str] = []
        size = 0
        # drawn 64 chunks at a time and measured before they are joined (a
        # Python loop per chunk doubled the time to compose a digest); each
        # chunk is within the limit, so only references wait to be counted
        try:
            while batch := list(islice(stream, 64)):
                size += sum(map(len, batch))
                parts += batch
                try:
                    if size > limits.max_template_output:
                        raise _over("the template's output", size)
                    _check_time(budget)
                except TemplateLimit as err:
                    # thrown in at the template's current line, so the error names it
                    stream.throw(err)
        except Exception:
            template.environment.handle_exception()  # raises it, its traceback in template lines
            raise  # not reached: handle_exception raises
        return "".join(parts)
    finally:
        _BUDGET.reset(reset)


# ---------------------------------------------------------------- size checks before the work


_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_percent_format(fmt: str) -> None:
    # "%100000000s" % x: the width is the size
    for m in _PERCENT_FIELD.finditer(fmt):
        for width in m.groups():
            if width == "*":
                raise TemplateLimit("a '*' width in %-formatting is not available in templates")
            if width is not None:
                _check_size(int(width), "a %-format width")


def _check_brace_format(fmt: str) -> None:
    # "{:>100000000}".format(x)
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # str.format raises the same error itself
    for _, _, spec, _ in fields:
        if spec and "{" in spec:
            raise TemplateLimit("a nested '{}' in a format spec is not available in templates")
        for digits in re.findall(r"\d+", spec or ""):
            _check_size(int(digits), "a format width")


def _replaced_size(s: str, old: str, new: str, count: Any = -1) -> int:
    n = len(s) + 1 if not old else s.count(old)
    if isinstance(count, int) and count >= 0:
        n = min(n, count)
    return len(s) + n * max(0, len(new) - len(old))


def _bounded_list(items: Iterable[Any], what: str, each: Callable[[Any], int] | None = None) -> list[Any]:
    # a generator is drawn item by item, counted, never all at once
    out: list[Any] = []
    size = 0
    for item in items:
        tick()
        out.append(item)
        size += 1 if each is None else each(item)
        _check_size(size, what)
    return out


def _str_method_check(method: Any, args: Sequence[Any], kwargs: dict[str, Any]) -> tuple[Sequence[Any], dict[str, Any]]:
    """Checks before a ``str`` method runs; the arguments to call it with."""
    s, name = method.__self__, method.__name__
    if name in ("center", "ljust", "rjust", "zfill") and args and isinstance(args[0], int):
        _check_size(args[0], f"str.{name}()")
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(tab, int):
            _check_size(len(s) + s.count("\t") * tab, "str.expandtabs()")
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        _check_size(_replaced_size(s, *args), "str.replace()")
    elif name == "join" and args:
        items = _bounded_list(args[0], "str.join()", lambda x: len(s) + len(x) if isinstance(x, str) else 1)
        return (items, *args[1:]), kwargs
    elif name in ("translate", "maketrans"):
        raise TemplateLimit(f"str.{name}() is not available in templates")
    return args, kwargs


# ---------------------------------------------------------------- filters and globals


def _pre_center(value: Any, width: Any = 80) -> None:
    if isinstance(width, int):
        _check_size(width, "the center filter")


def _pre_indent(value: Any, width: Any = 4, *args: Any, **kwargs: Any) -> None:
    lines = str(value).count("\n") + 1
    pad = width if isinstance(width, int) else len(str(width))
    _check_size(len(str(value)) + lines * pad, "the indent filter")


def _pre_format(value: Any, *args: Any, **kwargs: Any) -> None:
    _check_percent_format(str(value))


def _pre_replace(value: Any, old: Any = "", new: Any = "", count: Any = None) -> None:
    _check_size(_replaced_size(str(value), str(old), str(new), -1 if count is None else count), "the replace filter")


def _pre_batch(value: Any, linecount: Any = 1, *args: Any, **kwargs: Any) -> None:
    if isinstance(linecount, int):
        _check_size(linecount, "the batch filter")


def _pre_slice(value: Any, slices: Any = 1, *args: Any, **kwargs: Any) -> None:
    if isinstance(slices, int):
        _check_size(slices, "the slice filter")


def _pre_wordwrap(value: Any, width: Any = 79, break_long_words: Any = True, wrapstring: Any = None,
                  *args: Any, **kwargs: Any) -> None:
    wrap = len(str(wrapstring)) if wrapstring is not None else 1
    lines = len(str(value)) // max(1, width if isinstance(width, int) else 1) + str(value).count("\n") + 1
    _check_size(len(str(value)) + lines * wrap, "the wordwrap filter")


def _pre_tojson(value: Any, indent: Any = None) -> None:
    if isinstance(indent, int) and indent > 16:
        raise TemplateLimit(f"tojson(indent={indent}): at most 16")


def _pre_urlize(value: Any, trim_url_limit: Any = None, nofollow: Any = False, target: Any = None,
                rel: Any = None, *args: Any, **kwargs: Any) -> None:
    extra = len(str(target or "")) + len(str(rel or "")) + 40
    _check_size(len(str(value)) + (len(str(value)) // 4 + 1) * extra, "the urlize filter")


_PRE_CHECKS: dict[str, Callable[..., None]] = {
    "center": _pre_center, "indent": _pre_indent, "format": _pre_format, "replace": _pre_replace,
    "batch": _pre_batch, "slice": _pre_slice, "wordwrap": _pre_wordwrap, "tojson": _pre_tojson,
    "urlize": _pre_urlize,
}


def _bounded_filter(name: str, func: Callable[..., Any], skip: int) -> Callable[..., Any]:
    pre = _PRE_CHECKS.get(name)
    what = f"the {name} filter's result"  # made once, not at each call

    @functools.wraps(func)  # keeps jinja_pass_arg: Jinja still passes the context first
    def bounded(*args: Any, **kwargs: Any) -> Any:
        if pre is not None:
            pre(*args[skip:], **kwargs)
        return _check_value(func(*args, **kwargs), what)

    return bounded


@jinja2.pass_eval_context
def _join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
    items = _bounded_list(value, "the join filter", lambda x: len(d) + (len(x) if isinstance(x, str) else 8))
    return _check_value(do_join(eval_ctx, items, d, attribute), "the join filter's result")


@jinja2.pass_environment
def _sum(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    items = iterable if attribute is None else map(make_attrgetter(environment, attribute), iterable)
    total = start
    for item in items:
        tick()
        total = _binop("+", total, item)
    return total


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    _check_size(n * max * 12, "lipsum()")
    return generate_lorem_ipsum(n, html, min, max)


def bound_filters(filters: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Every filter with the size checks above (``join`` and ``sum`` replaced by counting ones)."""
    out: dict[str, Callable[..., Any]] = {}
    for name, func in filters.items():
        if name == "join":
            out[name] = _join
        elif name == "sum":
            out[name] = _sum
        else:
            skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0
            out[name] = _bounded_filter(name, func, skip)
    return out


# ---------------------------------------------------------------- operators


def _binop(op: str, left: Any, right: Any) -> Any:
    sized = str | bytes | list | tuple
    if op == "*":
        if isinstance(left, sized) and isinstance(right, int):
            _check_size(len(left) * right, f"{type(left).__name__} * {right}")
        elif isinstance(right, sized) and isinstance(left, int):
            _check_size(len(right) * left, f"{left} * {type(right).__name__}")
    elif op == "+" and isinstance(left, sized) and isinstance(right, sized):
        _check_size(len(left) + len(right), f"{type(left).__name__} + {type(right).__name__}")
    elif op == "%" and isinstance(left, str):
        _check_percent_format(left)
    elif op == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        bits = left.bit_length() * right
        if bits > _MAX_INT_BITS:
            raise TemplateLimit(f"{left} ** {right} would be a number of about {bits:,} bits, "
                                f"over the limit of {_MAX_INT_BITS:,}")
    return _check_value(_OPERATORS[op](left, right), f"the result of {op!r}")


_METHODS = (types.MethodType, types.BuiltinMethodType)
# the attributes of a function that jinja2.pass_eval_context marked, and nothing else
_EVAL_CONTEXT_ONLY = {"jinja_pass_arg": jinja2.utils._PassArg.eval_context}

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b, "*": lambda a, b: a * b, "%": lambda a, b: a % b, "**": lambda a, b: a**b,
}


# ---------------------------------------------------------------- the code generator


# Every name pydantic's BaseModel gives a model: model_construct and
# model_validate build a story past the validators (the URL gate included: a
# constructed story's url="javascript:..." reached ui.story's href), copy() and
# model_copy(update=...) likewise, model_rebuild() rebuilds a class every
# renderer shares; pydantic's v1 names (construct, copy, dict, parse_obj) do not
# start with "model_", and a classmethod is bound to the class, not the model.
# A template reads a model's fields and mailkit's own properties, nothing else.
_BASEMODEL_NAMES = frozenset(dir(pydantic.BaseModel))


def _basemodel_machinery(obj: Any, attr: str) -> bool:
    if attr not in _BASEMODEL_NAMES:
        return False
    from ._media import Watched  # the stand-in a template gets for a story

    target = obj._target if isinstance(obj, Watched) else obj
    return isinstance(target, pydantic.BaseModel) or (
        isinstance(target, type) and issubclass(target, pydantic.BaseModel))


def _is_tick(node: nodes.Node) -> bool:
    # the budget check at the top of a loop or macro body: an expression
    # statement naming an environment attribute, which template source cannot
    # write (Jinja refuses custom node types)
    return (isinstance(node, nodes.ExprStmt) and isinstance(node.node, nodes.EnvironmentAttribute)
            and node.node.name == "mailkit_tick")


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator with the budget's checks compiled in.

    It also notes the names a template looks up in its context, as
    ``jinja2.meta.find_undeclared_variables`` does (its TrackingCodeGenerator
    runs this same walk only to collect them): compiled once, a template need
    not be parsed and walked again to learn them (see BoundedSandbox.introspected).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.undeclared: set[str] = set()

    def enter_frame(self, frame: Frame) -> None:
        super().enter_frame(frame)
        # jinja2.meta.TrackingCodeGenerator.enter_frame, line for line (equality tested)
        for _, (action, param) in frame.symbols.loads.items():
            if action == "resolve" and param not in self.environment.globals:
                self.undeclared.add(param)

    @staticmethod
    def _ticked(node: nodes.For | nodes.Macro | nodes.CallBlock) -> None:
        if not (node.body and _is_tick(node.body[0])):
            tick = nodes.ExprStmt(nodes.EnvironmentAttribute("mailkit_tick", lineno=node.lineno), lineno=node.lineno)
            node.body = [tick, *node.body]

    def visit_ExprStmt(self, node: nodes.ExprStmt, frame: Frame) -> None:
        if _is_tick(node):
            self.writeline("environment.mailkit_tick()", node)
        else:
            super().visit_ExprStmt(node, frame)

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        self._ticked(node)
        super().visit_For(node, frame)

    def visit_Macro(self, node: nodes.Macro, frame: Frame) -> None:
        self._ticked(node)
        super().visit_Macro(node, frame)

    def visit_CallBlock(self, node: nodes.CallBlock, frame: Frame) -> None:
        self._ticked(node)
        super().visit_CallBlock(node, frame)

    def _prints_in_one_call(self, frame: Frame, finalize: Any) -> bool:
        return (getattr(self.environment, "mailkit_print", None) is not None and finalize.src == "environment.finalize("
                and frame.eval_ctx.autoescape is True and not frame.eval_ctx.volatile)

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        # Jinja writes escape(environment.finalize(value)) for every {{ }} of an
        # escaping template; environment.mailkit_print(value) is the same in one
        # call, and does not copy a Markup that finalize returned (each {{ }}
        # printed a Markup made twice: 0.2 ms of a 60-story digest's compose)
        if self._prints_in_one_call(frame, finalize):
            self.write("environment.mailkit_print(")
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._prints_in_one_call(frame, finalize):
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # "a ~ b": each operand is already within the limit; the sum is checked
        self.write("environment.mailkit_checked(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox within :class:`mailkit.Limits` (see the module docstring),
    with its per-attribute safety verdict memoised.

    The verdict (no "_" names, no function/frame/code internals, no mutating
    methods of known mutable types) depends only on the object's type and the
    attribute's name, and the sandbox asks it on every attribute read: about
    a third of composing a digest.
    """

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset(_OPERATORS)
    # escape(finalize(value)) in one call, for {{ }} in an escaping template
    # (counting(..., escaping=True)); None: Jinja's own two calls
    mailkit_print: Callable[[Any], Any] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._safe: dict[tuple[type, str], bool] = {}
        # type -> whether obj[...] can do anything but raise TypeError (see getitem)
        self._subscriptable: dict[type, bool] = {}
        # template name -> (the context names it looks up, the templates it
        # extends, includes or imports; None for one named by a variable),
        # noted as it compiles (mailkit._compose.names_used reads it)
        self.introspected: dict[str, tuple[frozenset[str], tuple[str | None, ...]]] = {}
        self.filters = bound_filters(self.filters)
        self.globals["lipsum"] = _lipsum

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._safe.get(key)
        if verdict is None:
            if len(self._safe) > 4096:  # bounded: attribute names come from templates
                self._safe.clear()
            verdict = self._safe[key] = (super().is_safe_attribute(obj, attr, value)
                                         and not _basemodel_machinery(obj, attr))
        return verdict

    def getitem(self, obj: Any, argument: Any) -> Any:
        # jinja2.sandbox.SandboxedEnvironment.getitem (its source is pinned in
        # tests/test_fixed_cost.py) tries obj[argument] first, then the attribute.
        # On an object whose type has no __getitem__ (a model, a watched story) the
        # first can only raise TypeError, made and caught: map(attribute="name") and
        # selectattr("reported_from") over a story's authors made one an author, six
        # a breaking alert (about 1 us each warm, several times that after other
        # work). For such an object and a plain str, the attribute is read straight,
        # with the same checks; anything else goes Jinja's way.
        cls = type(obj)
        subscriptable = self._subscriptable.get(cls)
        if subscriptable is None:
            if len(self._subscriptable) > 1024:  # bounded: one entry per type met
                self._subscriptable.clear()
            # a class is subscripted through __class_getitem__ (list[int]): Jinja's way
            subscriptable = self._subscriptable[cls] = issubclass(cls, type) or hasattr(cls, "__getitem__")
        if subscriptable or type(argument) is not str:
            return super().getitem(obj, argument)
        try:
            value = getattr(obj, argument)
        except AttributeError:
            return self.undefined(obj=obj, name=argument)
        fmt = self.wrap_str_format(value)
        if fmt is not None:
            return fmt
        if self.is_safe_attribute(obj, argument, value):
            return value
        return self.unsafe_undefined(obj, argument)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # jinja2.sandbox.SandboxedEnvironment.getattr step for step (its source
        # is pinned in tests/test_adapters.py), with the memoised verdict read
        # here instead of through is_safe_attribute, and wrap_str_format asked
        # only about a method, the one kind of value it wraps: a template reads
        # about 900 attributes composing the 60-story digest, and this was
        # 0.3 ms of its 5 ms.
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                pass
        else:
            if isinstance(value, _METHODS):
                fmt = self.wrap_str_format(value)
                if fmt is not None:
                    return fmt
            verdict = self._safe.get((type(obj), attribute))
            if verdict is None:
                verdict = self.is_safe_attribute(obj, attribute, value)
            if verdict:
                return value
            return self.unsafe_undefined(obj, attribute)
        return self.undefined(obj=obj, name=attribute)

    def _generate(self, source: nodes.Template, name: str | None, filename: str | None,
                  defer_init: bool = False) -> str:
        # Jinja's hook for a different generate(): jinja2.compiler.generate's
        # own steps, keeping what the generator saw. Parsing and walking every
        # template a second time for its names was a third of a cold CLI render.
        if not isinstance(source, nodes.Template):
            raise TypeError("Can't compile non template nodes")
        references = tuple(jinja2.meta.find_referenced_templates(source))
        generator = _BoundedCodeGenerator(self, name, filename, None, defer_init, self.optimized)
        generator.visit(source)
        if name is not None:
            if len(self.introspected) > 1024:  # bounded: one entry per template compiled
                self.introspected.clear()
            self.introspected[name] = (frozenset(generator.undeclared), references)
        return cast(str, generator.stream.getvalue())  # type: ignore[attr-defined]  # a StringIO when none is given

    def get_template(self, name: str | jinja2.Template, parent: str | None = None,
                     globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        # Within checked_once(), a template the render has loaded is not
        # checked against its file again: Jinja's auto_reload check is a stat,
        # and a breaking alert asked for its 4 templates 9 times (the layout
        # and the child each import the partials, names_used() asks again).
        seen = _SEEN.get()
        if seen is None or globals is not None or not isinstance(name, str):
            return self._get_template(name, parent, globals)
        key = (self, name if parent is None else self.join_path(name, parent))
        template = seen.get(key)
        if template is None:
            template = seen[key] = self._get_template(name, parent, globals)
        return template

    def _get_template(self, name: str | jinja2.Template, parent: str | None,
                      globals: MutableMapping[str, Any] | None) -> jinja2.Template:
        # loading and compiling an included or imported template (the first
        # time) is not the template's own work: the clock waits for it, by the
        # time it took on the wall (at least its CPU time): read in user space,
        # where the CPU clock's two reads were system calls, 14 of a render's 45
        budget = _BUDGET.get()
        if budget is None:  # outside a render: nothing to wait for
            return super().get_template(name, parent, globals)
        start = _wall()
        try:
            return super().get_template(name, parent, globals)
        finally:
            budget.deadline += _wall() - start

    def select_template(self, *args: Any, **kwargs: Any) -> jinja2.Template:
        budget = _BUDGET.get()
        if budget is None:
            return super().select_template(*args, **kwargs)
        start = _wall()
        try:
            return super().select_template(*args, **kwargs)
        finally:
            budget.deadline += _wall() - start

    def add_filters(self, filters: dict[str, Callable[..., Any]]) -> None:
        """Add filters, bounded like Jinja's own."""
        self.filters.update(bound_filters(filters))

    # the generated code's check at the top of every loop body and macro: tick itself,
    # not a method that calls it (one Python call less, about 30 a breaking alert)
    mailkit_tick = staticmethod(tick)

    @staticmethod
    def mailkit_checked(value: Any) -> Any:
        return _check_value(value, "a '~' concatenation")

    def concat(self, parts: Iterable[str]) -> str:
        # every captured block, macro and caller() result: the size is known before the join
        items = parts if isinstance(parts, list) else list(parts)
        _check_size(sum(map(len, items)), "a macro's or block's output")
        return "".join(items)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return _binop(operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if type(__obj) is Macro and __obj._environment is __self and __self.is_safe_callable(__obj):
            # A template's own macro, or a {% call %} block's caller: what the
            # sandbox's call and jinja2.runtime.Context.call do for one (a
            # Macro's __call__ takes the eval context; a call in a loop or
            # block passes _loop_vars and _block_vars, for a callable that
            # takes the context only), without the checks below, which look at
            # str and model methods. Its result is joined by this environment's
            # concat(), whose size is checked (a macro of another environment,
            # an author's global, goes the long way). A macro call in three
            # layers of wrappers was 0.6 ms of the 5 ms a 60-story digest took
            # to compose (250 calls).
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            count = __obj._argument_count
            if (len(args) <= count and not (__obj.catch_kwargs or __obj.catch_varargs or __obj.explicit_caller)
                    and not __self.is_async
                    and (not kwargs or (kwargs.keys() - ("caller",) if __obj.caller else kwargs.keys())
                         <= set(__obj.arguments[len(args):]))):
                # Macro.__call__ and _invoke for the calls the templates make: the
                # arguments not given positionally are taken by name, else `missing`
                # (the macro's code puts its defaults in), the caller comes last (an
                # undefined one if none was given), and the result is Markup when the
                # template escapes. Anything else (too many arguments, a keyword the
                # macro does not take or got by position, *varargs, **kwargs) goes
                # through __call__, which fills or refuses them. Equality with Jinja's
                # own calls tested. Two Python frames less a call, and no KeyError
                # made for each argument a keyword call leaves out: 1.4 -> 0.75 us
                # (timeit), 19 calls composing a breaking alert.
                if kwargs:
                    args = (*args, *[kwargs.get(name, missing) for name in __obj.arguments[len(args):]])
                elif len(args) < count:
                    args = (*args, *(missing,) * (count - len(args)))
                if __obj.caller:
                    caller = kwargs.get("caller")
                    args = (*args, __self.undefined("No caller defined", name="caller") if caller is None else caller)
                result = __obj._func(*args)
                return Markup(result) if __context.eval_ctx.autoescape else result
            return __obj(__context.eval_ctx, *args, **kwargs)
        if type(__obj) is types.FunctionType and not __obj.__dict__:
            # A plain Python function with no attribute set on it (voice,
            # leaves_out, image_box ...): no __wrapped__ method to check, no
            # unsafe_callable or alters_data mark, no jinja_pass_arg, so the
            # long way below would only call it (200 calls composing a
            # 60-story digest: 0.2 ms).
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            return _check_value(__obj(*args, **kwargs), "a call's result")
        if type(__obj) is types.FunctionType and __obj.__dict__ == _EVAL_CONTEXT_ONLY:
            # A plain function marked pass_eval_context and nothing else: the
            # render's gettext (_() and gettext, about 15 calls a render). The
            # long way below finds no __wrapped__ method, no unsafe mark, and
            # Jinja's Context.call passes it the eval context first, as here
            # (pinned in tests/test_compose_speed.py): 1.0 us a call less.
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            try:
                result = __obj(__context.eval_ctx, *args, **kwargs)
            except StopIteration:  # as Context.call: an undefined value, not a generator's RuntimeError
                return __self.undefined("value was undefined because a callable raised a StopIteration exception")
            return _check_value(result, "a call's result")
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str):
            if method.__name__ in ("format", "format_map"):
                _check_brace_format(owner)
            else:
                args, kwargs = _str_method_check(method, args, kwargs)  # type: ignore[assignment]
        elif isinstance(owner, pydantic.BaseModel) and getattr(method, "__name__", "").startswith("model_"):
            raise SecurityError(f"{method.__name__}() is not available in templates")
        return _check_value(super().call(__context, __obj, *args, **kwargs), "a call's result")
