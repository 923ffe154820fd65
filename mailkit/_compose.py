"""Stage 1, compose: Jinja2 renders a template and the edition into MJML text.

The environment is sandboxed (templates cannot reach Python internals, the
environment or the file system beyond the template folders), autoescaping is
on, undefined names raise, and every value printed with ``{{ }}`` is encoded
for MRML (see :func:`mailkit._sanitize.encode_for_mrml`). Templates load only
from inside the template folders, symlinks resolved, and run within the
output, step and time limits of :class:`mailkit.Limits` (see :mod:`mailkit._sandbox`).
"""

from __future__ import annotations

import os
import re
import stat
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import babel.dates
import jinja2
import jinja2.meta
from babel import Locale
from jinja2.sandbox import SecurityError
from markupsafe import Markup

from ._errors import CatalogError, LimitExceededError, MailkitError, TemplateError, TemplateNotFoundError, shown
from ._fixtures import fixture_files, load_edition
from ._i18n import script_of
from ._languages import calendar_of, in_digits, locale_of
from ._paths import TEMPLATE_NAME, TEMPLATES_DIR, template_dirs
from ._precompiled import index_text, module_name, packaged_code, settings_of, source_hash
from ._sandbox import (
    BoundedSandbox,
    FolderLoader,
    checked_once,
    counting,
    file_stat,
    file_stat_if_there,
    render_bounded,
)
from ._sanitize import Limits, current_limits, encode_for_mrml
from ._stylesheet import StyleContext, UnsafeCssValue, check_styles, css

__all__ = [
    "MAILKIT_FILTERS",
    "TEMPLATE_SUFFIX",
    "TemplateInfo",
    "Templates",
    "builtin_names",
    "compose",
    "find_template",
    "fixture_pairs",
    "list_templates",
    "names_used",
    "shared_templates",
]

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


# a date pattern's fields and quoted literals (CLDR's date field symbols; "''" is a quote)
_PATTERN_FIELD = re.compile(r"'(?:[^']|'')*'|([GyYuMLd])\1*")
# the Buddhist era's name in Thai (CLDR's th.xml, calendar "buddhist", eraAbbr): Babel
# loads only the Gregorian calendar's names
_BUDDHIST_ERA = "พ.ศ."


def _in_calendar(pattern: str, value: date, tag: str) -> str:
    """``pattern`` with its year, month and day fields written out for ``tag``'s calendar,
    as quoted literals (the weekday, the time and the rest stay Babel's); for the Gregorian
    calendar, ``pattern`` itself.

    Babel formats only the Gregorian calendar; the Solar Hijri date comes from jdatetime
    (its month names are Iran's, CLDR's "persian" calendar in fa), the Buddhist era's year is
    the Gregorian one plus 543.
    """
    calendar = calendar_of(tag)
    if calendar == "gregorian":
        return pattern
    if calendar == "persian":
        import jdatetime  # loaded for a Persian edition only

        try:
            solar = jdatetime.date.fromgregorian(date=value if type(value) is date else date(value.year, value.month, value.day))
        except ValueError:
            # jdatetime writes years 1 to 9377 AP (622 to 9998 CE); a date the models take outside
            # them (0001-01-02 .. 9999-12-30) is written Gregorian, not a TemplateError
            return pattern
        year, month, day = solar.year, solar.month, solar.day
        # Iran's names in the Arabic script (Persian, and Arabic or Urdu lines); in a line of
        # another script, jdatetime's Latin ones ("Aban"), as CLDR's English: "24. آبان 1403"
        # in a German line (de-u-ca-persian) mixed scripts as langs11's labels did
        names = jdatetime.date.j_months_fa if script_of(tag) == "Arab" else jdatetime.date.j_months_en
        month_name = names[month - 1]
        era = ""
    else:
        year, month, day = value.year + 543, value.month, value.day
        month_name = ""
        # CLDR's eraAbbr for the Buddhist calendar: Thai's in Thai, "BE" in every other script
        era = _BUDDHIST_ERA if script_of(tag) == "Thai" else "BE"
    # a year of another era in a pattern without an era field ("MMMM d, y": English) read as a
    # Gregorian year 543 years ahead; it is written with its era, as CLDR's Buddhist patterns do
    bare_year = bool(era) and not any(m.group(1) == "G" for m in _PATTERN_FIELD.finditer(pattern))

    def field(m: re.Match[str]) -> str:
        symbol = m.group(1)
        width = len(m.group())
        if symbol in "yYu":
            written = f"{year:0{width}d}" if width != 2 else f"{year % 100:02d}"
            return f"'{written} {era}'" if bare_year else f"'{written}'"
        if symbol in "ML":
            if width >= 3 and month_name:
                return f"'{month_name}'"
            return m.group() if width >= 3 else f"'{month:0{width}d}'"  # Thai: the Gregorian month's names
        if symbol == "d":
            return f"'{day:0{width}d}'"
        if symbol == "G":
            return f"'{era}'" if era else m.group()
        return m.group()  # a quoted literal

    return _PATTERN_FIELD.sub(field, pattern)


def _labels_language(context: Any, tag: str) -> str:
    """The language a date is written in: that of the labels around it (``Updated {time}``),
    which is English for a language without a catalog (see _i18n.labels), so that one line
    never mixes an English label with a Thai or Korean date."""
    labels_in = context.get("labels_in")
    return labels_in(tag).lang if callable(labels_in) else tag


@jinja2.pass_context
def format_datetime(context: Any, value: datetime, timezone: str, style: str = "long", lang: str | None = None) -> str:
    """``May 20, 2014, 9:15 AM EDT`` in ``timezone`` (``style="time"``: ``9:15 AM EDT``;
    ``style="day"``: ``2014-05-20``, the day in ``timezone``),
    in the edition's language, or ``lang`` (a story's own): ``20 مايو 2014، 2:15 م BST``
    for ``lang="ar"`` (CLDR's patterns through Babel; the zone keeps its abbreviation)."""
    tag = _labels_language(context, lang or context.get("lang") or "en")
    f = _date_formats(tag)
    local = value.astimezone(ZoneInfo(timezone))
    if style == "day":  # the calendar day where the reader is: "same day?" compares these
        return local.date().isoformat()
    # the language's own digits (Persian ۱۳, Bengali ১৩): Babel writes ASCII ones; the
    # zone's abbreviation keeps its letters and digits ("GMT+3")
    time = f"{in_digits(babel.dates.format_datetime(local, f.time, locale=f.locale), tag)} {local.tzname()}"
    if style == "time":
        return time
    day = in_digits(babel.dates.format_datetime(local, _in_calendar(f.date, local.date(), tag), locale=f.locale), tag)
    return f.date_time.replace("{1}", day).replace("{0}", time)


@jinja2.pass_context
def format_date(context: Any, value: date | datetime, style: str = "long") -> str:
    """``Tuesday, May 20, 2014`` (``style="short"``: ``Tuesday, May 20``), in the
    edition's language (``الثلاثاء، 20 مايو 2014``)."""
    tag = _labels_language(context, context.get("lang") or "en")
    f = _date_formats(tag)
    if style != "short":
        pattern = f.full
    elif f.short is None:  # what babel.dates.format_skeleton picks
        skeletons = f.locale.datetime_skeletons
        pattern = str(skeletons[babel.dates.match_skeleton("MMMMEEEEd", skeletons)])
    else:
        pattern = f.short
    day = value.date() if isinstance(value, datetime) else value
    return in_digits(babel.dates.format_date(value, _in_calendar(pattern, day, tag), locale=f.locale), tag)


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


# mailkit's own filters, in every environment; a Renderer's ``filters`` may not replace them
MAILKIT_FILTERS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {"css": css, "datetime": format_datetime, "date": format_date, "join_names": join_names})


def _is_template(path: Path) -> bool:
    return _is_template_file(path.name)


def _is_template_file(filename: str) -> bool:
    return filename.endswith(TEMPLATE_SUFFIX) and not filename.startswith(("_", "base"))


def _new_environment(dirs: tuple[Path, ...], text: bool = False) -> BoundedSandbox:
    # ``text``: the environment for explicit plain-text templates (TEMPLATE.txt.j2),
    # where HTML escaping would put entities into the text part.
    env = BoundedSandbox(
        loader=FolderLoader(dirs, compiled=packaged_code),
        autoescape=not text,
        undefined=jinja2.StrictUndefined,
        finalize=counting(None if text else _finalize, autoescape=not text),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,
        # Jinja's optimizer folds constant expressions while generating code,
        # visiting every expression again: a fifth of generating the code (25 ->
        # 19 ms for the three templates of a breaking alert, a cold render's
        # first use), and it folds nothing in the shipped templates, whose code
        # is the same with it off (tested). A constant the author writes
        # ({{ "x" | upper }}) is then computed at render time, within the limits.
        optimized=False,
        # {% trans %}, _() and ngettext: the callables come with each render's
        # context (mailkit._i18n.labels), never installed on this shared environment,
        # which several threads may render with at once in different languages
        # inside <mj-style>, {{ }} prints CSS: checked and unescaped (mailkit._stylesheet)
        extensions=["jinja2.ext.i18n"] if text else ["jinja2.ext.i18n", StyleContext],
    )
    if not text:
        env.mailkit_print = counting(_finalize, autoescape=True, escaping=True, encode=encode_for_mrml)
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # named placeholders, escaped values
    env.add_filters(dict(MAILKIT_FILTERS))
    # css's result is its argument's text with double quotes made single, the
    # same length: no bigger than a value the template already holds, so the
    # size check every other filter's result has is left out (css prints every
    # {{ }} in <mj-style>, about 40 a render: 0.6 -> 0.25 us each)
    env.filters["css"] = css
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


def fixture_pairs(template_dirs: Iterable[str | Path], fixture_dirs: Iterable[str | Path] = (), *,
                  files: Iterable[Path] | None = None,
                  broken: list[tuple[Path, MailkitError]] | None = None) -> list[tuple[str, Path]]:
    """Every (template, fixture file) pair in ``fixture_dirs``, by the templates each fixture names.

    The one matrix of ``mailkit check --all``, the preview's index, the pytest
    plugin's ``mailkit_pair`` and mailkit's own snapshot tests. ``files``
    reads those fixture files instead of the folders' (the preview's, symlinks
    out of a folder left out). A fixture that fails to load raises its
    :class:`MailkitError`, unless ``broken`` is a list: then it is added there
    with its error and the others are read (the preview lists it so).
    """
    template_dirs = tuple(template_dirs)
    names = {t.name for t in list_templates(template_dirs)}
    if files is None:
        files = [path for folder in fixture_dirs for path in fixture_files(folder)]
    found: list[tuple[str, Path]] = []
    for path in files:
        try:
            templates = load_edition(path, extra_dirs=template_dirs).templates
        except MailkitError as err:
            if broken is None:
                raise
            broken.append((path, err))
            continue
        found.extend((template, path) for template in templates if template in names)
    return found


_NAME = re.compile(TEMPLATE_NAME)


def _is_file(path: str) -> bool:
    st = file_stat(path)  # within a render, the stat the loader's check reuses
    return st is not None and stat.S_ISREG(st.st_mode)


def _template_file(name: str, dirs: Iterable[Path]) -> str | None:
    filename = name + TEMPLATE_SUFFIX
    # a stat per folder: this runs on every render (list_templates reads every file)
    # (the name has no "/": _NAME; a Path made of it was 1.5 us of each render's find)
    # a loop, not any() over a generator: closing one that found the file throws GeneratorExit
    # into it (an error made a find, two finds a render)
    if _NAME.match(name) and _is_template_file(filename):
        for d in dirs:
            if _is_file(os.path.join(d, filename)):
                return filename
    return None


def _no_template(name: str, extra_dirs: Iterable[str | Path]) -> TemplateNotFoundError:
    names = [t.name for t in list_templates(extra_dirs)]
    return TemplateNotFoundError(f"no template named {shown(name)} (templates: {', '.join(names)})")


def find_template(name: str, extra_dirs: Iterable[str | Path] = ()) -> str:
    """The loader name of template ``name`` (``"breaking"`` -> ``"breaking.mjml.j2"``)."""
    found = _template_file(name, template_dirs(extra_dirs))
    if found is None:
        raise _no_template(name, extra_dirs)
    return found


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


def text_template_exists(template: str, extra_dirs: Iterable[str | Path] = ()) -> bool:
    """Whether ``TEMPLATE.txt.j2`` gives this template an explicit plain-text part."""
    return _has_text_template(template, template_dirs(extra_dirs))


def _has_text_template(template: str, dirs: Iterable[Path]) -> bool:
    # asked every render, and nearly always not there: no FileNotFoundError made (file_stat_if_there)
    for d in dirs:
        st = file_stat_if_there(os.path.join(d, f"{template}{TEXT_SUFFIX}"))
        if st is not None and stat.S_ISREG(st.st_mode):
            return True
    return False



# (template) -> (the templates it was worked out from, the names)
_NamesUsed = dict[str, tuple[tuple[tuple[str, Any], ...], frozenset[str] | None]]


class Templates:
    """The templates of one search path: its two sandboxed Jinja environments
    (MJML, and plain text for ``TEMPLATE.txt.j2``), whose compiled templates
    they cache and reload when a file changes, and what each template refers to.

    A :class:`mailkit.Renderer` owns one; ``filters`` and ``globals`` are its
    author's additions, in these environments only. ``dirs`` is the whole
    search path, as :func:`mailkit._paths.template_dirs` gives it (caller
    folders first, the packaged one last). Safe to use from several threads.
    """

    def __init__(self, dirs: Iterable[Path], *, filters: Mapping[str, Callable[..., Any]] | None = None,
                 globals: Mapping[str, Any] | None = None) -> None:
        self.dirs = tuple(dirs)
        # the caller's folders: what the lookup functions below take (they add the packaged one)
        self._extra = self.dirs[:-1]
        self._filters = dict(filters or {})
        self._globals = dict(globals or {})
        self._environments: dict[bool, BoundedSandbox] = {}
        self._lock = threading.Lock()
        self._names_used: _NamesUsed = {}

    def environment(self, text: bool = False) -> BoundedSandbox:
        """The MJML environment (``text=True``: the plain-text one, without HTML escaping)."""
        env = self._environments.get(text)
        if env is None:
            with self._lock:  # one per Templates, however many threads ask first
                env = self._environments.get(text)
                if env is None:
                    env = _new_environment(self.dirs, text)
                    env.add_filters(self._filters)
                    env.globals.update(self._globals)
                    self._environments[text] = env
        return env

    def find(self, name: str) -> str:
        """The loader name of template ``name`` (``"breaking"`` -> ``"breaking.mjml.j2"``)."""
        # self.dirs: the folders as they were resolved when this was made, as its loader reads them
        found = _template_file(name, self.dirs)
        if found is None:
            raise _no_template(name, self._extra)
        return found

    def list_templates(self) -> list[TemplateInfo]:
        """Every renderable template in these folders (see :func:`list_templates`)."""
        return list_templates(self._extra)

    def has_text_template(self, template: str) -> bool:
        """Whether ``TEMPLATE.txt.j2`` gives this template an explicit plain-text part."""
        return _has_text_template(template, self.dirs)

    def compose(self, template: str, context: Mapping[str, Any], suffix: str = TEMPLATE_SUFFIX,
                limits: Limits | None = None) -> str:
        """Render template ``template`` (a name like ``"breaking"``) with ``context`` into MJML text,
        within ``limits`` (the limits in force: :func:`mailkit._sanitize.current_limits`)."""
        env = self.environment(suffix == TEXT_SUFFIX)
        name = self.find(template) if suffix == TEMPLATE_SUFFIX else template + suffix
        try:
            with checked_once():  # the layout and the template both import the partials: one look
                mjml = render_bounded(env.get_template(name), context, limits or current_limits())
        except jinja2.TemplateSyntaxError as err:
            raise TemplateError(err.message or str(err), template=Path(err.filename or err.name or name).name,
                                line=err.lineno) from err
        except jinja2.TemplateNotFound as err:
            tname, line = _template_line(err)
            raise TemplateError(f"template not found: {err.name}", template=tname or name, line=line) from err
        except (jinja2.UndefinedError, SecurityError, UnsafeCssValue) as err:
            tname, line = _template_line(err)
            raise TemplateError(str(err), template=tname or name, line=line) from err
        except (LimitExceededError, CatalogError):
            raise
        except RecursionError as err:
            raise TemplateError("recursion too deep", template=name) from err
        except Exception as err:
            tname, line = _template_line(err)
            raise TemplateError(f"{type(err).__name__}: {err}", template=tname or name, line=line) from err
        if suffix == TEMPLATE_SUFFIX:
            problem = check_styles(mjml)
            if problem is not None:
                raise TemplateError(problem, template=name)
        return mjml

    def names_used(self, template: str) -> frozenset[str] | None:
        """The context names (``article``, ``sections`` ...) that template ``template``
        and every template it extends, includes or imports refer to; ``None`` when
        that cannot be known (a template named by a variable, or one that does not load).

        Worked out from the templates' syntax trees once, and again when one of
        them changes on disk (Jinja's own reload check, a stat per template).
        """
        env = self.environment()
        key = template + TEMPLATE_SUFFIX
        try:
            hit = self._names_used.get(key)
            if hit is not None and all(env.get_template(n) is t for n, t in hit[0]):
                return hit[1]
            loaded: dict[str, Any] = {}
            names: set[str] = set()
            known = True
            todo = [key]
            while todo:
                name = todo.pop()
                if name in loaded:
                    continue
                loaded[name] = env.get_template(name)
                # noted as it compiled (sandbox.BoundedSandbox._generate); parsed
                # again only if the note was dropped (the notes are bounded)
                found = env.introspected.get(name)
                if found is None:
                    tree = env.parse(env.loader.get_source(env, name)[0])  # type: ignore[union-attr]
                    found = (frozenset(jinja2.meta.find_undeclared_variables(tree)),
                             tuple(jinja2.meta.find_referenced_templates(tree)))
                names |= found[0]
                for ref in found[1]:
                    if ref is None:
                        known = False
                    else:
                        todo.append(ref)
        except jinja2.TemplateError:  # compose() reports errors; here it only means "cannot tell"
            return None
        if len(self._names_used) > 256:  # bounded: one entry per template name asked about
            self._names_used.clear()
        result = frozenset(names) if known else None
        self._names_used[key] = (tuple(loaded.items()), result)
        return result


def precompiled_files() -> dict[str, str]:
    """The files of ``mailkit/_compiled/`` for the packaged templates as they are now: the
    code Jinja generates for each (see :mod:`mailkit._precompiled`), and the index.

    tests/test_precompiled.py checks the committed files against these and,
    with ``--force-regen``, writes them.
    """
    env = _new_environment((TEMPLATES_DIR,))
    entries: dict[str, tuple[str, frozenset[str], tuple[str | None, ...]]] = {}
    files = {}
    for path in sorted(TEMPLATES_DIR.rglob("*" + TEMPLATE_SUFFIX)):
        name = path.relative_to(TEMPLATES_DIR).as_posix()
        source = path.read_text(encoding="utf-8")
        code = env.compile(source, name, str(path), raw=True)
        names, references = env.introspected[name]
        entries[name] = (source_hash(source), names, references)
        # a comment at the end: one at the top would move every line the code's debug_info maps
        files[f"{module_name(name)}.py"] = f"{code}\n\n# Generated by Jinja from templates/{name} (mailkit._precompiled): do not edit.\n"
    files["__init__.py"] = index_text(jinja2.__version__, settings_of(env), entries)
    return files


@lru_cache(maxsize=1)
def builtin_names() -> tuple[frozenset[str], frozenset[str]]:
    """The filters and globals every environment has: Jinja's, the sandbox's and mailkit's."""
    env = _new_environment(())
    return frozenset(env.filters), frozenset(env.globals)


@lru_cache(maxsize=32)
def shared_templates(dirs: tuple[Path, ...]) -> Templates:
    """The :class:`Templates` of a search path without author filters or globals,
    shared by the module-level functions (``mailkit.render()`` and the ones below)."""
    return Templates(dirs)


def _environment(dirs: tuple[Path, ...], text: bool = False) -> BoundedSandbox:
    return shared_templates(dirs).environment(text)


def compose(template: str, context: Mapping[str, Any], *, extra_dirs: Iterable[str | Path] = (),
            suffix: str = TEMPLATE_SUFFIX) -> str:
    """Render template ``template`` (a name like ``"breaking"``) with ``context`` into MJML text."""
    return shared_templates(tuple(template_dirs(extra_dirs))).compose(template, context, suffix)


def names_used(template: str, extra_dirs: Iterable[str | Path] = ()) -> frozenset[str] | None:
    """:meth:`Templates.names_used` for the templates in ``extra_dirs`` and the packaged ones."""
    return shared_templates(tuple(template_dirs(extra_dirs))).names_used(template)
