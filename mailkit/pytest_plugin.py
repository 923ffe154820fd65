"""pytest plugin for template authors: snapshot tests for your own templates.

Registered through the ``pytest11`` entry point, so it is active wherever
mailkit is installed. In your project's pytest settings::

    [tool.pytest.ini_options]
    mailkit_templates = ["templates"]   # default: ./templates if it exists
    mailkit_fixtures = ["fixtures"]     # default: ./fixtures if it exists

then::

    def test_snapshot(mailkit_pair, mailkit_snapshot):
        mailkit_snapshot(*mailkit_pair)       # .html, .txt, .mjml and .yml via pytest-regressions

``mailkit_pair`` parametrises a test over every (template, fixture) pair in
your folders (a fixture names its templates); ``mailkit_render`` renders with
your folders. Update snapshots on purpose with ``--force-regen``.
``mailkit_snapshot`` needs pytest-regressions: ``pip install 'mailkit[pytest]'``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ._message import RenderedEmail

__all__ = ["check_snapshot", "pairs"]


def check_snapshot(email: RenderedEmail, basename: str, file_regression: Any, data_regression: Any) -> None:
    """Compare ``email``'s .mjml, .html, .txt and metadata .yml with the files named ``basename``.

    All four are checked before failing, so that one ``--force-regen`` run
    rewrites every file of a render (pytest-regressions stops at its first).
    """
    failures: list[BaseException] = []
    for run in (
        lambda: file_regression.check(email.mjml, basename=basename, extension=".mjml"),
        lambda: file_regression.check(email.html, basename=basename, extension=".html"),
        lambda: file_regression.check(email.text, basename=basename, extension=".txt"),
        lambda: data_regression.check(email.metadata, basename=basename),
    ):
        try:
            run()
        except (AssertionError, pytest.fail.Exception) as err:
            failures.append(err)
    if failures:
        raise failures[0]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("mailkit_templates", "mailkit: your template folders", type="paths", default=[])
    parser.addini("mailkit_fixtures", "mailkit: your fixture folders", type="paths", default=[])


def _folders(config: pytest.Config, name: str, default: str) -> tuple[Path, ...]:
    configured = [Path(p) for p in config.getini(name)]
    if configured:
        return tuple(configured)
    fallback = Path(config.rootpath) / default
    return (fallback,) if fallback.is_dir() else ()


def pairs(template_dirs: tuple[Path, ...], fixture_dirs: tuple[Path, ...]) -> list[tuple[str, Path]]:
    """Every (template, fixture) pair in the fixture folders, by the templates each fixture names."""
    from ._compose import fixture_pairs

    return fixture_pairs(template_dirs, fixture_dirs)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "mailkit_pair" in metafunc.fixturenames:
        config = metafunc.config
        found = pairs(_folders(config, "mailkit_templates", "templates"), _folders(config, "mailkit_fixtures", "fixtures"))
        metafunc.parametrize("mailkit_pair", found, ids=[f"{t}--{p.stem}" for t, p in found])


@pytest.fixture
def mailkit_render(request: pytest.FixtureRequest) -> Callable[..., RenderedEmail]:
    """``mailkit_render(template, fixture, theme=None)`` with your template folders."""
    from ._render import RenderOptions, render

    template_dirs = _folders(request.config, "mailkit_templates", "templates")

    def run(template: str, fixture: str | Path, theme: str | None = None) -> RenderedEmail:
        path = Path(fixture)
        if not path.is_absolute():
            path = Path(request.config.rootpath) / path
        return render(template, path, RenderOptions(template_dirs=template_dirs, theme=theme))

    return run


@pytest.fixture
def mailkit_snapshot(mailkit_render: Callable[..., RenderedEmail],
                     request: pytest.FixtureRequest) -> Callable[..., RenderedEmail]:
    """``mailkit_snapshot(template, fixture, theme=None)``: render and compare all four snapshot files.

    Needs pytest-regressions: ``pip install 'mailkit[pytest]'``.
    """
    import importlib.util

    if importlib.util.find_spec("pytest_regressions") is None:
        pytest.fail("mailkit_snapshot needs pytest-regressions: pip install 'mailkit[pytest]'", pytrace=False)
    file_regression = request.getfixturevalue("file_regression")
    data_regression = request.getfixturevalue("data_regression")

    def check(template: str, fixture: str | Path, theme: str | None = None, basename: str | None = None) -> RenderedEmail:
        email = mailkit_render(template, fixture, theme)
        name = basename or f"{template}--{Path(fixture).stem}" + (f"--{theme}" if theme else "")
        check_snapshot(email, name, file_regression, data_regression)
        return email

    return check
