"""Golden files for every template x fitting fixture, and every template x theme.

Regenerate on purpose with ``pytest tests/test_snapshots.py --force-regen``,
read the diff, and commit it saying why it changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import THEMES, matrix, pair_id, rendered

from mailkit._compose import list_templates
from mailkit.pytest_plugin import check_snapshot


@pytest.mark.parametrize("pair", matrix(), ids=pair_id)
def test_template_with_fixture(pair: tuple[str, Path], file_regression, data_regression) -> None:  # type: ignore[no-untyped-def]
    template, fixture = pair
    check_snapshot(rendered(template, fixture), pair_id(pair), file_regression, data_regression)


def _theme_cases() -> list[tuple[str, Path, str]]:
    """Every template x fitting fixture in every shipped theme but the fixture's own brand."""
    from mailkit._fixtures import load_edition, load_theme

    cases = []
    for template, fixture in matrix():
        own = load_edition(fixture).newsletter.brand
        for theme in THEMES:
            if load_theme(theme) != own:
                cases.append((template, fixture, theme))
    return cases


@pytest.mark.parametrize("case", _theme_cases(), ids=lambda c: f"{c[0]}--{c[1].stem}--{c[2]}")
def test_template_with_fixture_in_other_theme(case: tuple[str, Path, str], file_regression, data_regression) -> None:  # type: ignore[no-untyped-def]
    template, fixture, theme = case
    check_snapshot(rendered(template, fixture, theme), f"{template}--{fixture.stem}--{theme}", file_regression, data_regression)


def test_every_template_has_a_fixture() -> None:
    covered = {t for t, _ in matrix()}
    assert {t.name for t in list_templates()} <= covered
