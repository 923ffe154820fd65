"""Templates as an API: one name pattern, one style limit, one fixture matrix,
the template reference page, the macros' parameters, CSS escaped by context."""

from __future__ import annotations

from pathlib import Path

import pytest

import mailkit
import mailkit.fixtures
import mailkit.reader
from mailkit.checks import MAX_STYLE_BYTES
from mailkit.compose import find_template
from mailkit.scaffold import new_template

ROOT = Path(__file__).resolve().parent.parent


# --- dedupes --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["storm-watch", "storm_watch", "a1", "9-to-5"])
def test_a_template_name_is_one_pattern_everywhere(tmp_path: Path, name: str) -> None:
    # render() found "storm_watch.mjml.j2", but a fixture could not name it
    # (templates: [storm_watch] failed validation) and new-template refused it
    new_template(name, tmp_path)
    assert find_template(name, [tmp_path / "templates"]) == f"{name}.mjml.j2"
    edition = mailkit.fixtures.load_edition(next((tmp_path / "fixtures").glob("*.yaml")))
    assert edition.templates == [name]


@pytest.mark.parametrize("name", ["Storm", "-storm", "_storm", "storm watch", "../x"])
def test_a_bad_template_name_is_refused_everywhere(tmp_path: Path, name: str) -> None:
    with pytest.raises(mailkit.TemplateError):
        new_template(name, tmp_path)
    with pytest.raises(mailkit.TemplateNotFoundError):
        find_template(name)
    with pytest.raises(mailkit.InvalidFixtureError, match=r"templates\[0\]"):
        mailkit.fixtures.load_edition({**_minimal(), "templates": [name]})


def _minimal() -> dict[str, object]:
    data = mailkit.reader.read_data_file(ROOT / "fixtures" / "breaking-minimal-no-image.yaml")
    return dict(data)


def test_the_style_limit_is_one_number() -> None:
    # checks warned over 16,384 bytes while Limits documented 16,000
    assert MAX_STYLE_BYTES == mailkit.LIMITS.max_style_bytes == 16_384
