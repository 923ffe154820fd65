"""The text part's own words as render options (issue #17 session 9, found after fuzz9):
``text.links_heading``, ``text.button_label``, ``text.rule`` and ``text.direction``
of a wrong type or a hostile value are an OptionsError naming the option, never a
TypeError from the text stage or a format width that makes a gigabyte string."""

from __future__ import annotations

import pytest
from conftest import SEED

import mailkit


@pytest.mark.parametrize(("field", "value"), [
    ("links_heading", 5), ("links_heading", [[]]), ("links_heading", "x" * 201), ("links_heading", "\0"),
    ("rule", None), ("rule", 5), ("rule", "\ud800"),
    ("button_label", "%(label)999999999s"), ("button_label", "%s %d"), ("button_label", "%(label)d"),
    ("button_label", 5), ("button_label", "\x1b[2J"),
    ("direction", "up"), ("direction", None),
])
def test_hostile_text_option_is_a_named_options_error(field: str, value: object) -> None:
    with pytest.raises(mailkit.OptionsError, match=rf"text\.{field}: "):
        mailkit.render("breaking", SEED, {"text": {field: value}})


@pytest.mark.parametrize(("field", "value"), [
    ("links_heading", "Links in this email:"), ("links_heading", None), ("rule", ""), ("rule", "=" * 60),
    ("button_label", "%(label)s →"), ("button_label", "%(label)s (100%%):"), ("button_label", None),
    ("direction", "rtl"),
])
def test_plain_text_options_still_render(field: str, value: object) -> None:
    email = mailkit.render("breaking", SEED, {"text": {field: value}})
    if field == "button_label" and value:
        assert str(value).replace("%(label)s", "Read the full story").replace("%%", "%") in email.text
