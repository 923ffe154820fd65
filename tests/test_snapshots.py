"""Golden files for every template x fitting fixture, and every template x theme.

Regenerate on purpose with ``pytest tests/test_snapshots.py --force-regen``,
read the diff, and commit it saying why it changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import THEMES, matrix, pair_id, rendered
from mailkit.compose import list_templates


def _check(email, basename: str, file_regression, data_regression) -> None:  # type: ignore[no-untyped-def]
    # Run all four checks before failing, so one --force-regen run rewrites
    # every file of a render (pytest-regressions stops at its first failure).
    checks = [
        lambda: file_regression.check(email.mjml, basename=basename, extension=".mjml"),
        lambda: file_regression.check(email.html, basename=basename, extension=".html"),
        lambda: file_regression.check(email.text, basename=basename, extension=".txt"),
        lambda: data_regression.check(email.metadata, basename=basename),
    ]
    failures: list[BaseException] = []
    for check in checks:
        try:
            check()
        except (AssertionError, pytest.fail.Exception) as err:
            failures.append(err)
    if failures:
        raise failures[0]


@pytest.mark.parametrize("pair", matrix(), ids=pair_id)
def test_template_with_fixture(pair: tuple[str, Path], file_regression, data_regression) -> None:  # type: ignore[no-untyped-def]
    template, fixture = pair
    _check(rendered(template, fixture), pair_id(pair), file_regression, data_regression)


# the fixture each template is shown with in the second theme
PRIMARY = {
    "breaking": "breaking-china-cyberspying",
    "digest": "digest-morning-briefing",
    "special-report": "special-report-inside-the-indictment",
}


def _first_fixture(template: str) -> Path:
    fits = [f for t, f in matrix() if t == template]
    return next((f for f in fits if f.stem == PRIMARY.get(template)), fits[0])


@pytest.mark.parametrize("theme", THEMES[1:])
@pytest.mark.parametrize("template", [t.name for t in list_templates()])
def test_template_with_theme(template: str, theme: str, file_regression, data_regression) -> None:  # type: ignore[no-untyped-def]
    fixture = _first_fixture(template)
    _check(rendered(template, fixture, theme), f"{template}--{fixture.stem}--{theme}", file_regression, data_regression)


def test_every_template_has_a_fixture() -> None:
    covered = {t for t, _ in matrix()}
    assert {t.name for t in list_templates()} <= covered
