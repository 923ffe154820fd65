"""The preview server, end to end in headless Chromium (playwright with Debian's chromium)."""

from __future__ import annotations

import socket
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import SEED

from mailkit._preview import PreviewServer, serve

pytestmark = pytest.mark.browser

TEMPLATE = """{#- Preview test template -#}
{% extends "layouts/base.mjml.j2" %}
{% import "partials/components.mjml.j2" as ui with context %}
{% block band %}{{ ui.band("FIRST VERSION") }}{% endblock %}
{% block content %}<mj-section><mj-column><mj-text css-class="mk-text"><h1>{{ article.headline }}</h1></mj-text></mj-column></mj-section>{% endblock %}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    templates = tmp_path / "templates"
    fixtures = tmp_path / "fixtures"
    templates.mkdir()
    fixtures.mkdir()
    (templates / "alert.mjml.j2").write_text(TEMPLATE, encoding="utf-8")
    (fixtures / "seed.yaml").write_text(SEED.read_text(encoding="utf-8").replace(
        "templates: [breaking, special-report]", "templates: [alert]"), encoding="utf-8")
    httpd = serve(PreviewServer([templates], [fixtures]), port=free_port())
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", templates
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_server_binds_loopback_only(site) -> None:  # type: ignore[no-untyped-def]
    base, _ = site
    assert base.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(base + "/version") as r:
        assert len(r.read()) == 16


def test_index_render_live_reload_and_errors(browser, site) -> None:  # type: ignore[no-untyped-def]
    base, templates = site
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    try:
        page.goto(base + "/")
        links = page.locator("a.render-link")
        assert links.count() >= 2  # our fixture and the packaged ones
        # each row says what the render is: subject, size against Gmail's clip, warnings
        row = page.locator("#pairs tr", has=page.locator("a[href='/render/alert/seed.yaml']"))
        assert "China Summons Envoy" in row.inner_text() and "% of clip" in row.inner_text()
        assert row.locator("td.ok, td.warn").count() == 1
        page.goto(base + "/render/alert/seed.yaml")
        assert "China Summons Envoy" in page.inner_text("#subject")
        assert "Gmail's clip limit" in page.inner_text("#size")
        desktop = page.frame_locator("#desktop")
        assert "FIRST VERSION" in desktop.locator("body").inner_text()
        assert page.locator("#phone").get_attribute("width") == "375"
        assert "List-Unsubscribe:" in page.inner_text("#headers")
        assert "FIRST VERSION" in page.inner_text("#text")

        # an edit to the template reloads the page by itself
        time.sleep(0.05)
        (templates / "alert.mjml.j2").write_text(TEMPLATE.replace("FIRST VERSION", "SECOND VERSION"), encoding="utf-8")
        # (a locator, not wait_for_function: the page's CSP allows no eval, which that uses)
        page.locator("#text", has_text="SECOND VERSION").wait_for(timeout=3000)

        # a template error shows on the page with file and line; the server runs on
        (templates / "alert.mjml.j2").write_text(TEMPLATE.replace("{% endblock %}\n", "{% endblok %}\n", 1), encoding="utf-8")
        page.wait_for_selector("#render-error", timeout=3000)
        assert "alert.mjml.j2, line" in page.inner_text("#render-error")
        page.goto(base + "/")  # the index says which render broke, in its row
        row = page.locator("#pairs tr", has=page.locator("a[href='/render/alert/seed.yaml']"))
        assert "alert.mjml.j2, line" in row.locator("td.error").inner_text()
        page.goto(base + "/render/alert/seed.yaml")

        # and clears when fixed
        (templates / "alert.mjml.j2").write_text(TEMPLATE.replace("FIRST VERSION", "THIRD VERSION"), encoding="utf-8")
        page.wait_for_selector("#text", timeout=3000)
        assert "THIRD VERSION" in page.inner_text("#text")
    finally:
        page.close()


def test_dark_preview_forces_dark_styles(browser, site) -> None:  # type: ignore[no-untyped-def]
    base, _ = site
    page = browser.new_page()
    try:
        page.goto(base + "/raw/alert/seed.yaml.html?dark=1")
        bg = page.evaluate("getComputedStyle(document.querySelector('.mk-card')).backgroundColor")
        assert bg == "rgb(18, 18, 18)"
    finally:
        page.close()
