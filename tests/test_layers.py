"""Layers point one way: every import inside mailkit goes down (or across), never up, never round.

:data:`LAYERS` is the one table of which module sits in which layer (README's
"Package layout" states it, and a test below keeps the two the same). Every
``import`` and ``from ... import`` of every mailkit module is walked with
:mod:`ast`: at module level, inside functions and methods, under ``if
TYPE_CHECKING:``; an import hidden in a function to dodge a cycle is still an
arrow. The test fails on a cycle, on an arrow from a lower layer to a higher
one, and on a module missing from the table.

Module names are strings relative to the package (``"compose"``), so renaming
a module to a private name (``"_compose"``) is a rename here too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mailkit"

LAYER_NAMES = {
    0: "foundations",
    1: "models",
    2: "stages",
    3: "pipeline",
    4: "delivery",
    5: "front ends",
}

LAYERS: dict[str, int] = {
    # 0 foundations: errors, where files are, untrusted-input rules and limits, reading data files
    "_errors": 0,
    "_deferred": 0,  # modules imported on first use (requests for premailer, importlib.metadata for pydantic)
    "_paths": 0,
    "_embeds": 0,  # embeds become link cards before the sanitiser's allowlist sees them
    "_office": 0,  # Word and Outlook HTML made into the HTML it means, before the allowlist
    "_sanitize": 0,
    "_mojibake": 0,  # text decoded twice by a CMS or a wire, repaired with ftfy (loaded on first use)
    "_reader": 0,
    "_languages": 0,  # BCP 47 tags: checked, and mapped to CLDR locales
    "_markers": 0,
    "_context": 0,  # the names every template receives: the renderer's and the reference's one table  # the class names and data-text values templates and Python share
    "_warning": 0,  # a warning's code, field and template: made at every stage
    # one adapter per dependency whose private names mailkit relies on (tests/test_adapters.py)
    "_cssutils": 0,
    "_feedparser": 0,
    "_html2text": 0,
    "_mrml": 0,
    "_premailer": 0,
    "_pydantic": 0,
    "_yaml": 0,
    # 1 models: what an edition is, and how one is read (fixture files, themes, feeds)
    "_models": 1,
    "_fixtures": 1,
    "_editions": 1,
    # 2 stages: each step of the pipeline and what the templates are given
    "_sandbox": 2,
    "_precompiled": 2,  # the packaged templates' code, shipped compiled
    "_compose": 2,
    "_compile": 2,
    "_inline": 2,
    "_text": 2,
    "_links": 2,
    "_media": 2,
    "_i18n": 2,
    "_slots": 2,
    "_stylesheet": 2,  # CSS values in <mj-style>: checked, then printed unescaped
    "reference": 2,  # the template reference: the context table, and the page made from the code  # recipient placeholders: made in a render, cut and filled per reader
    # 3 pipeline: the stages put together, the rendered email, its message and its checks
    "_message": 3,
    "_policy": 3,
    "_personalize": 3,
    "_spam": 3,
    "_checks": 3,
    "_render": 3,
    # 4 delivery: sending the messages
    "_send": 4,
    "_smtp": 4,
    "_journal": 4,
    "_dkim": 4,
    "_deliver": 4,
    "celery": 4,
    # 5 front ends: the public package, the command line, the preview, the pytest plugin
    "__init__": 5,
    "__main__": 5,
    "_cli": 5,
    "_preview": 5,
    "pytest_plugin": 5,
    "_scaffold": 5,
}

# The modules a caller may import; everything else is internal (to become "_name").
PUBLIC = {"__init__", "celery", "pytest_plugin", "reference"}


@dataclass(frozen=True)
class Arrow:
    """One import: ``source`` imports ``target`` at ``line``."""

    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"mailkit/{self.source.replace('.', '/')}.py:{self.line} imports {self.target}"


def package_modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package, by its dotted name relative to the package (``"__init__"``, ``"compose"``)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).parts[0] == "_compiled":
            continue  # the code Jinja generated for the packaged templates, read as data (mailkit._precompiled)
        parts = list(path.relative_to(package).with_suffix("").parts)
        found[".".join(parts)] = path
    return found


def _package_of(module: str) -> list[str]:
    """The package a module's relative imports start from (``"__init__"`` is the package itself)."""
    parts = module.split(".")
    return parts[:-1]


def _resolve(dotted: list[str], modules: set[str]) -> str:
    """The module that importing ``dotted`` (relative to the package) runs: the longest prefix that is one."""
    for end in range(len(dotted), 0, -1):
        name = ".".join(dotted[:end])
        if name in modules:
            return name
        if f"{name}.__init__" in modules:
            return f"{name}.__init__"
    return "__init__"


def imports(module: str, source: str, modules: set[str]) -> Iterator[Arrow]:
    """Every arrow from ``module`` to another mailkit module, wherever the import statement is."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        targets: list[list[str]] = []
        if isinstance(node, ast.Import):
            targets = [alias.name.split(".")[1:] for alias in node.names
                       if alias.name == "mailkit" or alias.name.startswith("mailkit.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(module)
                if node.level > 1:
                    base = base[: len(base) - (node.level - 1)]
            elif node.module == "mailkit" or (node.module or "").startswith("mailkit."):
                base = []
            else:
                continue
            dotted = base + (node.module.split(".") if node.module else [])
            if node.module and not node.level:
                dotted = dotted[1:]  # the absolute form names the package first
            # "from . import text" imports the module text; "from .render import render" the module render
            targets = [[*dotted, alias.name] for alias in node.names]
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str) and node.args[0].value.startswith("mailkit")
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name) and node.func.id in {"import_module", "__import__"}))):
            targets = [node.args[0].value.split(".")[1:]]
        for dotted in targets:
            target = _resolve(dotted, modules)
            if target != module:
                yield Arrow(module, target, node.lineno)


def arrows(package: Path = PACKAGE) -> list[Arrow]:
    """Every import between mailkit's modules."""
    modules = package_modules(package)
    names = set(modules)
    return [arrow for name, path in modules.items()
            for arrow in imports(name, path.read_text(encoding="utf-8"), names)]


def cycles(edges: list[Arrow]) -> list[tuple[set[str], list[Arrow]]]:
    """Each group of modules that import each other round (Tarjan), and one cycle through it as its arrows."""
    graph: dict[str, list[Arrow]] = {}
    for arrow in edges:
        graph.setdefault(arrow.source, []).append(arrow)
        graph.setdefault(arrow.target, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for arrow in graph[node]:
            if arrow.target not in index:
                connect(arrow.target)
                low[node] = min(low[node], low[arrow.target])
            elif arrow.target in on_stack:
                low[node] = min(low[node], index[arrow.target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    found = []
    for group in groups:
        # a path from the group's first member back to it, inside the group (breadth first: the shortest)
        start = min(group)
        paths: dict[str, list[Arrow]] = {start: []}
        queue = [start]
        while queue:
            node = queue.pop(0)
            for arrow in graph[node]:
                if arrow.target == start:
                    found.append((group, paths[node] + [arrow]))
                    queue = []
                    break
                if arrow.target in group and arrow.target not in paths:
                    paths[arrow.target] = paths[node] + [arrow]
                    queue.append(arrow.target)
    return found


def layer_problems(edges: list[Arrow], modules: set[str], layers: dict[str, int]) -> list[str]:
    """What is wrong with ``edges`` against ``layers``: modules missing from the table, upward arrows, cycles."""
    problems = [f"mailkit/{name}.py is in no layer: add it to LAYERS in tests/test_layers.py and to README's "
                "'Package layout'" for name in sorted(modules - set(layers))]
    problems += [f"LAYERS names {name!r}, which is no module of mailkit" for name in sorted(set(layers) - modules)]
    for arrow in edges:
        if arrow.source in layers and arrow.target in layers and layers[arrow.source] < layers[arrow.target]:
            problems.append(f"{arrow}: layer {layers[arrow.source]} ({LAYER_NAMES[layers[arrow.source]]}) imports "
                            f"layer {layers[arrow.target]} ({LAYER_NAMES[layers[arrow.target]]})")
    for group, cycle in cycles(edges):
        problems.append(f"import cycle among {', '.join(sorted(group))}, for one "
                        + " -> ".join([cycle[0].source, *(a.target for a in cycle)]) + ": " + "; ".join(map(str, cycle)))
    return problems


def test_imports_point_down_the_layers_and_never_round() -> None:
    edges = arrows()
    assert len(edges) > 100  # the walk found mailkit's imports (not vacuously empty)
    problems = layer_problems(edges, set(package_modules()), LAYERS)
    assert not problems, "\n".join(problems)


# -- the checker itself: it must see what it is there to see ------------------------------


def _write(folder: Path, files: dict[str, str]) -> Path:
    package = folder / "mailkit"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


def test_the_walk_sees_every_kind_of_import(tmp_path: Path) -> None:
    package = _write(tmp_path, {
        "__init__.py": "from .a import x\n",
        "a.py": "import os\nfrom . import b\n",
        "b.py": "def f():\n    from .c import y\n",
        "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .d import Z\n",
        "d.py": "import mailkit.e\n",
        "e.py": "class K:\n    def m(self):\n        from mailkit import f\n",
        "f.py": "import importlib\nimportlib.import_module('mailkit.g')\n",
        "g.py": "from mailkit.sub.h import q\n",
        "sub/__init__.py": "",
        "sub/h.py": "from .. import a\nfrom ..a import x\nfrom . import i\n",
        "sub/i.py": "import mailkit\n",
    })
    found = {(a.source, a.target) for a in arrows(package)}
    assert found == {("__init__", "a"), ("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f"), ("f", "g"),
                     ("g", "sub.h"), ("sub.h", "a"), ("sub.h", "sub.i"), ("sub.i", "__init__")}


def test_an_upward_arrow_a_cycle_and_a_missing_module_each_fail(tmp_path: Path) -> None:
    package = _write(tmp_path, {
        "__init__.py": "",
        "errors.py": "def f():\n    from .render import render\n",  # up, hidden in a function
        "render.py": "from .checks import c\n",
        "checks.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .render import R\n",
        "extra.py": "",
    })
    layers = {"__init__": 5, "errors": 0, "render": 3, "checks": 3, "gone": 2}
    problems = layer_problems(arrows(package), set(package_modules(package)), layers)
    assert problems[0].startswith("mailkit/extra.py is in no layer")
    assert problems[1] == "LAYERS names 'gone', which is no module of mailkit"
    assert any(p.startswith("mailkit/errors.py:2 imports render: layer 0 (foundations) imports layer 3")
               for p in problems)
    assert any(p.startswith("import cycle among checks, render, for one checks -> render -> checks: mailkit/checks.py:3 imports render; "
                            "mailkit/render.py:1 imports checks") for p in problems)
    assert len(problems) == 4, problems


# -- the README states the same table -------------------------------------------------------


def _readme_layout() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^## Package layout\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert m, "README.md has no '## Package layout' section"
    return m.group(1)


def test_readme_package_layout_states_the_layers() -> None:
    rows = re.findall(r"^\| (\d) ([a-z ]+) \| ([^|]*) \|", _readme_layout(), re.MULTILINE)
    stated = {name: int(layer) for layer, _, names in rows for name in re.findall(r"`(?:mailkit\.)?([\w.]+)`", names)}
    assert stated == LAYERS
    assert {int(layer): title for layer, title, _ in rows} == LAYER_NAMES


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_readme_names_the_public_modules(name: str) -> None:
    shown = "`mailkit`" if name == "__init__" else f"`mailkit.{name}`"
    assert shown in _readme_layout().split("|")[0]


def test_every_module_but_the_public_ones_has_a_private_name() -> None:
    # httpx's convention: what a caller may import is mailkit and PUBLIC; the rest is _name
    modules = set(package_modules(PACKAGE))
    assert PUBLIC <= modules
    assert sorted(m for m in modules - PUBLIC if not m.startswith("_")) == []
