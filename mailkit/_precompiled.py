"""The packaged templates' compiled code, shipped in the package: a cold render compiles none of them.

Jinja compiles a template in three steps (parse, generate Python, compile
that Python), about 45 ms for the three templates of a breaking alert: a
seventh of a cold ``mailkit render``, paid by every run of the command. The
Python that Jinja generates for each packaged template is committed in
``mailkit/_compiled/`` (one module per template) and byte-compiled by ``pip
install`` like any module, so loading it is an unmarshal (0.2 ms).

The shipped code is used only when it is exactly what compiling would give:
the template file is the packaged one (not a caller's override), its text
has the recorded SHA-256, the installed Jinja is the version that generated
the code, and the environment has the settings the code was generated with.
Anything else compiles from source, as before. The index also records what
the code generator noted (the context names each template uses and the
templates it refers to), which ``names_used`` would otherwise parse again.

A template edited in this checkout falls back to compiling until the code is
generated again: ``python -m pytest tests/test_precompiled.py --force-regen``
(the snapshot tests' flag) writes it, and that test fails while it is stale.
Nothing here is written at render time.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2

from ._paths import TEMPLATES_DIR

__all__ = ["PACKAGE", "index_text", "module_name", "packaged_code", "settings_of", "source_hash"]

# the package of the generated modules (mailkit/_compiled/)
PACKAGE = "mailkit._compiled"


def module_name(template: str) -> str:
    """The generated module of template ``template`` (``layouts/base.mjml.j2`` -> ``t_layouts_base_mjml_j2``)."""
    return "t_" + re.sub(r"\W", "_", template)


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _code_digest(code: CodeType, digest: Any) -> None:
    # what a function does, not where it sits: its bytecode, names and constants (nested code
    # too), without its file or line numbers (the same code installed elsewhere is the same)
    digest.update(code.co_code)
    digest.update(repr((code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars)).encode())
    for const in code.co_consts:
        if isinstance(const, CodeType):
            _code_digest(const, digest)
        else:
            digest.update(_stable_repr(const).encode())


def _stable_repr(value: Any) -> str:
    # a frozenset constant (`x in {"a", "b"}`) prints in hash order, which differs per process
    if isinstance(value, frozenset):
        return "frozenset(" + repr(sorted(map(_stable_repr, value))) + ")"
    if isinstance(value, tuple):
        return "(" + ", ".join(map(_stable_repr, value)) + ",)"
    return repr(value)


@functools.cache
def _modules_digest(modules: tuple[str, ...]) -> str:
    """A digest of the code of every function and method defined in ``modules``."""
    digest = hashlib.sha256()
    for name in modules:
        module = sys.modules[name]
        for key, value in sorted(vars(module).items()):
            members = vars(value).items() if isinstance(value, type) and value.__module__ == name else [(key, value)]
            for _, member in sorted(members, key=lambda kv: kv[0]):
                func = getattr(member, "__func__", member)  # staticmethod, classmethod
                func = getattr(func, "fget", func)  # property
                code = getattr(func, "__code__", None)
                if isinstance(code, CodeType) and getattr(func, "__module__", None) == name:
                    _code_digest(code, digest)
    return digest.hexdigest()


def settings_of(environment: jinja2.Environment) -> str:
    """What the generated code depends on besides the template's text and Jinja's version:
    the environment's settings, and the code of mailkit's modules that parse templates and
    generate their code (the sandbox's code generator, the <mj-style> extension): a change
    to how mailkit generates code makes the shipped code stale, not silently used."""
    classes = [*type(environment).__mro__, *type(environment).code_generator_class.__mro__,
               *(c for ext in environment.extensions.values() for c in type(ext).__mro__)]
    modules = tuple(sorted({c.__module__ for c in classes if c.__module__.partition(".")[0] == "mailkit"}))
    return repr((_modules_digest(modules),
        type(environment).code_generator_class.__qualname__, bool(environment.autoescape), environment.optimized,
        environment.trim_blocks, environment.lstrip_blocks, environment.keep_trailing_newline,
        environment.newline_sequence, environment.block_start_string, environment.block_end_string,
        environment.variable_start_string, environment.variable_end_string, environment.comment_start_string,
        environment.comment_end_string, environment.line_statement_prefix, environment.line_comment_prefix,
        sorted(environment.extensions), getattr(environment, "newstyle_gettext", False),
    ))


def index_text(jinja_version: str, settings: str, entries: Mapping[str, tuple[str, Iterable[str], Iterable[str | None]]]) -> str:
    """The text of ``mailkit/_compiled/__init__.py``: per template, its source's hash, names and references."""
    lines = [
        '"""Generated from templates/ by tests/test_precompiled.py (--force-regen): do not edit.',
        "",
        "See mailkit._precompiled.",
        '"""',
        "",
        f"JINJA2 = {jinja_version!r}",
        f"SETTINGS = {settings!r}",
        "# template -> (SHA-256 of its text, the context names its code looks up, the templates it refers to)",
        "TEMPLATES = {",
    ]
    for name in sorted(entries):
        digest, names, references = entries[name]
        lines.append(f"    {name!r}: ({digest!r}, {tuple(sorted(names))!r}, {tuple(references)!r}),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _index() -> Any:
    try:
        # generated data, not one of mailkit's modules (tests/test_layers.py does not walk it)
        return importlib.import_module(PACKAGE)
    except ImportError:
        return None


def _refiled(code: CodeType, filename: str) -> CodeType:
    # the code as compiled from the template: Jinja names the template by its code's
    # file (Template.filename, tracebacks rewritten to template lines)
    consts = tuple(_refiled(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def packaged_code(environment: jinja2.Environment, name: str, filename: str, source: str) -> CodeType | None:
    """The shipped code of template ``name`` loaded from ``filename`` with text ``source``; None: compile it."""
    index = _index()
    if index is None or index.JINJA2 != jinja2.__version__:
        return None
    entry = index.TEMPLATES.get(name)
    if entry is None or Path(filename) != TEMPLATES_DIR / name:
        return None
    digest, names, references = entry
    if digest != source_hash(source) or settings_of(environment) != index.SETTINGS:
        return None
    spec = importlib.util.find_spec(f"{PACKAGE}.{module_name(name)}")
    if spec is None or spec.loader is None:
        return None
    code = spec.loader.get_code(spec.name)  # type: ignore[attr-defined]  # a SourceFileLoader: the .pyc if current
    if code is None:
        return None
    introspected = getattr(environment, "introspected", None)
    if introspected is not None:
        # what BoundedSandbox._generate notes as it generates the code
        introspected[name] = (frozenset(names), tuple(references))
    return _refiled(code, filename)
