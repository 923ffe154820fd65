"""Shared test helpers: the template x fixture matrix, cached renders."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import mailkit
import mailkit._fixtures
from mailkit._compose import fixture_pairs

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "breaking-china-cyberspying.yaml"
THEMES = ["nbc-news", "harbor-ledger"]
# the CSS inlining engines the browser tests hold to the same layout and accessibility
INLINERS = ["premailer", "css-inline"]


def fixture_files() -> list[Path]:
    return mailkit._fixtures.fixture_files(FIXTURES)


def matrix() -> list[tuple[str, Path]]:
    """Every (template, fixture) pair that fits: a fixture names its templates (the
    matrix ``mailkit check --all``, the preview and the pytest plugin use)."""
    return fixture_pairs((), [FIXTURES])


@functools.cache
def rendered(template: str, fixture: Path, theme: str | None = None, inliner: str = "premailer") -> mailkit.RenderedEmail:
    return mailkit.render(template, fixture, mailkit.RenderOptions(theme=theme, inliner=inliner))  # type: ignore[arg-type]


def pair_id(pair: tuple[str, Path]) -> str:
    return f"{pair[0]}--{pair[1].stem}"


@pytest.fixture(params=matrix(), ids=pair_id)
def email(request: pytest.FixtureRequest) -> mailkit.RenderedEmail:
    template, fixture = request.param
    return rendered(template, fixture)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium through playwright; fails instead of skipping under MAILKIT_REQUIRE_BROWSER."""
    if CHROMIUM is None:
        if os.environ.get("MAILKIT_REQUIRE_BROWSER"):
            pytest.fail("Chromium is not installed (apt-get install -y chromium)")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()



# the body's column: 600 px less the story's padding at 1000 px, the phone's width less it at 375 px
COLUMNS = ((1000, 552), (375, 327))


def element_widths(browser: Any, html: str, width: int, *selectors: str) -> tuple[int, list[list[float]]]:
    """The page's scroll width and, per selector, the widths of the elements it matches in
    ``html`` at ``width`` px. Offline: every request the page makes is refused."""
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.route("**/*", lambda route: route.abort())
        page.set_content(html)
        scroll, widths = page.evaluate(
            "(ss) => [document.documentElement.scrollWidth, ss.map(s => [...document.querySelectorAll(s)]"
            ".map(e => e.getBoundingClientRect().width))]", list(selectors))
    finally:
        page.close()
    return scroll, widths
