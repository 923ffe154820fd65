"""Stage 1, compose: Jinja2 renders a template and the edition into MJML text.

The environment is sandboxed (templates cannot reach Python internals, the
environment or the file system beyond the template folders), autoescaping is
on, undefined names raise, and every value printed with ``{{ }}`` is encoded
for MRML (see :func:`mailkit.sanitize.encode_for_mrml`). Templates load only
from inside the template folders, symlinks resolved, and run within the
output, step and time limits of :class:`mailkit.Limits` (see :mod:`mailkit.sandbox`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import babel.dates
import jinja2
import jinja2.meta
from babel import Locale
from jinja2.sandbox import SecurityError
from markupsafe import Markup

from .errors import CatalogError, LimitExceededError, TemplateError, TemplateNotFoundError
from .languages import locale_of
from .paths import template_dirs
from .sandbox import BoundedSandbox, FolderLoader, counting, render_bounded
from .sanitize import LIMITS, encode_for_mrml

__all__ = ["TEMPLATE_SUFFIX", "TemplateInfo", "compose", "find_template", "list_templates", "names_used"]

TEMPLATE_SUFFIX = ".mjml.j2"
TEXT_SUFFIX = ".txt.j2"
_DESCRIPTION = re.compile(r"\{#-?\s*(.+?)\s*-?#\}", re.DOTALL)


def _finalize(value: Any) -> Any:
    # Runs before autoescape: plain strings are encoded for MRML here, so that
    # MRML's Debug re-encoding of attributes has nothing left to rewrite.
    if isinstance(value, Markup) or value is None:
        return value
    if isinstance(value, str):
        return Markup(encode_for_mrml(value))
    return value


_CSS_VALUE = re.compile(r"^[A-Za-z0-9 ,'\"#.%()\-]*$")


def css(value: Any) -> Markup:
    """Print a validated colour or font stack inside ``<mj-style>`` (no entity escaping in CSS)."""
    text = str(value)
    if not _CSS_VALUE.match(text):
        raise ValueError(f"unsafe CSS value {text[:40]!r}")
    return Markup(text)


@dataclass(frozen=True)
class _DateFormats:
    locale: Locale
    date: str  # "MMMM d, y"
    time: str  # "h:mm a"
    date_time: str  # "{1}, {0}": date, time
    full: str  # "EEEE, MMMM d, y"
    short: str | None  # "EEEE, MMMM d"; None: CLDR's nearest to that skeleton


# English keeps the newsroom's own patterns; every pattern is Babel's, not
# strftime's, whose names follow the process's LC_TIME
_ENGLISH = _DateFormats(Locale("en"), "MMMM d, y", "h:mm a", "{1}, {0}", "EEEE, MMMM d, y", "EEEE, MMMM d")


@lru_cache(maxsize=64)
def _date_formats(lang: str) -> _DateFormats:
    """CLDR's patterns for a language tag; English (and a tag CLDR does not know) gets ours."""
    loc = locale_of(lang)
    if loc is None or loc.language == "en":
        return _ENGLISH
    return _DateFormats(loc, loc.date_formats["long"].pattern, loc.time_formats["short"].pattern,
                        str(loc.datetime_formats["long"]), loc.date_formats["full"].pattern, None)


@jinja2.pass_context
def format_datetime(context: Any, value: datetime, timezone: str, style: str = "long", lang: str | None = None) -> str:
    """``May 20, 2014, 9:15 AM EDT`` in ``timezone`` (``style="time"``: ``9:15 AM EDT``;
    ``style="day"``: ``2014-05-20``, the day in ``timezone``),
    in the edition's language, or ``lang`` (a story's own): ``20 مايو 2014، 2:15 م BST``
    for ``lang="ar"`` (CLDR's patterns through Babel; the zone keeps its abbreviation)."""
    f = _date_formats(lang or context.get("lang") or "en")
    local = value.astimezone(ZoneInfo(timezone))
    if style == "day":  # the calendar day where the reader is: "same day?" compares these
        return local.date().isoformat()
    time = f"{babel.dates.format_datetime(local, f.time, locale=f.locale)} {local.tzname()}"
    if style == "time":
        return time
    return f.date_time.replace("{1}", babel.dates.format_datetime(local, f.date, locale=f.locale)).replace("{0}", time)


@jinja2.pass_context
def format_date(context: Any, value: date | datetime, style: str = "long") -> str:
    """``Tuesday, May 20, 2014`` (``style="short"``: ``Tuesday, May 20``), in the
    edition's language (``الثلاثاء، 20 مايو 2014``)."""
    f = _date_formats(context.get("lang") or "en")
    if style != "short":
        return babel.dates.format_date(value, f.full, locale=f.locale)
    if f.short is None:
        return babel.dates.format_skeleton("MMMMEEEEd", value, locale=f.locale)
    return babel.dates.format_date(value, f.short, locale=f.locale)


def join_names(names: Iterable[str], conjunction: str = "and") -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    items = [n for n in names if n]
    # Arabic and Hebrew: the conjunction is a prefix of the next word
    comma = {"و": "، ", "ו": ", "}.get(conjunction)
    if comma:
        return comma.join(items[:-1]) + (f" {conjunction}" + items[-1] if len(items) > 1 else "".join(items))
    if len(items) <= 2:
        return f" {conjunction} ".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def _is_template(path: Path) -> bool:
    return path.name.endswith(TEMPLATE_SUFFIX) and not path.name.startswith(("_", "base"))


@lru_cache(maxsize=32)
def _environment(dirs: tuple[Path, ...], text: bool = False) -> BoundedSandbox:
    # ``text``: the environment for explicit plain-text templates (TEMPLATE.txt.j2),
    # where HTML escaping would put entities into the text part.
    env = BoundedSandbox(
        loader=FolderLoader(dirs),
        autoescape=not text,
        undefined=jinja2.StrictUndefined,
        finalize=counting(None if text else _finalize, autoescape=not text),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,
        # {% trans %}, _() and ngettext: the callables come with each render's
        # context (mailkit.i18n.labels), never installed on this shared environment,
        # which several threads may render with at once in different languages
        extensions=["jinja2.ext.i18n"],
    )
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # named placeholders, escaped values
    env.add_filters({"css": css, "datetime": format_datetime, "date": format_date, "join_names": join_names})
    return env


@dataclass(frozen=True)
class TemplateInfo:
    """A template found in the template folders."""

    name: str
    path: Path
    description: str


def list_templates(extra_dirs: Iterable[str | Path] = ()) -> list[TemplateInfo]:
    """Every renderable template, caller folders overriding packaged ones of the same name."""
    found: dict[str, TemplateInfo] = {}
    for d in reversed(template_dirs(extra_dirs)):
        for path in sorted(d.glob(f"*{TEMPLATE_SUFFIX}")):
            # a link out of the folder is not read, not even for its description
            if not _is_template(path) or not path.resolve().is_relative_to(d.resolve()):
                continue
            name = path.name.removesuffix(TEMPLATE_SUFFIX)
            m = _DESCRIPTION.match(path.read_text(encoding="utf-8"))
            found[name] = TemplateInfo(name, path, m.group(1).splitlines()[0] if m else "")
    return [found[k] for k in sorted(found)]


_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def find_template(name: str, extra_dirs: Iterable[str | Path] = ()) -> str:
    """The loader name of template ``name`` (``"breaking"`` -> ``"breaking.mjml.j2"``)."""
    dirs = template_dirs(extra_dirs)
    filename = name + TEMPLATE_SUFFIX
    # a stat per folder: this runs on every render (list_templates reads every file)
    if _NAME.match(name) and _is_template(Path(filename)) and any((d / filename).is_file() for d in dirs):
        return filename
    names = [t.name for t in list_templates(extra_dirs)]
    raise TemplateNotFoundError(f"no template named {name!r} (templates: {', '.join(names)})")


def _template_line(err: BaseException) -> tuple[str | None, int | None]:
    # jinja2 rewrites tracebacks so that template frames carry the template's file and line.
    found: tuple[str | None, int | None] = (None, None)
    tb = err.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (Path(filename).name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def compose(template: str, context: Mapping[str, Any], *, extra_dirs: Iterable[str | Path] = (),
            suffix: str = TEMPLATE_SUFFIX) -> str:
    """Render template ``template`` (a name like ``"breaking"``) with ``context`` into MJML text."""
    env = _environment(tuple(template_dirs(extra_dirs)), suffix == TEXT_SUFFIX)
    name = find_template(template, extra_dirs) if suffix == TEMPLATE_SUFFIX else template + suffix
    try:
        return render_bounded(env.get_template(name), context, LIMITS)
    except jinja2.TemplateSyntaxError as err:
        raise TemplateError(err.message or str(err), template=Path(err.filename or err.name or name).name,
                            line=err.lineno) from err
    except jinja2.TemplateNotFound as err:
        tname, line = _template_line(err)
        raise TemplateError(f"template not found: {err.name}", template=tname or name, line=line) from err
    except (jinja2.UndefinedError, SecurityError) as err:
        tname, line = _template_line(err)
        raise TemplateError(str(err), template=tname or name, line=line) from err
    except (LimitExceededError, CatalogError):
        raise
    except RecursionError as err:
        raise TemplateError("recursion too deep", template=name) from err
    except Exception as err:
        tname, line = _template_line(err)
        raise TemplateError(f"{type(err).__name__}: {err}", template=tname or name, line=line) from err


def text_template_exists(template: str, extra_dirs: Iterable[str | Path] = ()) -> bool:
    """Whether ``TEMPLATE.txt.j2`` gives this template an explicit plain-text part."""
    return any((d / f"{template}{TEXT_SUFFIX}").is_file() for d in template_dirs(extra_dirs))



# (folders, template) -> (the templates it was worked out from, the names)
_NAMES_USED: dict[tuple[tuple[Path, ...], str], tuple[tuple[tuple[str, Any], ...], frozenset[str] | None]] = {}


def names_used(template: str, extra_dirs: Iterable[str | Path] = ()) -> frozenset[str] | None:
    """The context names (``article``, ``sections`` ...) that template ``template``
    and every template it extends, includes or imports refer to; ``None`` when
    that cannot be known (a template named by a variable, or one that does not load).

    Worked out from the templates' syntax trees once, and again when one of
    them changes on disk (Jinja's own reload check, a stat per template).
    """
    dirs = tuple(template_dirs(extra_dirs))
    env = _environment(dirs)
    key = (dirs, template + TEMPLATE_SUFFIX)
    try:
        hit = _NAMES_USED.get(key)
        if hit is not None and all(env.get_template(n) is t for n, t in hit[0]):
            return hit[1]
        loaded: dict[str, Any] = {}
        names: set[str] = set()
        known = True
        todo = [key[1]]
        while todo:
            name = todo.pop()
            if name in loaded:
                continue
            loaded[name] = env.get_template(name)
            tree = env.parse(env.loader.get_source(env, name)[0])  # type: ignore[union-attr]
            names |= jinja2.meta.find_undeclared_variables(tree)
            for ref in jinja2.meta.find_referenced_templates(tree):
                if ref is None:
                    known = False
                else:
                    todo.append(ref)
    except jinja2.TemplateError:  # compose() reports errors; here it only means "cannot tell"
        return None
    if len(_NAMES_USED) > 256:  # bounded: one entry per template and folder list
        _NAMES_USED.clear()
    result = frozenset(names) if known else None
    _NAMES_USED[key] = (tuple(loaded.items()), result)
    return result
