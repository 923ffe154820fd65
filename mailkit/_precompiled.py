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
the code, and the environment has the settings and mailkit's code generator
(the source of mailkit/_sandbox.py and _stylesheet.py) it was generated with.
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
import importlib.machinery
import importlib.util
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import CodeType
from typing import Any, cast

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


@functools.cache
def _modules_digest(modules: tuple[str, ...]) -> str:
    """A digest of the source files of ``modules`` (mailkit's own, in the package: read once a process).

    Their text, not their bytecode: the bytecode differs between Python versions, and the
    generated code is the same on all of them. A module without its source file (a
    sourceless install) digests as ``"?"``, which matches no index: templates compile.
    """
    digest = hashlib.sha256()
    for name in modules:
        try:
            digest.update(Path(sys.modules[name].__file__ or "").read_bytes())
        except OSError:
            return "?"
    return digest.hexdigest()


def settings_of(environment: jinja2.Environment) -> str:
    """What the generated code depends on besides the template's text and Jinja's version:
    the environment's settings, and the source of mailkit's modules that parse templates and
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


def _module_code(module: str) -> CodeType | None:
    """The code object of ``module`` (its ``.pyc`` if current), without running it; None: not found.

    An import hook may stand in front of the file loader: pytest's
    AssertionRewritingHook loads every module of a plugin's distribution
    (mailkit installed from its wheel registers mailkit.pytest_plugin), and its
    loader has no ``get_code``. The file is then read with the standard loader.
    """
    spec = importlib.util.find_spec(module)
    if spec is None:
        return None
    get_code = getattr(spec.loader, "get_code", None)
    if get_code is not None:
        return cast("CodeType | None", get_code(spec.name))  # a SourceFileLoader: the .pyc if current
    if spec.origin is None or not spec.origin.endswith(".py") or not Path(spec.origin).is_file():
        return None
    return importlib.machinery.SourceFileLoader(spec.name, spec.origin).get_code(spec.name)


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
    code = _module_code(f"{PACKAGE}.{module_name(name)}")
    if code is None:
        return None
    introspected = getattr(environment, "introspected", None)
    if introspected is not None:
        # what BoundedSandbox._generate notes as it generates the code
        introspected[name] = (frozenset(names), tuple(references))
    return _refiled(code, filename)
