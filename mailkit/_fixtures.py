"""Loading editions (fixtures) and themes from JSON, YAML, TOML or plain dicts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ._errors import InvalidFixtureError, UnsafeInputError, shown
from ._models import Brand, Edition
from ._paths import template_dirs
from ._reader import read_data_file, read_source

__all__ = [
    "edition_schema",
    "find_theme",
    "fixture_files",
    "load_edition",
    "load_theme",
    "no_theme_message",
    "theme_names",
    "theme_schema",
]


def theme_names(extra_dirs: Iterable[str | Path] = ()) -> list[str]:
    """Names of the themes found in the template folders' ``themes/`` subfolders."""
    names = {p.stem for d in template_dirs(extra_dirs) for p in (d / "themes").glob("*.yaml")}
    return sorted(names)


_THEME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _is_file(path: Path) -> bool:
    """``path.is_file()``, but ``False`` for a name the OS refuses to look up.

    Path.is_file swallows only ENOENT, ENOTDIR, EBADF and ELOOP: a brand or theme
    of 100,000 characters raised OSError (ENAMETOOLONG) out of render. Any name the
    OS cannot look up is "no such theme", which the callers name with the field.
    """
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def find_theme(name_or_path: str | Path, extra_dirs: Iterable[str | Path] = ()) -> Path | None:
    """The file of a theme given by name (searched in the template folders) or by path; ``None`` if none."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml", ".toml", ".json"):
        return path if _is_file(path) else None
    if not _THEME_NAME.match(str(name_or_path)):  # a name, never a way out of themes/ ("../x")
        return None
    for d in template_dirs(extra_dirs):
        candidate = d / "themes" / f"{name_or_path}.yaml"
        if _is_file(candidate):
            return candidate
    return None


def no_theme_message(name_or_path: str | Path, extra_dirs: Iterable[str | Path] = ()) -> str:
    """What to say when :func:`find_theme` finds nothing: the themes there are."""
    return f"no theme named {shown(str(name_or_path))} (themes: {', '.join(theme_names(extra_dirs))}, or a theme file)"


def load_theme(name_or_path: str | Path, extra_dirs: Iterable[str | Path] = ()) -> Brand:
    """Load a theme (a :class:`Brand`) by name from the template folders, or from a file path."""
    path = find_theme(name_or_path, extra_dirs)
    if path is None:
        raise InvalidFixtureError("", [("newsletter.brand", no_theme_message(name_or_path, extra_dirs))])
    return Brand.validate_from(read_data_file(path), str(path))


def load_edition(source: str | Path | Mapping[str, Any] | Edition, *,
                 extra_dirs: Iterable[str | Path] = ()) -> Edition:
    """Validate an edition from a fixture file path, a dict, or an :class:`Edition`.

    ``newsletter.brand`` may name a theme (``"nbc-news"``) instead of holding one.
    Errors name the file and field path: ``articles[2].image.src: not an absolute URL``.
    """
    if isinstance(source, Edition):
        return source
    data, name = read_source(source, "<data>")
    if not isinstance(data, Mapping):
        raise InvalidFixtureError(name, [("", "a fixture must be a mapping with newsletter and articles")])
    nl = data.get("newsletter")
    if isinstance(nl, Mapping) and isinstance(nl.get("brand"), str):
        try:
            brand = load_theme(nl["brand"], extra_dirs)
        except InvalidFixtureError as err:
            if not err.source:  # no such theme: already about newsletter.brand
                raise InvalidFixtureError(name, err.errors) from err
            # the theme file's own field paths, as this fixture's, and which file holds them
            kind = type(err) if type(err) in (InvalidFixtureError, UnsafeInputError) else InvalidFixtureError
            raise kind(name, [(f"newsletter.brand.{path}" if path else "newsletter.brand",
                               f"{message} (in the theme {err.source})") for path, message in err.errors]) from err
        data = {**data, "newsletter": {**nl, "brand": brand}}
    data = {k: v for k, v in data.items() if k != "$schema"}
    return Edition.validate_from(data, name)


def edition_schema() -> dict[str, Any]:
    """The JSON Schema of a fixture file (``fixtures/schema.json``), for editors' autocompletion."""
    schema = Edition.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mailkit edition (fixture)"
    # a fixture may name a theme instead of spelling out the brand
    nl = schema["$defs"]["Newsletter"]["properties"]
    nl["brand"] = {"anyOf": [{"$ref": "#/$defs/Brand"}, {"type": "string", "description": "a theme name"}]}
    schema["properties"]["$schema"] = {"type": "string"}
    return schema


def theme_schema() -> dict[str, Any]:
    """The JSON Schema of a theme file (``fixtures/theme.schema.json``)."""
    schema = Brand.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mailkit theme"
    return schema


def fixture_files(folder: str | Path) -> list[Path]:
    """The fixture files in ``folder``: YAML first, then JSON (not the JSON Schemas), then TOML, each in name order."""
    folder = Path(folder)
    files = [sorted(folder.glob(f"*{suffix}")) for suffix in (".yaml", ".yml", ".json", ".toml")]
    return [p for p in sorted(files[0] + files[1]) + files[2] + files[3] if not p.name.endswith("schema.json")]
