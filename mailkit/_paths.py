"""Where the packaged templates and fixtures live, in a wheel and in a checkout."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = ["FIXTURES_DIR", "TEMPLATES_DIR", "TEMPLATE_NAME", "template_dirs"]

_HERE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # In a wheel the folders are inside the package (hatch force-include);
    # in a checkout or an editable install they sit beside it.
    inside = _HERE / name
    return inside if inside.is_dir() else _HERE.parent / name


TEMPLATES_DIR = _find("templates")
# A template's name (``breaking``, ``storm-watch``): what ``render()`` finds,
# what a fixture's ``templates:`` lists and what ``mailkit new-template`` writes.
# One pattern for all three, so a name one of them accepts the others do too.
TEMPLATE_NAME = r"^[a-z0-9][a-z0-9_-]*$"
FIXTURES_DIR = _find("fixtures")


def template_dirs(extra: Iterable[str | Path] = ()) -> list[Path]:
    """The template search path: caller folders first (they override), then the packaged one."""
    return [Path(d).resolve() for d in extra] + [TEMPLATES_DIR]
