"""Body links through a redirector point at their target, with a warning.

A story drafted in Google Docs carries every link as
``https://www.google.com/url?q=<target>&sa=D&source=editors&ust=...&usg=...``;
one pasted from Outlook as ``https://nam12.safelinks.protection.outlook.com/?url=<target>&data=...``;
from Facebook as ``https://l.facebook.com/l.php?u=<target>&h=...``. Kept, every
reader's click is logged by a third party, the status bar shows a host that
is not the story's, and Google's signature expires (a "Redirect notice" page).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from conftest import SEED

import mailkit
from mailkit._sanitize import redirect_target

BASE: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def _render(body: str) -> mailkit.RenderedEmail:
    data = {**BASE, "articles": [{**BASE["articles"][0], "body": body}]}
    return mailkit.render("breaking", data)


@pytest.mark.parametrize(("link", "target"), [
    (("https://www.google.com/url?q=https://www.nbcnews.com/news/world/story-n123&amp;sa=D&amp;source=editors"
      "&amp;ust=1716200000000000&amp;usg=AOvVaw0abc"), "https://www.nbcnews.com/news/world/story-n123"),
    ("https://www.google.com/url?q=https%3A%2F%2Fexample.com%2Fa%3Fb%3D1%26c%3D2&amp;sa=D",
     "https://example.com/a?b=1&amp;c=2"),
    ("https://google.co.uk/url?url=https://example.com/uk&amp;sa=t", "https://example.com/uk"),
    (("https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fexample.com%2Fstory&amp;data=05%7C01"
      "&amp;reserved=0"), "https://example.com/story"),
    ("https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.com%2Ffb&amp;h=AT0x", "https://example.com/fb"),
])
def test_a_redirector_link_points_at_its_target(link: str, target: str) -> None:
    email = _render(f'<p>Read <a href="{link}">the report</a>.</p>')
    assert f'href="{target}' in email.html
    assert "google.com/url" not in email.html and "safelinks" not in email.html and "l.php" not in email.html
    assert target.replace("&amp;", "&") in email.text
    [warning] = [w for w in email.warnings if w.code == "link-unwrapped"]
    assert warning.field == "articles[0].body" and "the first: https://" in warning


def test_many_are_one_warning_with_a_count() -> None:
    links = "".join(f'<p><a href="https://www.google.com/url?q=https://example.com/{i}&amp;sa=D">{i}</a></p>'
                    for i in range(5))
    email = _render(links)
    [warning] = [w for w in email.warnings if w.code == "link-unwrapped"]
    assert "5 links through a redirector" in warning


@pytest.mark.parametrize("target", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                    "//evil.example/x", "https://exa mple.com/"])
def test_a_redirector_to_something_unsafe_is_not_a_way_past_the_url_gate(target: str) -> None:
    email = _render(f'<p><a href="https://www.google.com/url?q={target}&amp;sa=D">x</a></p>')
    hrefs = re.findall(r'href="([^"]*)"', email.html)
    assert not [h for h in hrefs if not h.startswith(("https://", "mailto:"))]
    assert not [w for w in email.warnings if w.code == "link-unwrapped"]


@pytest.mark.parametrize("url", [
    "https://www.google.com/search?q=https://example.com/",  # a search, not a redirect
    "https://www.google.com/url",  # no target
    "https://evilgoogle.com/url?q=https://example.com/",
    "https://google.com.evil.example/url?q=https://example.com/",
    "https://example.com/url?q=https://other.example/",
    "https://www.google.com/url?q=mailto:a@example.com",  # not http(s): kept as is, the gate decides
    "ftp://www.google.com/url?q=https://example.com/",
    "https://[::1/url?q=https://example.com/",  # urlsplit refuses it
])
def test_other_links_are_not_redirectors(url: str) -> None:
    assert redirect_target(url) is None
