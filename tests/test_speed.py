"""What the speed work relies on: fast paths that must give what the slow ones give."""

from __future__ import annotations

import hashlib
import hmac
import html

from hypothesis import given
from hypothesis import strategies as st

import mailkit
from mailkit.personalize import html_escape


@given(st.text())
def test_html_escape_is_html_escape_with_quotes(value: str) -> None:
    assert html_escape(value) == html.escape(value, quote=True)


def realistic_reader(i: int) -> mailkit.Recipient:
    """A reader as alert services send to: their own signed unsubscribe and preferences URLs and link parameters."""
    email = f"reader{i}@example.org"
    sig = hmac.new(b"list secret", email.encode(), hashlib.sha256).hexdigest()[:32]
    return mailkit.Recipient(
        email=email, first_name=["Ana", "José", "Siobhán O'Brien", "Tom & Jerry"][i % 4],
        unsubscribe_url=f"https://news.example.com/unsubscribe?rid={i}&list=daily&sig={sig}",
        preferences_url=f"https://news.example.com/preferences?rid={i}&sig={sig}",
        link_params={"rid": f"r{i}", "utm_term": f"segment-{i % 7}"},
    )


def test_personalize_with_realistic_readers_equals_a_full_render() -> None:
    fixture = "fixtures/digest-morning-briefing.yaml"
    prepared = mailkit.prepare("digest", fixture)
    for i in range(4):
        reader = realistic_reader(i)
        email = prepared.personalize(reader)
        assert email == mailkit.render("digest", fixture, recipient=reader)
        assert html.escape(reader.unsubscribe_url or "") in email.html
        assert f"rid=r{i}&amp;utm_term=segment-{i % 7}" in email.html
