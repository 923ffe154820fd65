"""A link whose href the HTML cleaner cannot read is reported, not dropped silently.

ammonia (nh3) parses each URL with the url crate and drops one it cannot read
before mailkit's attribute filter sees it: ``https://exa mple.com/``,
``https://[::1/x``, ``https://xn--a.com/``, a port over 65535. The link's text
stayed with nothing to click and no warning, though sanitize_body says a
dropped URL is always reported (found by review12 in session 10).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from conftest import SEED

import mailkit

BASE: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def _render(body: str) -> mailkit.RenderedEmail:
    return mailkit.render("breaking", {**BASE, "articles": [{**BASE["articles"][0], "body": body}]})


def _dropped(email: mailkit.RenderedEmail) -> list[str]:
    return [str(w) for w in email.warnings if w.code == "url-dropped"]


@pytest.mark.parametrize("href", ["https://exa mple.com/", "https://[::1/x", "https://xn--a.com/",
                                  "https://example.com:99999/"])
@pytest.mark.parametrize("beside", ["", "<h1>Subhead</h1>"])  # allowed markup only, and a body parsed
def test_a_link_the_cleaner_cannot_read_is_reported(href: str, beside: str) -> None:
    email = _render(f'<p>Read <a href="{href}">the report</a> now.</p>{beside}')
    assert "the report" in email.text
    [warning] = _dropped(email)
    assert warning.startswith("articles[0].body: dropped <a href=") and "not a URL the HTML cleaner could read" in warning


def test_many_are_counted_and_readable_links_are_not_reported() -> None:
    body = ('<p><a href="https://a.example/">a</a> <a href="https://a.example/">b</a> '
            '<a href="https://exa mple.com/">c</a> <a href="https://[::1/">d</a> <a href=https://b.example/>e</a></p>')
    warnings = _dropped(_render(body))
    assert len(warnings) == 2 and "1 more link(s)" in warnings[1]


def test_a_link_inside_an_element_removed_whole_is_that_elements_warning_only() -> None:
    email = _render('<form><a href="https://example.com/">Sign up</a></form><p>Text</p>')
    assert not _dropped(email)


def test_fixtures_links_are_all_read() -> None:
    for path in sorted(SEED.parent.glob("*.yaml")):
        email = mailkit.render("breaking", path) if "digest" not in path.name else mailkit.render("digest", path)
        assert not [w for w in _dropped(email) if "could read" in w], path.name


@pytest.mark.parametrize("href", ["https://exa mple.com/", "javascript:alert(1)", None])
def test_a_link_left_without_its_url_is_text_not_a_dead_link(href: str | None) -> None:
    # the layout styles every <a> (colour, underline): "the report" looked like a link and went nowhere
    attr = "" if href is None else f' href="{href}"'
    email = _render(f"<p>Read <a{attr} title=\"t\">the report</a> now, <abbr title=\"x\">abbr</abbr>.</p>")
    assert "Read the report now" in email.html and "<abbr" in email.html
    assert "the report" in email.text
