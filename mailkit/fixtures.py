"""Loading editions (fixtures) and themes from JSON, YAML, TOML or plain dicts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import InvalidFixtureError, MailkitError, UnsafeInputError
from .models import Brand, Edition
from .paths import template_dirs
from .reader import check_data, read_data_file

__all__ = ["edition_schema", "fixture_pairs", "load_edition", "load_theme", "theme_names", "theme_schema"]


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _message(err: Any) -> str:
    msg = str(err["msg"])
    if err["type"] == "extra_forbidden":
        return "unknown field (a typo?)"
    if err["type"] == "missing":
        return "required field missing"
    return msg.removeprefix("Value error, ")


def translate_validation_error(err: ValidationError, source: str) -> InvalidFixtureError:
    """Turn a pydantic error into an :class:`InvalidFixtureError` naming each field path."""
    errors = [(_field_path(e["loc"]), _message(e)) for e in err.errors(include_url=False)]
    unsafe = any(e["type"] in ("unsafe_text", "unsafe_url") for e in err.errors(include_url=False))
    return (UnsafeInputError if unsafe else InvalidFixtureError)(source, errors)


def theme_names(extra_dirs: Iterable[str | Path] = ()) -> list[str]:
    """Names of the themes found in the template folders' ``themes/`` subfolders."""
    names = {p.stem for d in template_dirs(extra_dirs) for p in (d / "themes").glob("*.yaml")}
    return sorted(names)


def load_theme(name_or_path: str | Path, extra_dirs: Iterable[str | Path] = ()) -> Brand:
    """Load a theme (a :class:`Brand`) by name from the template folders, or from a file path."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml", ".toml", ".json"):
        for d in template_dirs(extra_dirs):
            candidate = d / "themes" / f"{name_or_path}.yaml"
            if candidate.is_file():
                path = candidate
                break
        else:
            raise InvalidFixtureError(
                "", [("newsletter.brand", f"no theme named {str(name_or_path)!r} (themes: {', '.join(theme_names(extra_dirs))})")]
            )
    data = read_data_file(path)
    try:
        return Brand.model_validate(data)
    except ValidationError as err:
        raise translate_validation_error(err, str(path)) from err


def load_edition(source: str | Path | Mapping[str, Any] | Edition, *,
                 extra_dirs: Iterable[str | Path] = ()) -> Edition:
    """Validate an edition from a fixture file path, a dict, or an :class:`Edition`.

    ``newsletter.brand`` may name a theme (``"nbc-news"``) instead of holding one.
    Errors name the file and field path: ``articles[2].image.src: not an absolute URL``.
    """
    if isinstance(source, Edition):
        return source
    if isinstance(source, Mapping):
        data: Any = source
        name = "<data>"
        check_data(data, name)
    else:
        path = Path(source)
        data = read_data_file(path)
        name = str(path)
    if not isinstance(data, Mapping):
        raise InvalidFixtureError(name, [("", "a fixture must be a mapping with newsletter and articles")])
    nl = data.get("newsletter")
    if isinstance(nl, Mapping) and isinstance(nl.get("brand"), str):
        try:
            brand = load_theme(nl["brand"], extra_dirs)
        except InvalidFixtureError as err:
            raise InvalidFixtureError(name, err.errors) from None
        data = {**data, "newsletter": {**nl, "brand": brand}}
    data = {k: v for k, v in data.items() if k != "$schema"}
    try:
        return Edition.model_validate(data)
    except ValidationError as err:
        raise translate_validation_error(err, name) from err


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


def fixture_pairs(template_dirs: Iterable[str | Path], fixture_dirs: Iterable[str | Path], *,
                  errors: list[str] | None = None) -> list[tuple[str, Path]]:
    """Every (template, fixture file) pair in ``fixture_dirs``, by the templates each fixture names.

    A fixture that fails to load raises its :class:`MailkitError`; with
    ``errors`` given, it is left out and its message appended there instead,
    so that one broken file does not hide the others (the preview index).
    """
    from .compose import list_templates

    template_dirs = tuple(template_dirs)
    names = {t.name for t in list_templates(template_dirs)}
    found: list[tuple[str, Path]] = []
    for folder in fixture_dirs:
        files = [sorted(Path(folder).glob(f"*{suffix}")) for suffix in (".yaml", ".yml", ".json", ".toml")]
        # YAML files first, as they always were listed, then JSON and TOML
        for path in sorted(files[0] + files[1]) + files[2] + files[3]:
            if path.name.endswith("schema.json"):
                continue
            try:
                templates = load_edition(path, extra_dirs=template_dirs).templates
            except MailkitError as err:
                if errors is None:
                    raise
                errors.append(str(err))
                continue
            found.extend((template, path) for template in templates if template in names)
    return found
