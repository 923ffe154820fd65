"""Bidi isolates (U+2066-U+2069) in single-line fields are refused where they are read.

left11 made every header refuse them (an isolate in a Subject shows "Invoice
\u2067exe.txt" as "Invoice txt.exe"); a headline or a reader's name holding
one then rendered, and every message of the send failed. Single-line fields
become headers, so they refuse isolates as every text field refuses the
embeddings and overrides; a body keeps them (mixed-direction text needs them).
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES

import mailkit


def test_an_isolate_in_a_headline_is_refused_at_render_naming_the_field() -> None:
    import yaml

    data = yaml.safe_load((FIXTURES / "breaking-china-cyberspying.yaml").read_text(encoding="utf-8"))
    data["articles"][0]["headline"] = "Invoice \u2067exe.txt"
    # it used to render, then every message of the send failed: "Subject: bidi control U+2067"
    with pytest.raises(mailkit.MailkitError, match=r"articles\[0\]\.headline.*bidi isolate U\+2067 at position 8"):
        mailkit.render("breaking", data)


def test_an_isolate_in_a_readers_name_is_refused_when_the_reader_is_made() -> None:
    with pytest.raises(mailkit.MailkitError, match=r"first_name.*bidi isolate U\+2068"):
        mailkit.Recipient(email="a@example.org", first_name="Ana \u2068x\u2069")


def test_a_body_keeps_its_isolates() -> None:
    import yaml

    data = yaml.safe_load((FIXTURES / "breaking-china-cyberspying.yaml").read_text(encoding="utf-8"))
    data["articles"][0]["body"] = "<p>The user \u2068مستخدم\u2069 wrote 3 posts.</p>"
    email = mailkit.render("breaking", data)
    assert "\u2068مستخدم\u2069" in email.text
